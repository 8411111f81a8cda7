"""Small parsers used by the claim build: dates, numbers in quotes, quote spans."""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import date

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_PART = {
    "early": (1, 10),
    "mid": (11, 20),
    "late": (21, 31),
    "end of": (25, 31),
}
_VAGUE = re.compile(
    r"^(?:(?P<part>early|mid|late|end of)[\s-]+)?(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$", re.I
)


def parse_date(text: str) -> date:
    """Parse an ISO date ``YYYY-MM-DD``; raise ValueError otherwise."""
    s = str(text).strip()
    try:
        return date.fromisoformat(s)
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):  # the right shape, an impossible day (2020-02-30)
            raise ValueError(f"{text!r} is not a calendar date ({exc})") from exc
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def parse_interval(text: str) -> tuple[date, date]:
    """Parse a date expression into an inclusive interval.

    Accepts ``2020-02-10``, ``2020-02-13/2020-02-16``, ``February 2020``,
    ``early|mid|late March 2020`` (days 1-10, 11-20, 21-end) and
    ``end of February 2020`` (days 25-end).

    >>> parse_interval("late February 2020")
    (datetime.date(2020, 2, 21), datetime.date(2020, 2, 29))
    >>> parse_interval("2020-02-13/2020-02-16")
    (datetime.date(2020, 2, 13), datetime.date(2020, 2, 16))
    """
    s = str(text).strip()
    if "/" in s:
        a, b = s.split("/", 1)
        start, end = parse_date(a), parse_date(b)
    elif re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        start = end = parse_date(s)
    else:
        m = _VAGUE.match(s)
        if not m or m["month"].lower() not in _MONTHS:
            raise ValueError(
                f"unparseable date {text!r}: use YYYY-MM-DD, A/B, 'Month YYYY' or "
                "'early|mid|late|end of Month YYYY'"
            )
        year, month = int(m["year"]), _MONTHS[m["month"].lower()]
        last = calendar.monthrange(year, month)[1]
        lo, hi = _PART.get((m["part"] or "").lower(), (1, last))
        start, end = date(year, month, lo), date(year, month, min(hi, last))
    if end < start:
        raise ValueError(f"interval {text!r} ends before it starts")
    return start, end


def days_inclusive(start: date, end: date) -> int:
    return (end - start).days + 1


# -- numbers ----------------------------------------------------------------------
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "half": 0.5, "single": 1, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5,
}
_SCALE = {"million": 1e6, "thousand": 1e3, "billion": 1e9}
_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(million|thousand|billion))?", re.I)
_WORD = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b(?:\s+(million|thousand))?", re.I)


def _key(word: str) -> str:
    """A matched word as its table key. Case-insensitive matching also takes letters whose lower
    case is not ASCII (Turkish "İ", the long "ſ", the Kelvin sign): fold them to ASCII first."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text``, as digits or as words, with scales applied.

    >>> sorted(numbers_in("142,000 people in the past five days, 1.5 million, 55 to 70"))
    [1.5, 5.0, 55.0, 70.0, 142000.0, 1500000.0]
    >>> sorted(numbers_in("1.5 mİllion"))
    [1.5, 1500000.0]
    """
    found: set[float] = set()
    for m in _NUM.finditer(text):
        v = float(m.group(1).replace(",", ""))
        found.add(v)
        if m.group(2) and _key(m.group(2)) in _SCALE:
            found.add(v * _SCALE[_key(m.group(2))])
    for m in re.finditer(r"\bhalf a (million|thousand)\b", text, re.I):
        if _key(m.group(1)) in _SCALE:
            found.add(0.5 * _SCALE[_key(m.group(1))])
    for m in _WORD.finditer(text):
        if _key(m.group(1)) not in _WORD_NUMBERS:
            continue
        v = float(_WORD_NUMBERS[_key(m.group(1))])
        found.add(v)
        if m.group(2) and _key(m.group(2)) in _SCALE:
            found.add(v * _SCALE[_key(m.group(2))])
    return found


# -- quote spans ----------------------------------------------------------------
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Fold typographic quotes and dashes to ASCII, one character for one (spans survive)."""
    return text.translate(_FOLD)


@functools.lru_cache(maxsize=4)
def _folded(document: str) -> str:
    """``fold`` of a document, kept for the next quote: folding is linear in the document, and a build
    looks up every quote of a document in it (a 50 MB document with 500 quotes was folded 500 times)."""
    return fold(document)


def find_spans(document: str, quote: str) -> list[tuple[int, int]]:
    """All (start, end) spans where ``quote`` occurs in ``document`` (typography folded)."""
    doc, q = _folded(document), fold(quote)
    spans, start = [], doc.find(q)
    while start != -1 and q:
        spans.append((start, start + len(q)))
        start = doc.find(q, start + 1)
    return spans


def normalise_name(name: str) -> str:
    """Key for matching place names across transliterations.

    Folds case and accents, drops apostrophes and ayn marks, treats hyphens as spaces.

    >>> normalise_name("Ma’arrat al-Nu'man") == normalise_name("Ma'arrat Al-Nu’man")
    True
    """
    s = unicodedata.normalize("NFKD", fold(name))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"['`\u02bf\u02be\u2018\u2019]", "", s.casefold())
    s = re.sub(r"[-\s]+", " ", s)
    return s.strip()
