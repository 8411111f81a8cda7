"""Dates in English prose, resolved against the publication date.

Explicit dates ("12 March", "April 2, 2024", "June 2021") are read by the patterns below,
which capture day, month and year; :class:`datetime.date` builds the day and rejects an
impossible one ("31 April"). ``dateparser`` reads only a labelled heading line the patterns
miss ("Published: 03/18/2024"): calling it on every explicit date cost 0.8 s of 1.3 s per
80 kB (cProfile, issue 17) for components already captured. The year, when the text omits it, is the publication year unless that puts the date more
than half a year after publication (then the year before). Weekdays ("on Monday",
"since Friday"), "the next day", "the same day", "overnight" and periods ("in the past five days",
"the week up to 24 December", "from 9 to 12 February") follow the project's own rules,
tested in ``tests/test_extract.py``, because dateparser is unreliable for them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ..data.parsing import _WORD_NUMBERS

_MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_NAMES.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_NAMES["sept"] = 9
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMWORD = r"(?:\d+|" + "|".join(k for k in _WORD_NUMBERS if k not in ("half", "first", "second", "third", "fourth", "fifth", "single", "hundred", "thousand")) + ")"
_Y = r"(?:,?\s+(\d{4}))?"

_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(rx, re.I))
    for name, rx in (
        ("range_dm", rf"\b(?:from|between)\s+(\d{{1,2}})\s+(?:to|and|until)\s+(\d{{1,2}})\s+({MONTH}){_Y}"),
        ("range_dash", rf"\b(\d{{1,2}})\s*[-\u2013]\s*(\d{{1,2}})\s+({MONTH}){_Y}"),
        ("week_up_to", rf"\bthe\s+week\s+(?:up\s+)?to\s+(\d{{1,2}})\s+({MONTH}){_Y}|\bthe\s+week\s+(?:up\s+)?to\s+({MONTH})\s+(\d{{1,2}}){_Y}"),
        ("dmy", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH}){_Y}\b"),
        ("mdy", rf"\b({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b{_Y}"),
        ("month_year", rf"\b(?:(early|mid|late|end\s+of)[\s-]+)?({MONTH})\s+(\d{{4}})\b"),
        ("since_month", rf"\bsince\s+(?:early\s+|mid-?|late\s+)?({MONTH})(?!\s+\d)"),
        ("end_of", r"\b(?:by|before|until)\s+the\s+end\s+of\s+(?:the\s+)?(month|year|week|" + MONTH + r")"),
        ("past_n", rf"\b(?:in|over|during)\s+the\s+(?:past|last|previous)\s+({_NUMWORD})\s+(days|weeks|hours|months)"),
        ("past_unit", r"\b(?:in|over|during)\s+the\s+(?:past|last|previous)\s+(day|week|month|24\s+hours|48\s+hours)"),
        ("during_week", r"\b(?:during|over|throughout)\s+the\s+week\b|\bthis\s+week\b"),
        ("weekday", rf"\b(on|since|from|by|last|late\s+on|early\s+on)\s+({_WD})\b"),
        ("overnight", r"\bovernight\b|\blast\s+night\b"),
        ("yesterday", r"\byesterday\b"),
        ("today", r"\btoday\b|\bby\s+morning\b"),
        ("same_day", r"\b(?:(?:on\s+)?the\s+same\s+day|(?:later|earlier)\s+that\s+day|that\s+same\s+day)\b"),
        ("next_day", r"\b(?:the\s+(?:next|following)\s+day|a\s+day\s+later)\b"),
        ("day_after", r"\ba\s+day\s+(?:after|before)\b"),
    )
)


@dataclass(frozen=True)
class DateMention:
    """A date expression in a sentence: its span, the interval it means and how it was read."""

    start: int
    end: int
    first: date
    last: date
    rule: str
    since: bool = False  # preceded by "since": a baseline
    explicit: bool = True  # an absolute date written in the text (not relative to publication)

    @property
    def interval(self) -> str:
        return self.first.isoformat() if self.first == self.last else f"{self.first.isoformat()}/{self.last.isoformat()}"


@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True})


@lru_cache(maxsize=4096)
def _parse(day: int, month: str, year: int) -> date | None:
    """The day an explicit date names (``month`` a full English name); None if there is no such day."""
    try:
        return date(year, _MONTH_NAMES[month.lower()], day)
    except (ValueError, KeyError):
        return None


def _dateparser_day(line: str) -> date | None:
    """A date in a labelled heading line in a form the patterns do not read, by dateparser."""
    m = _LABEL.match(line)
    if not m:
        return None
    rest = line[m.end():].strip(" :-\u2013\t")
    if not rest or len(rest) > 40 or not re.search(r"\d", rest):
        return None
    parsed = _parser().get_date_data(rest).date_obj
    return parsed.date() if parsed else None


def _month(name: str) -> int:
    return _MONTH_NAMES[name.lower().rstrip(".")]


def _year(month: int, day: int, published: date, anchor: date | None = None) -> int:
    """The year of a date written without one.

    Without an ``anchor`` (the latest absolute date the text wrote before this sentence, up to
    publication): the
    publication year, or the year before when that puts the date over half a year ahead.
    With one: the year that puts the date nearest the anchor ("On 23 December ... On 24
    December ... On 2 January" in an article published months later), never over half a
    year after publication.

    >>> _year(12, 24, date(2020, 7, 31)), _year(12, 24, date(2020, 7, 31), date(2019, 12, 20)), _year(1, 2, date(2020, 7, 31), date(2019, 12, 28))
    (2020, 2019, 2020)
    """
    if anchor is None:
        try:
            candidate = date(published.year, month, min(day, 28))
        except ValueError:
            return published.year
        return published.year - 1 if candidate > published + timedelta(days=183) else published.year
    limit = published + timedelta(days=183)
    years = [y for y in (anchor.year - 1, anchor.year, anchor.year + 1) if date(y, month, min(day, 28)) <= limit] or [published.year - 1]
    return min(years, key=lambda y: (abs((date(y, month, min(day, 28)) - anchor).days), -y))


def _dmy(day: int, month_name: str, year: str | None, published: date, anchor: date | None = None) -> date | None:
    month = _month(month_name)
    y = int(year) if year else _year(month, day, published, anchor)
    return _parse(day, calendar.month_name[month], y)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else int(_WORD_NUMBERS[word.lower()])


def last_weekday(name: str, published: date) -> date:
    """The latest day named ``name`` on or before ``published`` ("said on Tuesday").

    >>> last_weekday("Monday", date(2024, 4, 2))
    datetime.date(2024, 4, 1)
    """
    back = (published.weekday() - WEEKDAYS.index(name.lower())) % 7
    return published - timedelta(days=back)


def _month_interval(month: int, year: int, part: str | None = None) -> tuple[date, date]:
    last = calendar.monthrange(year, month)[1]
    lo, hi = {"early": (1, 10), "mid": (11, 20), "late": (21, last), "end of": (25, last)}.get(" ".join((part or "").lower().split()), (1, last))
    return date(year, month, lo), date(year, month, min(hi, last))


_WORDS_RX = re.compile(r"[a-z]+")
_MONTH_WORDS = frozenset(_MONTH_NAMES)
_WEEKDAY_WORDS = frozenset(WEEKDAYS)
# each pattern runs only on a sentence holding one of its words (a set look-up per sentence,
# instead of seventeen scans of every sentence); None: any month name
_NEEDS: dict[str, tuple[frozenset[str] | None, ...]] = {
    "range_dm": (None, frozenset({"from", "between"})), "range_dash": (None,), "week_up_to": (None, frozenset({"week"})),
    "dmy": (None,), "mdy": (None,), "month_year": (None,), "since_month": (None, frozenset({"since"})),
    "end_of": (frozenset({"end"}),), "past_n": (frozenset({"past", "last", "previous"}),),
    "past_unit": (frozenset({"past", "last", "previous"}),), "during_week": (frozenset({"week"}),),
    "weekday": (_WEEKDAY_WORDS,), "overnight": (frozenset({"overnight", "night"}),), "yesterday": (frozenset({"yesterday"}),),
    "today": (frozenset({"today", "morning"}),), "same_day": (frozenset({"day"}),), "next_day": (frozenset({"day"}),), "day_after": (frozenset({"day"}),),
}


# (rule, pattern, needs a month name, the words of which one is needed or None)
_GATED = tuple(
    (rule, rx, None in _NEEDS[rule], next((n for n in _NEEDS[rule] if n is not None), None)) for rule, rx in _PATTERNS
)


@lru_cache(maxsize=512)
def sentence_words(text: str) -> frozenset[str]:
    """The lowercase words of a sentence (shared by the rules that look up their trigger words)."""
    return frozenset(_WORDS_RX.findall(text.lower()))


def find_dates(text: str, published: date, previous: date | None = None, anchor: date | None = None) -> list[DateMention]:
    """Every date expression in ``text`` (one sentence), resolved; overlapping matches keep the first pattern."""
    return list(_find_dates(text, published, previous, anchor))


@lru_cache(maxsize=2048)
def _find_dates(text: str, published: date, previous: date | None, anchor: date | None = None) -> tuple[DateMention, ...]:
    words = sentence_words(text)
    month = not _MONTH_WORDS.isdisjoint(words)
    rules = [(rule, rx) for rule, rx, needs_month, need in _GATED if (month or not needs_month) and (need is None or not need.isdisjoint(words))]
    if not rules:
        return ()
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, first: date | None, last: date | None, rule: str, explicit: bool = True) -> None:
        if first is None or last is None or last < first:
            return
        s, e = m.span()
        if any(s < b and a < e for a, b in taken):
            return
        since = bool(re.search(r"\bsince\s+(?:the\s+)?$|\bsince\s+(?:the\s+)?(?:start|beginning|outbreak|launch)\s+of\s+[^,.;]{0,40}?\s+(?:on|in)\s+$|\bsince\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:began|started|erupted|escalated|intensified|broke\s+out|was\s+launched|resumed)\s+(?:on|in)\s+$", text[max(0, s - 70):s], re.I)) or text[s:e].lower().startswith("since")
        taken.append((s, e))
        found.append(DateMention(s, e, first, last, rule, since, explicit))

    for rule, rx in rules:
        for m in rx.finditer(text):
            g = m.groups()
            if rule in ("range_dm", "range_dash"):
                a, b = _dmy(int(g[0]), g[2], g[3], published, anchor), _dmy(int(g[1]), g[2], g[3], published, anchor)
                add(m, a, b, rule)
            elif rule == "week_up_to":
                d = _dmy(int(g[0]), g[1], g[2], published, anchor) if g[0] else _dmy(int(g[4]), g[3], g[5], published, anchor)
                add(m, d - timedelta(days=6) if d else None, d, rule)
            elif rule == "dmy":
                d = _dmy(int(g[0]), g[1], g[2], published, anchor)
                add(m, d, d, rule)
            elif rule == "mdy":
                if g[0].lower().rstrip(".") == "may" and not g[2] and m.start() > 0 and text[m.start() - 1:m.start()].isalpha():
                    continue
                d = _dmy(int(g[1]), g[0], g[2], published, anchor)
                add(m, d, d, rule)
            elif rule == "month_year":
                add(m, *_month_interval(_month(g[1]), int(g[2]), g[0]), rule)
            elif rule == "since_month":
                mo = _month(g[0])
                y = published.year if mo <= published.month else published.year - 1
                add(m, *_month_interval(mo, y), rule)
            elif rule == "end_of":
                unit = g[0].lower().rstrip(".")
                if unit == "month":
                    d = date(published.year, published.month, calendar.monthrange(published.year, published.month)[1])
                elif unit == "year":
                    d = date(published.year, 12, 31)
                elif unit == "week":
                    d = published + timedelta(days=6 - published.weekday())
                else:
                    mo = _month(unit)
                    y = published.year if mo >= published.month else published.year + 1
                    d = date(y, mo, calendar.monthrange(y, mo)[1])
                add(m, d, d, rule, explicit=False)
            elif rule == "past_n":
                n, unit = _count(g[0]), g[1].lower()
                days = {"days": n, "weeks": 7 * n, "hours": max(1, n // 24 + (n % 24 > 0)), "months": 30 * n}[unit]
                add(m, published - timedelta(days=days - 1 if unit != "hours" else days), published, rule, explicit=False)
            elif rule == "past_unit":
                unit = " ".join(g[0].lower().split())
                days = {"day": 1, "week": 7, "month": 30, "24 hours": 1, "48 hours": 2}[unit]
                add(m, published - timedelta(days=days if unit.endswith("hours") else days - 1), published, rule, explicit=False)
            elif rule == "during_week":
                add(m, published - timedelta(days=6), published, rule, explicit=False)
            elif rule == "weekday":
                d = last_weekday(g[1], published)
                if g[0].lower() == "since":
                    add(m, d, published, "since_weekday", explicit=False)
                else:
                    add(m, d, d, rule, explicit=False)
            elif rule == "overnight":
                add(m, published - timedelta(days=1), published, rule, explicit=False)
            elif rule == "yesterday":
                add(m, published - timedelta(days=1), published - timedelta(days=1), rule, explicit=False)
            elif rule == "today":
                add(m, published, published, rule, explicit=False)
            elif rule == "same_day" and previous is not None:
                add(m, previous, previous, rule, explicit=False)
            elif rule in ("next_day", "day_after") and previous is not None:
                step = 1 if rule == "next_day" else (-1 if "after" in m.group(0).lower() else 1)
                d = previous + timedelta(days=step)
                add(m, d, d, rule, explicit=False)
    found.sort(key=lambda d: d.start)
    return tuple(found)


_PUB = (
    re.compile(rf"\b(\d{{1,2}})\s*[-\u2013]\s*(\d{{1,2}})\s+({MONTH})\s+(\d{{4}})\b", re.I),
    re.compile(rf"\b(\d{{1,2}})\s+({MONTH})\s+(\d{{4}})\b", re.I),
    re.compile(rf"\b({MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I),
)


def _date_in(line: str) -> date | None:
    best: tuple[int, date] | None = None
    for k, rx in enumerate(_PUB):
        m = rx.search(line)
        if not m:
            continue
        g = m.groups()
        if k == 0:
            d = _parse(int(g[1]), calendar.month_name[_month(g[2])], int(g[3]))
        elif k == 1:
            d = _parse(int(g[0]), calendar.month_name[_month(g[1])], int(g[2]))
        else:
            d = _parse(int(g[1]), calendar.month_name[_month(g[0])], int(g[2]))
        if d and (best is None or m.start() < best[0]):
            best = (m.start(), d)
    return best[1] if best else None


_DATELINE = re.compile(r"^[A-Z][A-Z .'\u2019-]+,\s*(?=\S)")
_LABEL = re.compile(r"^\s*(?:published|date|updated|issued|posted|reporting\s+period)\b", re.I)


def publication_date(text: str, head_lines: int = 5) -> tuple[date, str] | None:
    """The publication date written at the top of a document, with the line it came from.

    Only a heading line (short), a dateline ("BARAKEL, April 2, 2024 - ...") or a labelled
    line ("Published 9 February 2022") among the first ``head_lines`` lines counts: a date
    in the opening paragraph's prose is an event date, not the publication date.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:head_lines]
    for line in lines:
        if len(line) <= 100 or _LABEL.match(line):
            d = _date_in(line) or _dateparser_day(line)
        elif _DATELINE.match(line):
            d = _date_in(line[:60])
        else:
            d = None
        if d is not None:
            return d, line
    return None
