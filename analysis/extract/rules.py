"""Pattern rules for English news, UN and analyst prose: figures, changes of hands,
milestones and estimative statements, each with its verbatim span.

Every draft records the rule that produced it and a confidence (how often that rule was
right on the development set is what the benchmark measures; the confidence is the
rule's prior, lower for vague or inferred readings). Vocabulary is the dataset's own
(:mod:`analysis.data.vocab`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..data.parsing import _WORD_NUMBERS
from .dates import DateMention, find_dates, sentence_words

# -- sentences --------------------------------------------------------------------
_ABBREV = r"(?:No|Sept|Sep|Oct|Nov|Dec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|U\.S|U\.N|e\.g|i\.e|approx|vs|Jr|Sr)"
# a stop, then a space (or, in text pasted without one, "the base.On 16 May": two lowercase letters, a stop, a capitalised word)
_SENT_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|\n+")
_ABBREV_END = re.compile(rf"\b{_ABBREV}\.$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Sentences (and lines) of ``text`` with their offsets; whitespace-only pieces dropped."""
    out, pos = [], 0
    for m in _SENT_END.finditer(text):
        if m.group(0)[:1] != "\n" and _ABBREV_END.search(text[max(0, m.start() - 8):m.start()]):
            continue
        piece = text[pos:m.start()]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(Sentence(pos + lead, pos + len(piece.rstrip()), piece.strip()))
        pos = m.end()
    piece = text[pos:]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(pos + lead, pos + len(piece.rstrip()), piece.strip()))
    return out


# -- numbers ----------------------------------------------------------------------
_QUALIFIERS = (
    ("more than", r"more\s+than|upwards\s+of|in\s+excess\s+of|passed|surpassed|exceeded|topped"),
    ("over", r"over"),
    ("at least", r"at\s+least|a\s+minimum\s+of"),
    ("nearly", r"nearly|close\s+to"),
    ("almost", r"almost"),
    ("about", r"about|roughly"),
    ("around", r"around"),
    ("some", r"some"),
    ("approximately", r"approximately|approx\.?"),
    ("estimated", r"an\s+estimated|estimated"),
    ("as many as", r"as\s+many\s+as"),
    ("up to", r"up\s+to"),
    ("less than", r"less\s+than|fewer\s+than|under"),
)
_QUAL_RX = re.compile(r"(?:\b(" + "|".join(f"(?P<q{k}>{rx})" for k, (_, rx) in enumerate(_QUALIFIERS)) + r")\s+)?$", re.I)
_WORDS = [w for w in _WORD_NUMBERS if w not in ("first", "second", "third", "fourth", "fifth", "single", "half")]
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:half\s+)?a(?=\s+(?:million|thousand|billion)\b)|(?:" + "|".join(_WORDS) + r")(?:[-\s](?:" + "|".join(_WORDS) + r"))?)"
    r"(?:\s+(?P<scale>million|thousand|billion|hundred))?(?P<pct>\s*(?:%|per\s*cent|percent))?(?![\w])",
    re.I,
)
_VAGUE = re.compile(r"\b(dozens|hundreds|thousands|tens\s+of\s+thousands|hundreds\s+of\s+thousands|millions|scores|several|a\s+few|many|a\s+handful)\s+of\b", re.I)
_SCALE = {"million": 1e6, "thousand": 1e3, "billion": 1e9, "hundred": 100}
# a sentence without a digit and without one of these words has no figure (the gate of :func:`figures`)
_COUNT_WORDS = frozenset(w for k in _WORDS for w in re.split(r"[-\s]+", k.lower())) | frozenset(_SCALE) | frozenset(
    {"dozens", "hundreds", "thousands", "millions", "scores", "several", "few", "many", "handful", "tens"})
_DIGIT = re.compile(r"\d")


def _NO_DIGIT(text: str) -> bool:
    return _DIGIT.search(text) is None


@dataclass(frozen=True)
class Number:
    start: int  # offset in the sentence of the qualifier (or number)
    num_start: int
    end: int
    value: float
    qualifier: str
    is_pct: bool
    is_word: bool


def _word_value(token: str) -> float | None:
    total = 0.0
    for part in re.split(r"[-\s]+", token.lower()):
        if part not in _WORD_NUMBERS:
            return None
        total += _WORD_NUMBERS[part]
    return total


