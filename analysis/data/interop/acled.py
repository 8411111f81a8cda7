"""Read an ACLED export (CSV) into checked records, naming file, row and field on error.

Documented columns (ACLED codebook): event_id_cnty, event_date, time_precision,
event_type, sub_event_type, actor1, actor2, admin1, admin2, admin3, location,
latitude, longitude, geo_precision, source, notes, fatalities; optional: iso,
timestamp. Rows are numbered as a spreadsheet shows them (header = row 1).
Each record keeps the character span of its ``notes`` as written in the file
text (``quote_at`` undoes CSV's doubled quotes), so the note is a verbatim
quote of the source document.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import InputError

REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
            "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source", "notes",
            "fatalities")
OPTIONAL = ("iso", "timestamp")
TERRITORY_SUB_EVENTS = ("Government regains territory", "Non-state actor overtakes territory")


class AcledError(InputError):
    """A bad ACLED file: the message names the file, row and field."""


@dataclass(frozen=True)
class AcledRow:
    row: int
    event_id_cnty: str
    event_date: dt.date
    time_precision: int
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    admin1: str
    admin2: str
    admin3: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    source: str
    notes: str
    notes_span: tuple[int, int]
    fatalities: int
    timestamp: int | None

    @property
    def is_territory(self) -> bool:
        return self.sub_event_type in TERRITORY_SUB_EVENTS


@dataclass(frozen=True)
class AcledFile:
    path: str
    sha256: str
    rows: tuple[AcledRow, ...]


def _date(v: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(v.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a date (YYYY-MM-DD or '12 March 2020'): {v!r}")


def _code(lo: int, hi: int):
    def parse(v: str) -> int:
        n = int(v)
        if not lo <= n <= hi:
            raise ValueError(f"{n} outside {lo}-{hi}")
        return n
    return parse


def _lat(v: str) -> float:
    x = float(v)
    if not -90 <= x <= 90:
        raise ValueError(f"latitude {x} outside -90..90")
    return x


def _lon(v: str) -> float:
    x = float(v)
    if not -180 <= x <= 180:
        raise ValueError(f"longitude {x} outside -180..180")
    return x


def _nonneg(v: str) -> int:
    n = int(v)
    if n < 0:
        raise ValueError(f"negative count {n}")
    return n


PARSERS = {"event_date": _date, "time_precision": _code(1, 3), "geo_precision": _code(1, 3),
           "latitude": _lat, "longitude": _lon, "fatalities": _nonneg}


def parse_acled(text: str, *, name: str = "<acled>", sha256: str | None = None) -> AcledFile:
    """Parse ACLED CSV text; raise AcledError naming ``name``, row and field."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise AcledError(f"{name}: missing ACLED column(s) {', '.join(missing)}")
    rows, seen, cursor = [], {}, 0
    for i, rec in enumerate(reader, start=2):
        vals = {}
        for col in REQUIRED:
            raw = rec.get(col)
            if raw is None:
                raise AcledError(f"{name}, row {i}: short row, no value for {col}")
            try:
                vals[col] = PARSERS[col](raw) if col in PARSERS else raw.strip()
            except ValueError as exc:
                raise AcledError(f"{name}, row {i}, field {col}: {exc}") from None
        if not vals["event_id_cnty"]:
            raise AcledError(f"{name}, row {i}, field event_id_cnty: empty")
        if vals["event_id_cnty"] in seen:
            raise AcledError(f"{name}, row {i}, field event_id_cnty: {vals['event_id_cnty']!r} repeats row {seen[vals['event_id_cnty']]}")
        seen[vals["event_id_cnty"]] = i
        ts = (rec.get("timestamp") or "").strip()
        try:
            stamp = int(ts) if ts else None
        except ValueError:
            raise AcledError(f"{name}, row {i}, field timestamp: not a Unix time: {ts!r}") from None
        note = rec["notes"]
        written = note.replace('"', '""')  # how CSV writes a quote inside a quoted field
        start = text.find(written, cursor) if note else -1
        if note and start < 0:
            raise AcledError(f"{name}, row {i}, field notes: cannot be found verbatim in the file (quoted escapes?)")
        span = (start, start + len(written)) if note else (cursor, cursor)
        cursor = span[1]
        vals["notes"] = note
        rows.append(AcledRow(row=i, notes_span=span, timestamp=stamp, **vals))
    return AcledFile(path=name, sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(), rows=tuple(rows))


def quote_at(text: str, span: tuple[int, int]) -> str:
    """The note as the reader sees it, from its span in the file text (CSV quote escapes undone).

    >>> quote_at('say ""hi""', (0, 10))
    'say "hi"'
    """
    return text[span[0]:span[1]].replace('""', '"')


def read_acled(path: str | Path) -> AcledFile:
    """Read an ACLED export from disk (UTF-8)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AcledError(f"{p.name}: cannot read: {exc}") from None
    return parse_acled(text, name=p.name, sha256=hashlib.sha256(raw).hexdigest())
