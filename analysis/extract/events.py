"""Changes of hands, milestones and estimative statements in one sentence."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from .dates import DateMention, find_dates, sentence_words
from .places import Places
from .rules import _SIDE_GOV, _SIDE_OPP, Draft, Sentence, _clause

# verb -> event type; the actor's side takes the place unless the type says otherwise
_VERBS: tuple[tuple[str, str], ...] = (
    ("recaptured", r"recaptured|recapture[sd]?|recapturing|retook|retaken|retake|retaking|regained(?:\s+control\s+of)?|won\s+back|took\s+back"),
    ("captured", r"captured|captures|managed\s+to\s+capture|seized|took(?:\s+(?:full\s+)?control\s+of)?|taken|overran|overrun|stormed|fell\s+to|liberated|gained\s+control\s+of|wrested|capturing|seizing|losing|lost|asserted\s+control\s+over|asserting\s+control\s+over|overrunning|liberating"),
    ("entered", r"entered|entering|advanced\s+into|moved\s+into|pushed\s+into"),
    ("encircled", r"encircled|surrounded|encircling|surrounding|cut\s+off"),
    ("besieged", r"besieged|laid\s+siege\s+to|besieging"),
    ("withdrew", r"withdrew|pulled\s+out|retreated|withdrawn|evacuated\s+their\s+positions"),
    ("repelled", r"repelled|repulsed|fended\s+off|thwarted"),
    ("attacked", r"attacked|shelled|assaulted|bombarded|struck|launched\s+an?\s+(?:\w+\s+)?(?:counter-?)?(?:attack|assault|offensive)\s+(?:on|against)|attacking"),
    ("contested", r"contesting|contested|fighting\s+(?:continued|raged|is\s+raging|was\s+raging|intensified)|clashes\s+(?:continued|raged|occurred|occurring|erupted|broke\s+out)|battled?\s+(?:for|near|around)"
                  r"|fighting\s+(?:[\w-]+\s+){0,6}?(?:was|were)\s+(?:also\s+)?reported\s+(?:in|around|near)"),
    ("secured", r"secured|consolidated\s+control\s+of"),
)
_VERB_RX = re.compile(r"\b(?:" + "|".join(f"(?P<{t}>{rx})" for t, rx in _VERBS) + r")\b", re.I)


def _heads(alternatives: str) -> set[str]:
    """The first words a set of regex alternatives can start with ("recapture[sd]?" -> recapture, recaptures, recaptured)."""
    parts, depth, cur = [], 0, ""
    for ch in alternatives:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out: set[str] = set()
    for alt in parts:
        m = re.match(r"([a-z]+?)(?:\[([a-z]+)\]\?|([a-z])\?)?(?![a-z])", alt)
        if not m or not m.group(1):
            raise ValueError(f"a change-of-hands verb must start with a literal word: {alt!r}")
        base = m.group(1)
        out.add(base)
        out.update(base + c for c in (m.group(2) or m.group(3) or ""))
    return out


# a sentence is scanned for the verbs only when one of their first words is in it
_VERB_HEADS = frozenset().union(*(_heads(rx) for _, rx in _VERBS))
_PRONOUN = re.compile(r"^\s*(?:(?:most|parts|much|all|the\s+rest)\s+of\s+)?(?:it|the\s+(?:[\w-]+\s+)?(?:town|village|city|area|hill|heights|base|district|settlement)|there)\b", re.I)
_CAP = re.compile(r"(?<![\w'-])((?:[A-Z][a-z\u00e0-\u00ff'\u2019]+|al-[A-Z][\w'\u2019-]*|Al-[A-Z][\w'\u2019-]*)(?:[-\s](?:al-|el-|ad-|as-|ash-|at-|an-|ar-)?[A-Z][\w'\u2019-]*)*)")
_NOT_PLACE = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
    "May", "June", "July", "August", "September", "October", "November", "December", "The", "Government", "Rebel",
    "Rebels", "Opposition", "Army", "Forces", "President", "UN", "Red Cross", "Residents", "Officials",
}


def _side(text: str) -> str | None:
    gov, opp = list(_SIDE_GOV.finditer(text)), list(_SIDE_OPP.finditer(text))
    if not gov and not opp:
        return None
    last_gov = gov[-1].start() if gov else -1
    last_opp = opp[-1].start() if opp else -1
    return "government" if last_gov > last_opp else "opposition"


def _other(side: str | None) -> str | None:
    return {"government": "opposition", "opposition": "government"}.get(side or "")


def _list_places(text: str, places: Places) -> list[tuple[int, int, str, bool]]:
    """Places named in ``text``: known names first; capitalised names in a list context too."""
    found = [(a, b, n, True) for a, b, n in places.find(text)]
    taken = [(a, b) for a, b, _, _ in found]
    head = re.match(r"^\s*(?:(?:from|of|to|in|near|around|at|into)\s+)?(?:the\s+(?:(?:hilltop|border|strategic|key|nearby|northern|southern|eastern|western)\s+)?(?:villages?|towns?|cities|city|hills?|settlements?|areas?|districts?)\s+of\s+)?", text, re.I)
    pos = head.end() if head else 0
    # Unknown names only where the object slot is a proper-noun list: "A, B and C".
    for m in _CAP.finditer(text, pos):
        if any(a <= m.start() < b for a, b in taken):
            pos = max(pos, next(b for a, b in taken if a <= m.start() < b))
            continue
        between = text[pos:m.start()]
        if not re.fullmatch(r"\s*(?:,\s*|\s+and\s+|,\s+and\s+)?", between) and pos != (head.end() if head else 0):
            break
        if m.start() > pos + 2 and pos == (head.end() if head else 0) and text[pos:m.start()].strip():
            break
        name = m.group(1)
        if name.split()[0] in _NOT_PLACE or name.isupper():
            break
        found.append((m.start(), m.end(), name, False))
        taken.append((m.start(), m.end()))
        pos = m.end()
    # keep list order, and only the contiguous list right after the verb for known names too
    return sorted(found)


_DIRECTION = r"(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?"
_DIRECTION_OF = re.compile(rf",\s+(?:{_DIRECTION}\s+of|near|outside|close\s+to)\s+[^,;.]{{1,40}}(?=,)", re.I)
# "attacked government positions near X", "attacked Syrian government forces in the X and Y fronts": the place follows
_TARGET = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:positions|posts|targets|lines|forces|troops|defen[cs]es|defensive\s+lines)\s+(?:in|near|at|around|on)\s+(?:the\s+)?", re.I)
_OBJ_LEAD = re.compile(
    r"^\s*(?:(?:an?|the|their|its|another)\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:advance|attack|assault|offensive|push|incursion|counter-?attack|counter-?offensive)s?\s+(?:on|against|toward|towards|into|in)\s+"
    r"|^\s*(?:(?:on|in|at)\s+the\s+(?:outskirts|edge|edges|fringes|outskirt)\s+of|in|around|near|inside|for|over)\s+(?=[A-Z]|the\s+(?:town|village|city)\b)",
    re.I,
)
_OBJ_END = re.compile(
    rf"[;.]|, (?:a|but|as|while|the|reversing|cutting|bringing|after|according|local|located|{_DIRECTION})\b"
    r"|, and\b(?!\s+(?:[A-Z]|[a-z]{2,3}-[A-Z]))"  # "A, B, and C" is one list
    r"|,?\s+and\s+(?=(?:then\s+|later\s+|also\s+)?[a-z]+(?:ing|ed)\b)|,\s+(?=[a-z]+ing\b)"  # "... and capturing X", ", advancing"
    rf"|\s(?:on|since|in\s+the|between|overnight|after|as|by|on\s+the|throughout|during|{_DIRECTION}\s+of)\s|$",
)

_UNIT = re.compile(r"\b(?:forces|division|brigade|regiment|units?|troops|army|fighters|militias?|battalions?|corps|soldiers|factions?|groups?)\b", re.I)
_PLACE_NOUNS = r"(?:villages?|towns?|cities|city|hills?|hilltops?|settlements?|areas?|districts?|localities|neighbou?rhoods?|suburbs?)"
_MORE_LIST = re.compile(
    rf"\s+(?:in|of|near)\s+(?:the\s+)?[^,;.]{{0,60}}?\s+(?:and|as\s+well\s+as)\s+(?:the\s+)?{_PLACE_NOUNS}\s+of\s+"
    rf"|,?\s+(?:and|as\s+well\s+as)\s+the\s+{_PLACE_NOUNS}\s+of\s+"
    rf"|\s+{_PLACE_NOUNS}\s+(?:in|of|near)\s+(?:the\s+)?[^,;.]{{0,60}}?\s+and\s+(?=[A-Z]|[a-z]{{2,3}}-[A-Z])"
    rf"|(?:,\s+{_DIRECTION}\s+of\s+[^,;.]{{1,40}})?,?\s+(?:along\s+with|as\s+well\s+as)\s+(?:the\s+)?(?:nearby\s+|neighbou?ring\s+)?(?:{_PLACE_NOUNS}\s+of\s+)?(?=[A-Z]|[a-z]{{2,3}}-[A-Z])",
    re.I,
)
_COUNT_OBJ = re.compile(r"^\s*(?:(?:some|around|about|more\s+than|at\s+least|over|nearly|almost|another|a\s+further)\s+)?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+dozen|dozens\s+of|several|many|a\s+number\s+of|numerous|multiple)\s+(?:more\s+|other\s+|new\s+|nearby\s+|surrounding\s+)?(?:towns|villages|settlements|areas|localities|positions|points|hills|hilltops|districts)\b", re.I)

# a sentence about what may happen drafts no change of hands ("May" the month is not a modal)
_HYPOTHETICAL = re.compile(r"\b(?:[Ww]ill|[Ww]ould|[Cc]ould|may|[Mm]ight|(?i:expected\s+to|likely\s+to|plans?\s+to|aims?\s+to|threaten\w*|seek\w*\s+to|attempt\w*\s+to|push\s+toward))\b")


def control_events(s: Sentence, published: date, previous: date | None, places: Places, last_place: str | None,
                   last_side: str | None = None, anchor: date | None = None) -> list[Draft]:
    """One change of hands per place named as the object of a change-of-hands verb.

    The side comes from the verb's subject ("government forces", "rebels"); a unit the rules
    cannot side ("the 4th Brigade") takes the side of the last change of hands drafted before
    it (``last_side``), with a lower confidence.
    """
    text = s.text
    out: list[Draft] = []
    if _VERB_HEADS.isdisjoint(sentence_words(text)):
        return out
    if _HYPOTHETICAL.search(text) and not re.search(r"\b(?:captured|seized|retook|recaptured|entered|withdrew)\b", text, re.I):
        return out
    verbs = list(_VERB_RX.finditer(text))
    if not verbs:
        return out
    dates = find_dates(text, published, previous, anchor)
    for m in verbs:
        etype = next(t for t, _ in _VERBS if m.group(t))
        verb = m.group(0).lower()
        before = text[:m.start()]
        # the clause the verb belongs to
        clause_start = max([0] + [x.end() for x in re.finditer(r"[;:]|, (?:and|but|while|as|after|a\s+day\s+after)\b|\b(?:after|when|as|said|says)\b", before)])
        subject = before[clause_start:]
        after = text[m.end():]
        # the object: "an (attempted) advance on X", "(continued) on the outskirts of X", "in X" lead in to the place
        lead = _OBJ_LEAD.match(after)
        skip = lead.end() if lead else 0
        obj_end = _OBJ_END.search(after, skip)
        obj = after[: obj_end.start() if obj_end else len(after)]
        # "captured eight villages in the X countryside, including A, B and C": the list after "including"
        inc = re.match(r"[^;.]{0,120}?,\s+(?:including|among\s+them|namely|naming|such\s+as)\s+(?:(?:towns|villages|cities|towns\s+and\s+(?:cities|villages))\s+such\s+as\s+)?([^;.]*)", after[len(obj):])
        if inc and not places.find(obj):
            obj = after[: len(obj) + inc.end()]
            obj = obj[: len(obj) - len(inc.group(1))] + re.split(r",\s+(?:advancing|located|as|while|after|which|and\s+several)\b", inc.group(1))[0]
        # "the towns of A and B in the X countryside and the towns of C and D in Y": every list
        more = _MORE_LIST.match(after, len(obj))
        while more:
            tail_end = _OBJ_END.search(after, more.end())
            obj = after[: tail_end.start() if tail_end else len(after)]
            more = _MORE_LIST.match(after, len(obj))
        # "captured three towns in X": a count, not a list; only an "including ..." list names places
        if _COUNT_OBJ.match(obj) and not inc:
            obj = ""
        passive = verb.startswith("fell") or re.match(r"^\s*by\b", after) is not None
        if re.search(r"\bden(?:y|ied|ies|ying)\b", subject, re.I):
            continue
        if etype == "captured" and verb in ("losing", "lost"):
            side_actor = _side(subject)
            to_side = _other(side_actor)
            etype = "captured"
        elif passive:
            to_side = _side(after[:60])
        else:
            to_side = _side(subject) or _side(text[:m.start()])
        inherited = False
        if to_side is None and etype not in ("contested", "withdrew", "repelled") and last_side in ("government", "opposition") \
                and (_UNIT.search(subject) or not subject.strip(" ,") or re.search(r"\b(?:they|it)\s*$", subject, re.I)):
            to_side, inherited = last_side, True  # "the 4th Brigade also captured ...": the narrative's side
        if etype in ("withdrew",):
            to_side = _other(to_side)
        elif etype == "repelled":
            # the side that repels keeps the place; else the side of the attack repelled loses it
            target = re.match(r"^\s*(?:\w+\s+){0,2}?(government|opposition|rebel|army|regime)\b", after, re.I)
            if _side(subject) is None and target:
                to_side = _other("government" if _SIDE_GOV.match(target.group(1)) else "opposition")
        elif etype == "attacked":
            target = re.match(r"^\s*(?:\w+\s+){0,2}?(government|opposition|rebel|army|regime)\b", after, re.I)
            if target:
                to_side = "government" if _SIDE_GOV.match(target.group(1)) else "opposition"
            else:
                to_side = _other(to_side)
        elif etype == "contested":
            to_side = "contested"
        if to_side is None:
            continue
        # "A and B, south of X, along with nearby C": X locates the list, it is not in it
        obj = _DIRECTION_OF.sub(lambda d: " " * len(d.group(0)), obj)
        obj_places = _list_places(_TARGET.sub("", obj), places) if obj.strip() else []
        shift = len(obj) - len(_TARGET.sub("", obj))
        named = [(a + shift, b + shift, n, k) for a, b, n, k in obj_places]
        if not named:
            sub_known = [(a, b, n, True) for a, b, n in places.find(subject)] if passive or verb.startswith("fell") else []
            if sub_known:
                named = sub_known
            elif _PRONOUN.match(obj) and (places.find(text[:m.start()]) or last_place):
                earlier = places.find(text[:m.start()])
                ref = earlier[-1][2] if earlier else last_place
                named = [(-1, -1, {"place": ref, "written": _PRONOUN.match(obj).group(0).strip()}, True)]
            else:
                continue
        if etype == "entered" and not any(k for *_, k in named):
            continue
        date_m = _nearest(dates, m.start())
        if date_m is not None:
            first, last, note = date_m.first, date_m.last, text[date_m.start:date_m.end]
        elif previous is not None:
            first = last = previous
            note = "no date in the sentence: the last date written before it"
        else:
            first = last = published
            note = "no date in the sentence: the publication date"
        if last > published:
            continue
        a, b = _clause(text, min(m.start(), clause_start + len(subject) - len(subject.lstrip())), m.end() + len(obj))
        q0 = s.start + min(a, clause_start + (len(subject) - len(subject.lstrip())))
        q1 = s.start + max(b, m.end() + len(obj.rstrip()))
        for _pa, _pb, name, known in named:
            fields = {"date": first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}",
                      "date_note": f"'{note}'" if not note.startswith("no date") else note,
                      "event_type": etype, "to_side": to_side, "places": [name]}
            actor = re.search(r"((?:[A-Za-z][\w-]*\s+){0,3}(?:forces|troops|fighters|army|rebels|insurgents|militants|groups))\s*$", subject.strip(), re.I)
            if actor:
                fields["actor"] = actor.group(1).strip()
            conf = (0.8 if known else 0.5) * (0.8 if date_m is None else 1.0) * (0.7 if inherited else 1.0)
            out.append(Draft("control_events", q0, q1, fields, f"control.{etype}", round(conf, 2), label=f"{etype} {name if isinstance(name, str) else name['place']} -> {to_side}",
                             extra={"known_place": known}))
    return out


def _nearest(dates: list[DateMention], pos: int) -> DateMention | None:
    usable = [d for d in dates if d.rule != "end_of"]
    if not usable:
        return None
    after = [d for d in usable if d.start >= pos]
    return after[0] if after else usable[-1]


# -- milestones -----------------------------------------------------------------------
_CEASEFIRE = r"(?:ceasefire|cease-fire|truce|(?:humanitarian\s+)?pause|cessation\s+of\s+hostilities)"
_OPERATION = r"(?:offensive|counter-?offensive|operations?|campaign|assault|advance|push|counter-?attack)"
_MILESTONES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (t, re.compile(rx, re.I))
    for t, rx in (
        ("ceasefire_broken", rf"\b{_CEASEFIRE}\b[^.;]{{0,60}}\b(?:collapsed|broke\s+down|broken|violated|ended)\b|\b(?:shelling|fighting|hostilities|strikes|airstrikes|bombardments?|attacks)\s+(?:\w+\s+)?(?:resumed|recommenced|restarted)\b|\bcollapse[sd]?\s+on\b|\bviolations?\s+of\s+the\s+{_CEASEFIRE}"),
        ("ceasefire_start", rf"\b{_CEASEFIRE}\b[^.;]{{0,40}}\b(?:took\s+effect|take\s+effect|came\s+into\s+(?:effect|force)|come\s+into\s+(?:effect|force)|entered\s+into\s+force|began|starting|started|went\s+into\s+effect|was\s+introduced|introduced)\b|\b{_CEASEFIRE}\s+(?:starting|beginning)\b"),
        ("ceasefire_agreed", rf"\b{_CEASEFIRE}\b[^.;]{{0,40}}\b(?:agreed|reached|signed|brokered|announced|declared)\b|\b(?:agreed|reached|signed|brokered|announced|declared)\s+(?:on\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}{_CEASEFIRE}"),
        ("offensive_paused", rf"\b(?:paused|halted|suspended|stopped)\s+(?:the|its|their)\s+(?:\w+\s+)?{_OPERATION}\b|\b(?:{_OPERATION}|advances|advancements)\s+(?:\w+\s+)?(?:stalled|paused|halted|stopped)\b"),
        ("offensive_phase", rf"\b(?:start|beginning|launch|continuation|resumption)\s+of\s+(?:the|a|an|its|their)?\s*(?:[\w-]+\s+)?(?:{_OPERATION}|phase|Operation)\b|\b(?:{_OPERATION}|fighting|hostilities)\s*,?\s+(?:began|started|was\s+launched|launched|resumed|escalated|intensified|erupted|broke\s+out)\b"
                            rf"|\b(?:launched|resumed|renewed|began|started|restarted|continued)\s+(?:an?|the|its|their|another|new|fresh|renewed)?\s*(?:[\w-]+\s+){{0,2}}{_OPERATION}\b|\b(?:second|third|new|next|final)\s+phase\b"
                            r"|\b(?:airstrikes|air\s+strikes|bombardment|bombing|shelling|strikes)\s+(?:began\s+to\s+|started\s+to\s+)?(?:intensif\w+|escalat\w+)\b|\b(?:increased|intensified|escalated)\s+(?:its|their|the)\s+(?:air\s*strikes|bombardment|shelling|attacks)\b"),
        ("joint_patrol", r"\bjoint\s+patrols?\b"),
        ("summit", r"\bsummit\b"),
        ("talks", r"\b(?:talks|negotiations|round\s+of\s+talks|peace\s+conference|consultations)\b[^.;]{0,60}\b(?:held|began|resumed?|collapsed|scheduled|due|opened|ended|concluded|continued|going\s+on|under\s+way)\b|\b(?:held|hold|holding|for)\s+(?:[\w-]+\s+){0,2}(?:talks|consultations)\b"
                   r"|\b(?:on-?going|ongoing)\s+(?:talks|negotiations)\b|\bspoke?n?\s+(?:to|with|by\s+phone)\b|\bphone\s+call\b|\bcontacted\s+each\s+other\b|\b(?:met|meeting)\s+(?:with|in)\b|\btheir\s+meeting\b|\bdelegation\b[^.;]{0,60}\b(?:met|visited|arrived|travelled|traveled)\b|\bsent\s+a\s+delegation\b"),
        ("deadline", r"\bdeadline\b|\bultimatum\b"),
        ("intervention", r"\b(?:intervened|intervention|launched\s+operation|sent\s+troops\s+into|deployed\s+troops\s+to)\b"),
        ("reinforcement", r"\b(?:reinforcements?|convoys?)\b[^.;]{0,40}\b(?:arrived|sent|deployed|entered|crossed|transferred)\b|\b(?:sent|deployed|dispatched|rushed)\s+(?:more\s+|additional\s+|fresh\s+|new\s+)?(?:[\w-]+\s+){0,2}(?:reinforcements|troops)\b|\b(?:been|were|was)\s+deployed\s+(?:to|in)\b"
                           r"|\b(?:armou?red\s+)?(?:vehicles|tanks|troops|fighters)\s+(?:were\s+|had\s+been\s+|have\s+been\s+)?(?:moved|sent|transferred|deployed)\s+(?:to|into)\b"),
        ("highway_cut", r"\b(?:highway|motorway|road)\b[^.;]{0,40}\b(?:cut|closed|severed|blocked)\b|\bcut(?:ting|s)?\s+(?:off\s+)?(?:the\s+)?(?:last\s+)?(?:[\w-]+\s+){0,3}?(?:highway|road|supply\s+(?:line|route))\b"),
        ("highway_held", r"\b(?:took|seized|secured|captured|gained|controlled)\s+(?:full\s+)?(?:control\s+of|the\s+(?:entirety|whole|length)\s+of)\s+the\s+(?:[\w-]+\s+){0,2}(?:highway|motorway)\b"),
        ("agreement", r"\b(?:agreement|deal|accord|memorandum)\b[^.;]{0,40}\b(?:reached|signed|agreed|struck)\b|\b(?:agreed|reached\s+an\s+agreement)\s+(?:on\s+\w+\s+)?to\b|\breached\s+an?\s+(?:agreement|deal)\b|\b(?:under|result\s+of)\s+(?:an?|the)\s+(?:\w+\s+)?agreement\b|\bagreed\s+on\b"),
        ("threat", r"\bthreatened\s+(?:to\b|military|an?\b)|\bpreparing\s+(?:a|an)\s+(?:\w+\s+)?(?:offensive|assault|attack)\b|\bvowed\s+to\b|\bwarned\s+(?:that\s+)?(?:it|they|he|she|Turkey|Russia|the\s+\w+)\s+would\b|\bwill\s+not\s+hesitate\s+to\b|\bprepared\s+to\s+take\b"),
        ("sanctions", r"\bsanctions?\b[^.;]{0,40}\b(?:imposed|announced|extended)\b|\b(?:imposed|announced)\s+(?:new\s+)?sanctions\b|\bsigned\b[^.;]{0,60}\binto\s+law\b"),
    )
)
# a milestone pattern runs only on a sentence holding one of its words
_TRIGGERS = {
    "ceasefire_broken": {"ceasefire", "cease", "truce", "pause", "cessation", "resumed", "recommenced", "restarted", "collapse", "collapsed", "collapses", "violation", "violations"},
    "ceasefire_start": {"ceasefire", "cease", "truce", "pause", "cessation"},
    "ceasefire_agreed": {"ceasefire", "cease", "truce", "pause", "cessation"},
    "offensive_paused": {"paused", "halted", "suspended", "stalled", "stopped"},
    "offensive_phase": {"start", "beginning", "launch", "began", "started", "launched", "phase", "continuation", "resumption", "resumed", "renewed",
                        "restarted", "continued", "escalated", "intensified", "erupted", "broke", "intensify", "intensifying", "escalating", "increased"},
    "joint_patrol": {"joint"},
    "summit": {"summit"},
    "talks": {"talks", "negotiations", "conference", "consultations", "hold", "held", "holding", "spoke", "spoken", "phone", "contacted", "met", "meeting", "delegation", "ongoing", "going"},
    "deadline": {"deadline", "ultimatum"},
    "intervention": {"intervened", "intervention", "launched", "sent", "deployed"},
    "reinforcement": {"reinforcement", "reinforcements", "convoy", "convoys", "sent", "deployed", "dispatched", "rushed", "moved", "transferred"},
    "highway_cut": {"highway", "motorway", "road", "cut", "cutting", "cuts"},
    "highway_held": {"highway", "motorway"},
    "agreement": {"agreement", "deal", "accord", "memorandum", "agreed", "reached"},
    "threat": {"threatened", "preparing", "vowed", "warned", "hesitate", "prepared"},
    "sanctions": {"sanctions", "sanction", "law"},
}
_FUTURE = re.compile(r"\b(?:[Ww]ill|[Ww]ould|[Cc]ould|may|[Mm]ight|(?i:expected\s+to|likely|unlikely|is\s+set\s+to|plans?\s+to))\b")  # "May" the month is not a modal


def milestones(s: Sentence, published: date, previous: date | None, anchor: date | None = None) -> list[Draft]:
    text = s.text
    words = sentence_words(text)
    candidates = [(t, rx) for t, rx in _MILESTONES if not words.isdisjoint(_TRIGGERS[t])]
    if not candidates:
        return []
    dates = [d for d in find_dates(text, published, previous, anchor) if d.rule not in ("past_n", "past_unit", "during_week")]
    out: list[Draft] = []
    seen: set[str] = set()
    for mtype, rx in candidates:
        for m in rx.finditer(text):
            if mtype in seen or (mtype == "agreement" and seen) or (mtype == "ceasefire_agreed" and "ceasefire_start" in seen):
                break
            if mtype == "joint_patrol" and not re.search(r"\b(?:agreed|began|started|conducted|held|launched)\b", text, re.I):
                continue
            if mtype == "deadline" and not re.search(r"\b(?:set|gave|issued|announced|expires?|expired|passed)\b", text, re.I):
                continue
            scheduled = re.search(r"\b(?:scheduled|due|set\s+to|planned)\b", text, re.I)
            if _FUTURE.search(text[:m.start()] + text[m.end():m.end() + 40]) and not scheduled and mtype != "deadline":
                continue
            d = _near_end(dates, m.end())
            if d is not None and d.last > published + timedelta(days=366):
                continue
            if d is not None:
                a, b = _clause(text, min(m.start(), d.start), max(m.end(), d.end))
                when, note = d.interval, f"'{text[d.start:d.end]}'"
                conf = 0.6 if d.explicit else 0.45
            else:  # no date in the sentence: the narrative's last date (or publication), for the reviewer to check
                a, b = _clause(text, m.start(), m.end())
                day = previous or published
                when = day.isoformat()
                note = "no date in the sentence: the last date written before it" if previous else "no date in the sentence: the publication date"
                conf = 0.35
            fields = {"date": when, "date_note": note, "milestone_type": mtype, "label": _label(text[a:b])}
            out.append(Draft("milestones", s.start + a, s.start + b, fields, f"milestone.{mtype}", conf, label=mtype))
            seen.add(mtype)
    return out


def _near_end(dates: list[DateMention], pos: int) -> DateMention | None:
    """The date written right after ``pos`` (within 40 characters), else the last one before it, else the first."""
    after = [d for d in dates if 0 <= d.start - pos <= 40]
    if after:
        return after[0]
    before = [d for d in dates if d.end <= pos]
    return before[-1] if before else (dates[0] if dates else None)


def _label(text: str) -> str:
    words = text.split()
    return " ".join(words[:12]) + (" ..." if len(words) > 12 else "")


# -- estimative statements ----------------------------------------------------------------
_PHRASES = (
    r"will\s+almost\s+certainly(?:\s+not)?", r"almost\s+certainly(?:\s+not)?", r"will\s+probably(?:\s+not)?", r"will\s+likely",
    r"would\s+likely", r"would\s+probably", r"will\s+not", r"won't", r"will", r"would\s+not", r"would", r"could", r"may\s+not",
    r"may", r"might", r"very\s+unlikely", r"highly\s+unlikely", r"unlikely", r"more\s+likely", r"very\s+likely", r"highly\s+likely",
    r"likely", r"probably(?:\s+not)?", r"expected", r"expects?", r"expecting", r"anticipated?", r"risks?", r"threatens?",
    r"threatened", r"imminent", r"warn(?:s|ed|ing)?", r"deadline", r"ultimatum", r"chances?", r"possible", r"we\s+assess",
    r"we\s+judge", r"is\s+set\s+to", r"are\s+set\s+to", r"poised\s+to", r"does\s+not\s+suggest", r"suggests?", r"on\s+track\s+to",
)
_PHRASE_RX = re.compile(r"(?<![\w-])(?:" + "|".join(_PHRASES) + r")(?![\w-])", re.I)  # "Imminent" in a headline too; "May" is skipped below
# a sentence holding none of these words has no estimative phrase (each phrase above holds one; a test checks it)
_PHRASE_WORDS = frozenset({
    "will", "won", "would", "could", "may", "might", "unlikely", "likely", "probably", "certainly", "expected", "expect", "expects",
    "expecting", "anticipate", "anticipated", "risk", "risks", "threaten", "threatens", "threatened", "imminent", "warn", "warns",
    "warned", "warning", "deadline", "ultimatum", "chance", "chances", "possible", "assess", "judge", "set", "poised", "suggest",
    "suggests", "track",
})
_KIND = (("warn", "warning"), ("risk", "risk"), ("threat", "threat"), ("deadline", "deadline"), ("ultimatum", "deadline"),
         ("expect", "expectation"), ("anticipat", "expectation"))
_HORIZON = (
    (re.compile(r"\bwithin\s+(?:the\s+next\s+)?(?:a\s+)?(day|days|week|a\s+week|two\s+weeks|weeks|month|a\s+month|months|year)\b", re.I), {"day": 1, "days": 7, "week": 7, "a week": 7, "two weeks": 14, "weeks": 30, "month": 30, "a month": 30, "months": 90, "year": 365}),
    (re.compile(r"\b(?:in|over)\s+the\s+(?:coming|next)\s+(days|few\s+days|week|two\s+weeks|weeks|few\s+weeks|month|months|year)\b", re.I), {"days": 7, "few days": 7, "week": 7, "two weeks": 14, "weeks": 30, "few weeks": 30, "month": 30, "months": 90, "year": 365}),
    (re.compile(r"\blater\s+this\s+(week|month|year)\b", re.I), {"week": 7, "month": 30, "year": 365}),
)


def predictions(s: Sentence, published: date) -> list[Draft]:
    text = s.text
    out: list[Draft] = []
    if _PHRASE_WORDS.isdisjoint(sentence_words(text)):
        return out
    taken_to = -1
    for m in _PHRASE_RX.finditer(text):
        phrase = m.group(0)
        if m.start() < taken_to or phrase.startswith("May") or phrase.startswith("MAY"):
            continue  # "May" capitalised is the month
        if phrase[:1].isupper() and text[-1:] not in ".!?" and re.fullmatch(r"(?:[^:]{0,40}:\s*)?", text[:m.start()]) and \
                re.match(r"\s+(?:to|of|for)\b", text[m.end():]):
            continue  # a title naming a topic ("Briefing note: Risks to the truce"), not a statement
        # "may" the month, "will" the noun, and past-tense narrative "would" after "said" of a past habit are kept only in estimative use
        if phrase.lower() == "will" and re.match(r"\s+(?:of|to\s+the)\b", text[m.end():]):
            continue
        if phrase.lower() in ("possible", "chances", "chance", "suggest", "suggests") and not re.search(r"\b(?:is|are|was|remains|be|of|that|the)\b", text[max(0, m.start() - 20):m.end() + 20]):
            continue
        if phrase.startswith("risk") and re.match(r"\s+(?:assessment|management|analysis)", text[m.end():]):
            continue
        a, b = _clause(text, m.start(), m.end())
        # the statement runs to the end of its clause chain, and never past the sentence
        b = max(b, _end_of_statement(text, m.end()))
        sub = _SUBORDINATE.match(text)
        if sub and m.end() <= sub.end():
            b = min(b, len(text[:sub.end()].rstrip(" ,")))  # "While A, B": a phrase in A ends with A
        a = _start_of_statement(text, m.start())
        low = phrase.lower()
        kind = next((k for key, k in _KIND if low.startswith(key)), "forecast")
        fields = {"kind": kind, "quote_phrase": phrase, "probability_phrase": _mapped_phrase(text[a:b], phrase)}
        horizon = _horizon(text[a:b], published)
        fields.update(horizon)
        conf = 0.7 if low not in ("would", "could", "may", "might", "possible", "chances", "suggest", "suggests") else 0.5
        out.append(Draft("predictions", s.start + a, s.start + b, fields, f"estimative.{re.sub(r'[^a-z]+', '_', low)}", conf, label=phrase))
        taken_to = b
    return out


@lru_cache(maxsize=1)
def _scales():
    from ..scoring.wep import load_scales

    return load_scales()


@lru_cache(maxsize=1024)
def _maps(phrase: str) -> bool:
    from ..core.errors import ParameterError

    try:
        for name in _scales().names:
            _scales().lookup(phrase, name)
    except ParameterError:
        return False
    return True


def _mapped_phrase(statement: str, trigger: str) -> str:
    """The statement's probability phrase: the trigger if the phrase map reads it, else the first
    estimative phrase in the statement that it reads ("warn that the centres will not cope": will
    not); the trigger when none does (the reviewer chooses, accept names the field)."""
    if _maps(trigger):
        return trigger
    return next((m.group(0) for m in _PHRASE_RX.finditer(statement) if not m.group(0).startswith("May") and _maps(m.group(0))), trigger)


_SUBORDINATE = re.compile(r"^(?:While|Although|Though|Whereas|Even\s+though)\b[^,;]*,\s*")
_STATEMENT_BREAK = r";|:|, (?:and|but|while)\s+(?=we\b|the\b|a\b|an\b|it\b|they\b)|\bbut\s+(?=we\s)|, (?:as|because|whereas|although|though)\s+|, (?=(?:warning|saying|adding|noting|stressing)\b)"


def _start_of_statement(text: str, pos: int) -> int:
    left = 0
    sub = _SUBORDINATE.match(text)
    if sub and sub.end() <= pos:
        left = sub.end()  # "While A, B": a phrase in B starts B
    for m in re.finditer(_STATEMENT_BREAK, text):
        if m.end() > pos:
            break
        left = max(left, m.end())
    while left < pos and text[left] in " ,\"'\u201c":
        left += 1
    return left


def _end_of_statement(text: str, pos: int) -> int:
    m = re.search(r";|, but\b|, (?:and|while)\s+(?=we\b|the\b|an?\b|it\b|they\b)|, (?:as|because|whereas|although|though)\s+|, (?=(?:warning|saying|adding|noting|stressing)\b)|\.(?:\s|$)", text[pos:])
    end = pos + (m.start() if m else len(text) - pos)
    sub = _SUBORDINATE.match(text)
    if sub and pos < sub.end():
        end = min(end, sub.end())  # a phrase in "While A," ends with A
    while end > pos and text[end - 1] in " ,.\"'\u201d":
        end -= 1
    return end


def _horizon(text: str, published: date) -> dict:
    for rx, days in _HORIZON:
        m = rx.search(text)
        if m:
            return {"horizon_days": days[" ".join(m.group(1).lower().split())], "horizon_note": m.group(0)}
    for d in find_dates(text, published):
        if d.last > published:
            return {"deadline": d.last.isoformat(), "horizon_note": text[d.start:d.end]}
    return {}