_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
_MONTH_AFTER = re.compile(rf"\s*{_MONTHS}\b")
_MONTH_BEFORE = re.compile(rf"{_MONTHS}\.?\s*$")
_CLOCK_AFTER = re.compile(r"\s*(?:am|pm|a\.m|p\.m|GMT|UTC|hours?\b|-hour)", re.I)
_RANGE_AFTER = re.compile(r"\s*[-\u2013]\s*\d")
_LABEL_BEFORE = re.compile(r"(?:No\.|Resolution|M)\s*$")


def numbers(text: str) -> list[Number]:
    """Numbers written in ``text`` with their scale and the qualifier just before them."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num")
        low = raw.lower()
        if low == "a" or low == "half a":
            if not m.group("scale") or m.group("scale").lower() == "hundred":
                continue
            value, is_word = (0.5 if low == "half a" else 1.0), True
        elif raw[0].isdigit():
            value, is_word = float(raw.replace(",", "")), False
        else:
            w = _word_value(raw)
            if w is None:
                continue
            value, is_word = w, True
        if m.group("scale"):
            value *= _SCALE[m.group("scale").lower()]
        # a year or a day of a month is not a figure
        after = text[m.end():m.end() + 12]
        before = text[max(0, m.start() - 12):m.start()]
        if not is_word and not m.group("scale") and (
            _MONTH_AFTER.match(after)
            or (value <= 31 and _MONTH_BEFORE.search(before))
            or (1900 <= value <= 2100 and "," not in raw and "." not in raw)
            or _CLOCK_AFTER.match(after)
            or _RANGE_AFTER.match(after)
            or _LABEL_BEFORE.search(before)
        ):
            continue
        q = _QUAL_RX.search(text[max(0, m.start() - 30):m.start()])
        qual, start = "exact", m.start()
        if q and q.group(1):
            k = next(i for i in range(len(_QUALIFIERS)) if q.group(f"q{i}"))
            qual = _QUALIFIERS[k][0]
            start = m.start() - (len(text[max(0, m.start() - 30):m.start()]) - q.start(1))
        out.append(Number(start, m.start(), m.end(), value, qual, bool(m.group("pct")), is_word))
    return out


# -- vocabulary of the rules ---------------------------------------------------------
_GOV = r"(?:government|regime|army|state|security|loyalist|pro-government|federal|national\s+army|junta|military)"
_OPP = r"(?:rebels?|rebel\s+fighters|opposition|insurgents?|militants?|armed\s+groups?|jihadists?|guerrillas?|separatists?|non-state)"
_SIDE_GOV = re.compile(rf"\b{_GOV}\b|forces\s+loyal\s+to\s+the\s+government|\btroops\b(?!\s+of\s+the\s+opposition)", re.I)
_SIDE_OPP = re.compile(rf"\b{_OPP}\b", re.I)
_PEOPLE = r"(?:[A-Z][a-z]+(?:ians|ans|is|ese|ers)\b|people|persons|individuals|civilians|residents|inhabitants|villagers|IDPs|internally\s+displaced\s+(?:people|persons)|refugees|families|households|children|women|men|others|of\s+them|were|had|have|are|is|remain|fled|in\s+the)"
_DISPLACE = re.compile(r"\b(displac\w*|fled|flee\w*|uprooted|evacuat\w*|forced\s+from\s+their\s+homes|crossed\s+into|arriv\w+\s+(?:at|in)|sheltering|shelter\w*|new\s+arrivals|IDPs|left\s+their\s+homes|exodus)\b", re.I)
_RETURN = re.compile(r"\breturn\w*\b", re.I)
_HARM = re.compile(r"\b(?:killed|dead|died|deaths|injured|wounded|casualties)\b", re.I)
_MODAL = re.compile(r"\b(?:could|may|might|would|will|expected\s+to|likely\s+to|risk\w*|threaten\w*|warn\w*)\s+(?:\w+\s+){0,2}?(?:be\s+)?(?:displac\w*|flee|kill\w*|forc\w*|uproot\w*)", re.I)


@dataclass
class Draft:
    """One drafted claim: its table, the fields of the reviewed-claims layout, its span and why."""

    table: str  # observations, control_events, milestones, predictions
    start: int
    end: int
    fields: dict
    rule: str
    confidence: float
    label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def quote_span(self) -> tuple[int, int]:
        return self.start, self.end


def _source(text: str) -> str | None:
    found = _source_raw(text)
    if found is None:
        return None
    found = re.sub(r"^(?:The|the|An|an|A)\s+", "", found.strip(" .,;"))
    return found or None


def _source_raw(text: str) -> str | None:
    m = re.search(r"\baccording\s+to\s+(?:the\s+)?((?:[A-Z][\w.'-]*|of|for|the|and|on|\s)+?)(?=[,.;]|\s+(?:said|which|who)|$)", text)
    if m:
        return " ".join(m.group(1).split())
    m = re.search(r"(?:^|[,;]\s*|\bthe\s+)((?:[A-Z][\w.'-]*\s?){1,6}?)\s*(?:said|says|reported|reports|estimated|estimates|counted|recorded|stated|announced)\b", text)
    if m:
        name = " ".join(m.group(1).split())
        if name.lower() not in ("he", "she", "it", "they", "we", "the", "an", "a", "officials", "residents"):
            return name
    m = re.search(r"\b(?:the\s+)?((?:local|state|provincial|regional)\s+(?:authorities|media|sources|council|officials|governor|monitors)|(?:aid|humanitarian)\s+(?:workers|partners|agencies)|officials|residents|partners|the\s+monitor)\s+(?:said|say|reported|report|estimate|estimated|counted)", text, re.I)
    if m:
        return " ".join(m.group(1).split())
    m = re.search(r"\b(?:the\s+)?(UN\s+refugee\s+agency|[A-Z]{2,}(?:\s+[A-Z]{2,})?)\s+(?:said|says|counted|reported|estimated)", text)
    return m.group(1) if m else None


def _area(text: str, after: int) -> str | None:
    m = re.search(r"\b(?:in|from|across|within|of)\s+((?:the\s+)?(?:(?:northern|southern|eastern|western|north-?western|north-?eastern|south-?western|south-?eastern|central|rural|northwest|northeast|southwest|southeast)\s+)?(?:[A-Z][\w'-]+)(?:\s+(?:[A-Z][\w'-]+|al-[\w'-]+|of|el-[\w'-]+))*)", text[after:])
    if not m:
        return None
    area = m.group(1)
    area = re.sub(r"^the\s+", "", area)
    return None if area.split()[0] in ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday") else area


_INTERVAL_RULES = ("past_n", "past_unit", "week_up_to", "range_dm", "range_dash", "during_week")


def _period(dates: list[DateMention], published: date, after: int = -1) -> tuple[DateMention | None, DateMention | None]:
    """The baseline ("since X") and the period (any other date expression) of a figure."""
    since = next((d for d in dates if d.since and d.rule != "since_weekday"), None)
    usable = [d for d in dates if not d.since and d.rule not in ("end_of",)]
    period = next((d for d in usable if d.rule in _INTERVAL_RULES), None) or next(iter(usable), None)
    weekday_since = next((d for d in dates if d.rule == "since_weekday"), None)
    return since, period or weekday_since


# -- figures --------------------------------------------------------------------------
_VARIABLE_RULES: tuple[tuple[str, str, re.Pattern, str], ...] = tuple(
    (var, kind, re.compile(rx, re.I), rule)
    for var, kind, rx, rule in (
        ("displaced_children_per_day", "level", r"^\s*children\s+(?:per|a|each)\s+day", "children_per_day"),
        ("displaced_shelter_share_pct", "level", r"^\s*of\s+(?:the\s+)?(?:newly\s+)?(?:displaced|new\s+arrivals|IDPs|families)", "shelter_share"),
        ("territory_share_pct", "level", r"^\s*of\s+(?:the\s+)?(?:territory|province|governorate|region|country|area|[A-Z][\w-]+\s+(?:province|governorate|region))", "territory_share"),
        ("killed", "flow", r"^\s*(?:[\w-]+\s+){0,3}?(?:were\s+|have\s+been\s+|had\s+been\s+)?(?:killed|dead|died|deaths|fatalities)\b|^\s*(?:civilians|people|soldiers|fighters|troops|children)\b[^.]{0,40}\b(?:killed|dead|died)\b", "killed"),
        ("injured", "flow", r"^\s*(?:[\w-]+\s+){0,3}?(?:were\s+|have\s+been\s+)?(?:injured|wounded|hurt)\b", "injured"),
        ("airstrikes", "flow", r"^\s*(?:[\w-]+\s+)?(?:air\s*strikes|air\s+raids|strikes)\b", "airstrikes"),
        ("barrel_bombs", "flow", r"^\s*barrel\s+bombs\b", "barrel_bombs"),
        ("places_captured", "flow", r"^\s*(?:more\s+)?(?:villages|towns|settlements|places|localities|hamlets)\b", "places_count"),
        ("area_captured_km2", "flow", r"^\s*(?:square\s+kilomet\w+|sq\.?\s*km|km2|km\u00b2)", "area_km2"),
        ("distance_km", "level", r"^\s*(?:km|kilomet\w+|miles?)\s+(?:north|south|east|west|from|away|of|outside|north-?west|north-?east|south-?west|south-?east)", "distance"),
        ("troops", "level", r"^\s*(?:more\s+)?(?:troops|soldiers|fighters|reinforcements|personnel)\s+(?:were\s+|have\s+been\s+|had\s+been\s+)?(?:deployed|sent|arrived|stationed|massed|moved)", "troops"),
        ("vehicles_deployed", "level", r"^\s*(?:military\s+|armou?red\s+)?vehicles\b", "vehicles"),
        ("refugees_hosted", "level", r"^\s*(?:registered\s+|[A-Z][\w-]+\s+)?refugees\b(?!.*\bfled\b)", "refugees_hosted"),
    )
)


def _displacement(sentence: str, num: Number, following: str, clause: str) -> tuple[str, str, str] | None:
    """(variable, default kind, rule) when the number counts displaced people."""
    if re.match(r"^\s*children\s+(?:per|a|each)\s+day", following, re.I):
        return "displaced_children_per_day", "level", "children_per_day"
    if re.match(r"^\s*(?:[\w-]+\s+)?(?:fighters|troops|soldiers|militants|members|personnel|gunmen|vehicles|tanks)\b", following, re.I):
        return None  # "300 fighters arrived in X" moves forces, not displaced people
    if not re.match(rf"^\s*(?:(?:newly|internally|more|other|new|displaced|additional)\s+)*{_PEOPLE}\b", following, re.I) and not re.match(r"^\s*(?:,|\.|;|$|\s+(?:in|since|from|by|people))", following):
        return None
    window = sentence[max(0, num.start - 120):num.end + 160]
    if not _DISPLACE.search(window) or (_RETURN.search(window) and not re.search(r"displac|fled", window, re.I)):
        return None
    if _HARM.search(clause) and not _DISPLACE.search(clause):
        return None  # "300 civilians had been killed" in a sentence that also counts the displaced
    if re.search(r"\b(?:in|under)\s+the\s+(?:\w+\s+)?open(?:\s+air)?\b|\bopen-air\b|\bsleeping\s+rough\b", clause, re.I):
        return "displaced_in_open_air", "level", "open_air"
    if re.search(r"\bhome\s+to\s*$", sentence[max(0, num.start - 12):num.start], re.I):
        return None
    return "displaced_people", "", "displaced"


def figures(s: Sentence, published: date, previous: date | None, anchor: date | None = None) -> list[Draft]:
    """Quantitative claims in one sentence."""
    text = s.text
    if _NO_DIGIT(text) and sentence_words(text).isdisjoint(_COUNT_WORDS):
        return []  # no digit, number word or vague quantity: nothing to count
    dates = find_dates(text, published, previous, anchor)
    out: list[Draft] = []
    for num in numbers(text):
        if any(d.start <= num.num_start < d.end for d in dates):
            continue
        c0, c1 = _clause(text, num.start, num.end)
        clause = text[c0:c1]
        if _MODAL.search(clause):
            continue  # a figure under a modal is a forecast: the estimative rules draft it
        following = text[num.end:min(c1, num.end + 80)] if c1 > num.end else text[num.end:num.end + 80]
        found = None
        if num.is_pct:
            for var, kind, rx, rule in _VARIABLE_RULES:
                if var.endswith("_pct") and rx.search(following):
                    found = (var, kind, rule)
                    break
            if found is None:
                if re.search(r"\b(?:controls?|holds?|held|seized|captured)\b", text[max(0, num.start - 60):num.start], re.I) or re.search(
                        r"\b(?:share|proportion|percentage)\s+of\s+(?:the\s+)?(?:[\w'-]+\s+){0,2}(?:territory|province|governorate|region|country|area|land)\b", text[max(0, num.start - 80):num.start], re.I):
                    found = ("territory_share_pct", "level", "territory_share")
                elif _DISPLACE.search(text):
                    found = ("displaced_shelter_share_pct", "level", "shelter_share")
        else:
            found = _displacement(text, num, following, clause)
            if found is None:
                for var, kind, rx, rule in _VARIABLE_RULES:
                    if not var.endswith("_pct") and rx.search(following):
                        found = (var, kind, rule)
                        break
            if found is None and re.search(r"\b(?:killing|killed)\s+(?:at\s+least\s+|more\s+than\s+|some\s+)?$", text[max(0, num.start - 30):num.start], re.I):
                found = ("killed", "flow", "killed")
            if found is None and re.match(r"\s+of\s+(?:them|whom)\s+(?:were\s+)?(?:children|women|civilians|soldiers|fighters|girls|boys)\b", following, re.I) \
                    and _HARM.search(text[:num.start]) and not _DISPLACE.search(clause):
                # "At least 29 civilians died, nine of them children": a group within the dead (or injured) just counted
                found = ("killed" if re.search(r"\b(?:killed|dead|died|deaths)\b", text[:num.start], re.I) else "injured", "flow", "killed_group")
            if found is None and re.search(r"\bnumber\s+of\s+(?:villages|towns|places)\s+(?:captured|taken|seized)\b", text, re.I) and re.search(r"\bto\s*$", text[max(0, num.start - 5):num.start]):
                found = ("places_captured", "stock", "places_count")
            if found is None and re.search(r"\bnumber\s+of\s+(?:people\s+)?(?:displaced|fleeing|IDPs)", text, re.I) and re.search(r"\b(?:to|passed|reached|at|of)\s*$", text[max(0, num.start - 12):num.start]):
                found = ("displaced_people", "stock", "displaced_total")
        if found is None:
            continue
        var, kind, rule = found
        since, period = _period([d for d in dates if c0 <= d.start < max(c1, num.end + 1) + 2], published)
        if var in ("displaced_people", "places_captured", "killed", "injured", "airstrikes", "barrel_bombs", "area_captured_km2") and kind != "level":
            stock_words = re.search(r"\b(?:total|so\s+far|to\s+date|in\s+all|now\s+stands|stands\s+at|rose\s+to|risen\s+to|reached|passed|surpassed|cumulative|overall|altogether|since\s+the\s+(?:start|beginning)|bringing)\b", clause, re.I)
            # "has displaced 90,000", "had been displaced", "leaving 980,000 displaced": a total, when no interval is given
            perfect = re.search(r"\b(?:have|has|had)\s+(?:now\s+)?(?:been\s+)?(?:displaced|uprooted|forced|caused|left)\b|\b(?:leaving|left)\s+(?:[\w,.]+\s+){1,4}?(?:displaced|homeless)\b", clause, re.I)
            if since is None and perfect and period is not None and period.first == period.last and re.search(
                    r"\b(?:began|started|launched|erupted|escalated|resumed)\s+(?:on|in)\s+$", text[max(0, period.start - 30):period.start], re.I):
                since, period = period, None  # "the offensive, launched on 12 Sept., has displaced 90,000": a total since then
            if since is not None or (stock_words and not (period and period.rule in ("past_n", "past_unit", "week_up_to", "range_dm", "range_dash"))) or kind == "" and period is None and perfect:
                kind = "stock"
            else:
                kind = "flow"
        if kind == "":
            kind = "flow"
        if var == "displaced_in_open_air":
            kind = "level"
        as_of = next((d for d in dates if (c0 <= d.start < c1 or d.start < 4) and re.search(r"\b(?:by|as\s+of|as\s+at|until)\s+$", text[max(0, d.start - 8):d.start], re.I)), None)
        if var == "displaced_people" and kind == "flow" and as_of is not None and not (period and period.rule in ("past_n", "past_unit", "week_up_to", "range_dm", "range_dash", "during_week")):
            kind, period = "stock", as_of  # "By 5 February, 520,000 were displaced": a total as of that day
        if var == "displaced_people" and since is None and re.search(r"\balready\s+displaced\b|\bby\s+earlier\b|\b(?:are|is|remain)\s+(?:internally\s+)?displaced\b", clause, re.I):
            var, kind = "population_displaced_earlier", "level"
        # dates: stock as of the period's end (or publication), flows over their period
        if kind == "flow" and period is not None:
            first, last, note = period.first, period.last, text[period.start:period.end]
        elif kind == "flow" and since is not None:
            first, last, note = since.first, published, text[since.start:since.end]
        elif period is not None and period.first == period.last:
            first = last = period.last
            note = text[period.start:period.end]
        else:
            first = last = published
            note = "no date in the sentence: the publication date"
        if last > published or first > last:
            first = last = published
            note = "date after publication: the publication date"
        qual = num.qualifier
        if rule == "displaced_total" and qual == "exact" and re.search(r"\bpassed\s*$", text[max(0, num.start - 10):num.start]):
            qual = "more than"
        fields = {"variable": var, "kind": kind, "value": int(num.value) if num.value == int(num.value) else num.value}
        if qual != "exact":
            fields["qualifier"] = qual
        fields["date"] = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
        fields["date_note"] = f"'{note}'" if not note.startswith(("no date", "date after")) else note
        if kind == "stock" and since is not None:
            fields["baseline_date"] = since.first.isoformat()
            fields["baseline_basis"] = "stated"
        fields["area"] = _area(text, num.end) or _area(text, 0) or "unstated"
        grp = re.match(r"\s*((?:[\w-]+\s+){0,2}?(?:civilians|children|soldiers|fighters|troops|people|families|residents|refugees|women))\b", following, re.I)
        if grp and var not in ("displaced_people",):
            fields["group"] = re.sub(r"^of\s+(?:them|whom)\s+(?:were\s+)?", "", grp.group(1).strip())
        fields["source"] = _source(text) or "unattributed"
        start, end = c0, c1
        conf = 0.8 if rule in ("displaced", "displaced_total", "killed", "children_per_day", "open_air") else 0.6
        if num.is_word:
            conf -= 0.2
        out.append(Draft("observations", s.start + start, s.start + end, fields, f"figure.{rule}", round(conf, 2),
                         label=f"{var} {kind} {fields['value']:,}" if isinstance(fields["value"], int) else f"{var} {fields['value']}"))
    for m in _VAGUE.finditer(text):
        if _DISPLACE.search(text) or re.search(r"\b(?:left|killed|wounded|injured|dead)\b", text, re.I):
            a, b = _clause(text, m.start(), m.end())
            out.append(Draft("vague", s.start + a, s.start + b, {"phrase": m.group(0), "vague": True}, "figure.vague", 0.3, label=f"vague: {m.group(1)}"))
    return out


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the last clause break before it to the next one after it."""
    left = 0
    for m in re.finditer(r"(?:;|:|\u2014|, (?:and|but|while|including|of which|as|after|which|adding|bringing|raising|taking)\b|, (?=(?:the|an?)\s)|\.\s)", text[:start]):
        if m.group(0).startswith(".") and _ABBREV_END.search(text[max(0, m.start() - 8):m.start() + 1]):
            continue  # "Sept. 12" does not end a clause
        left = m.end()
    m = re.search(r"(?:;|\u2014|, (?:and|but|while|as|which|who|adding|including|bringing|raising|taking|of\s+whom|a\s+day|after|the\s+(?:UN|agency|ministry))\b|, (?:according|said|officials|local)|\.(?:\s|$)|$)", text[end:])
    right = end + (m.start() if m else len(text) - end)
    a, b = left, right
    while a < b and text[a] in " ,\"'\u201c":
        a += 1
    while b > a and text[b - 1] in " ,.\"'\u201d":
        b -= 1
    return a, b
