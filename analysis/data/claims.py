"""Turn reviewed annotations (``seeds/claims/<doc_id>.yaml``) into tidy claim rows.

Each annotation names a verbatim quote. The build finds the quote's span in its
document, checks the value's digits against the quote, resolves dates and the
info date, and links places to the gazetteer. Every failure raises
:class:`~analysis.core.errors.InputError` naming the file, line and field.

``info_date`` rule (also in the README):
  * documents with ``info_date_rule: publication`` (news, analyst reports): the
    document's publication date; an annotation may not override it;
  * ``cited_report`` (the retrospective encyclopedia article): the date of the
    report the article cites -- the annotation's ``info_date`` where given,
    otherwise the last day the claim refers to (``date_end``), because the
    article dates each report by the day it describes ("By 10 February 2020,
    the number ... had reached 689,000" is known on 10 February).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.io import LineDict, check_keys, read_yaml
from . import vocab
from .catalog import Document
from .gazetteer import Gazetteer
from .interop import codes
from .parsing import days_inclusive, find_spans, numbers_in, parse_date, parse_interval
from .tables import CLAIM_TABLES

_COMMON = {"id", "quote", "occurrence", "date", "date_note", "info_date"}


@dataclass(frozen=True)
class _Ctx:
    file: Path
    line: int | None
    claim_id: str

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(f"{self.claim_id}: {message}", file=self.file, line=self.line, field=field)


def _span(doc: Document, entry: dict, ctx: _Ctx) -> tuple[str, int, int]:
    quote = entry.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise ctx.error("missing or empty", "quote")
    spans = find_spans(doc.text, quote)
    if not spans:
        raise ctx.error(f"quote not found in document {doc.file_name}: {quote[:80]!r}", "quote")
    occ = entry.get("occurrence")
    if occ is None:
        if len(spans) > 1:
            raise ctx.error(f"quote occurs {len(spans)} times; add 'occurrence: N'", "quote")
        start, end = spans[0]
    else:
        if not isinstance(occ, int) or not 1 <= occ <= len(spans):
            raise ctx.error(f"occurrence must be 1..{len(spans)}", "occurrence")
        start, end = spans[occ - 1]
    return doc.text[start:end], start, end


def _when(doc: Document, entry: dict, ctx: _Ctx, known_after: str = "date_end") -> dict[str, Any]:
    """Resolve the date interval and info_date; info_date may not precede ``known_after``."""
    if "date" not in entry:
        raise ctx.error("missing", "date")
    try:
        start, end = parse_interval(entry["date"])
    except ValueError as exc:
        raise ctx.error(str(exc), "date") from exc
    if start < doc.coverage_start or end > doc.coverage_end:
        raise ctx.error(
            f"date {entry['date']!r} is outside the document's coverage "
            f"{doc.coverage_start}..{doc.coverage_end} (see the catalog)",
            "date",
        )
    if doc.info_date_rule == "publication":
        if "info_date" in entry:
            raise ctx.error("info_date is the publication date for this document; remove it", "info_date")
        info = doc.published_date
    else:
        try:
            info = parse_date(entry["info_date"]) if "info_date" in entry else end
        except ValueError as exc:
            raise ctx.error(str(exc), "info_date") from exc
    if info < (end if known_after == "date_end" else start):
        raise ctx.error(f"info_date {info} is before the claim's {known_after} {end if known_after == 'date_end' else start}", "info_date")
    return {
        "date_start": start,
        "date_end": end,
        "date_precision": (prec := vocab.precision_for_days(days_inclusive(start, end))),
        "time_precision": codes.time_precision(prec),
        "date_prec": codes.date_prec(prec),
        "date_note": entry.get("date_note"),
        "info_date": info,
    }


def _choice(entry: dict, key: str, allowed: tuple[str, ...], ctx: _Ctx, default: str | None = None) -> str | None:
    value = entry.get(key, default)
    if value is None:
        return None
    if value not in allowed:
        raise ctx.error(f"unknown value {value!r}; expected one of {list(allowed)}", key)
    return value


def _check_keys(entry: dict, table: str, ctx: _Ctx) -> None:
    check_keys(entry, _PARSERS[table].keys, error=ctx.error)


def _observation(doc: Document, entry: dict, ctx: _Ctx) -> dict:
    quote, start, end = _span(doc, entry, ctx)
    when = _when(doc, entry, ctx)
    variable = _choice(entry, "variable", vocab.VARIABLE_NAMES, ctx)
    if variable is None:
        raise ctx.error("missing", "variable")
    var = next(v for v in vocab.VARIABLES if v.name == variable)
    kind = _choice(entry, "kind", vocab.OBSERVATION_KINDS, ctx)
    if kind not in var.kinds:
        raise ctx.error(f"kind {kind!r} not allowed for {variable}; expected one of {list(var.kinds)}", "kind")
    raw = entry.get("value")
    if isinstance(raw, list):
        if len(raw) != 2 or not all(isinstance(v, int | float) for v in raw) or raw[0] > raw[1]:
            raise ctx.error("a range must be [low, high] with low <= high", "value")
        low, high = float(raw[0]), float(raw[1])
        value = (low + high) / 2
        qualifier = entry.get("qualifier", "range")
        figures = [low, high]
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value, low, high = float(raw), None, None
        qualifier = entry.get("qualifier", "exact")
        figures = [value]
    else:
        raise ctx.error("must be a number or [low, high]", "value")
    if value < 0:
        raise ctx.error("must not be negative", "value")
    if not isinstance(qualifier, str) or qualifier not in vocab.QUALIFIERS:
        raise ctx.error(f"unknown qualifier {qualifier!r}; expected one of {list(vocab.QUALIFIERS)}", "qualifier")
    written = numbers_in(quote)
    for fig in figures:
        if fig not in written:
            raise ctx.error(f"value {fig:g} is not written in the quote (found {sorted(written)})", "value")
    baseline = entry.get("baseline_date")
    if baseline is not None:
        try:
            baseline = parse_date(baseline)
        except ValueError as exc:
            raise ctx.error(str(exc), "baseline_date") from exc
        if kind != "stock":
            raise ctx.error("baseline_date applies to stocks only", "baseline_date")
        if baseline > when["date_end"]:
            raise ctx.error("baseline is after the date it counts to", "baseline_date")
    basis = _choice(entry, "baseline_basis", ("stated", "context"), ctx)
    if (baseline is None) != (basis is None):
        raise ctx.error("baseline_date and baseline_basis go together", "baseline_basis")
    for key in ("area", "source"):
        if not entry.get(key):
            raise ctx.error("missing", key)
    return {
        "claim_id": ctx.claim_id,
        "doc_id": doc.doc_id,
        "quote": quote,
        "char_start": start,
        "char_end": end,
        "variable": variable,
        "unit": var.unit,
        "kind": kind,
        "value": value,
        "value_low": low,
        "value_high": high,
        "qualifier": qualifier,
        "qualifier_class": vocab.QUALIFIERS[qualifier],
        **when,
        "baseline_date": baseline,
        "baseline_basis": basis,
        "area": entry["area"],
        "group": entry.get("group"),
        "source": entry["source"],
        "side": _choice(entry, "side", vocab.SIDES, ctx),
    }


def _control_events(doc: Document, entry: dict, ctx: _Ctx, gaz: Gazetteer) -> list[dict]:
    quote, start, end = _span(doc, entry, ctx)
    when = _when(doc, entry, ctx)
    event_type = _choice(entry, "event_type", vocab.EVENT_TYPES, ctx)
    to_side = _choice(entry, "to_side", vocab.CONTROL_SIDES, ctx)
    if event_type is None or to_side is None:
        raise ctx.error("missing", "event_type" if event_type is None else "to_side")
    places = entry.get("places")
    if not isinstance(places, list) or not places:
        raise ctx.error("must be a non-empty list of place names as written in the quote", "places")
    rows = []
    for k, item in enumerate(places, start=1):
        # A place is a name as written in the quote, or {place: NAME, written: TEXT}
        # when the quote refers to it indirectly ("the city", "the same areas").
        if isinstance(item, dict):
            if set(item) != {"place", "written"}:
                raise ctx.error("a place mapping needs exactly 'place' and 'written'", "places")
            lookup, name = str(item["place"]), str(item["written"])
        else:
            lookup = name = str(item)
        if not find_spans(quote, name):
            raise ctx.error(f"place {name!r} is not written in the quote", "places")
        pid = gaz.resolve(lookup)
        if pid is None:
            raise ctx.error(f"unknown place {lookup!r}: add it (or an alias) to the gazetteer", "places")
        geo = gaz.by_id.loc[pid]
        rows.append(
            {
                "event_id": f"{ctx.claim_id}.{k}",
                "claim_id": ctx.claim_id,
                "doc_id": doc.doc_id,
                "quote": quote,
                "char_start": start,
                "char_end": end,
                **when,
                "place_name": name,
                "place_id": pid,
                "event_type": event_type,
                "to_side": to_side,
                "actor": entry.get("actor"),
                "claimed_by": entry.get("claimed_by"),
                "admin1_pcode": geo["admin1_pcode"],
                "admin2_pcode": geo["admin2_pcode"],
                "admin3_pcode": geo["admin3_pcode"],
                "latitude": geo["latitude"],
                "longitude": geo["longitude"],
                "geo_precision": geo["geo_precision"],
            }
        )
    return rows


def _milestone(doc: Document, entry: dict, ctx: _Ctx) -> dict:
    quote, start, end = _span(doc, entry, ctx)
    when = _when(doc, entry, ctx, known_after="date_start")
    mtype = _choice(entry, "milestone_type", vocab.MILESTONE_TYPES, ctx)
    if mtype is None:
        raise ctx.error("missing", "milestone_type")
    if not entry.get("label"):
        raise ctx.error("missing", "label")
    return {
        "milestone_id": ctx.claim_id,
        "doc_id": doc.doc_id,
        "quote": quote,
        "char_start": start,
        "char_end": end,
        **when,
        "milestone_type": mtype,
        "label": entry["label"],
        "actor": entry.get("actor"),
        "claimed_by": entry.get("claimed_by"),
    }


def _check_rejected(entries: Any, doc: Document, path: Path) -> None:
    """``rejected:`` lists what a reviewer read and chose not to record: each a verbatim
    quote and a one-line reason. It is checked like a claim's quote and yields no rows."""
    if not isinstance(entries, list):
        raise InputError("must be a list", file=path, field="rejected")
    for k, entry in enumerate(entries, start=1):
        line = entry.line if isinstance(entry, LineDict) else None
        ctx = _Ctx(path, line, f"{doc.doc_id}:rejected[{k}]")
        if not isinstance(entry, dict) or set(entry) - {"quote", "occurrence", "reason"}:
            raise ctx.error("a rejection is a mapping of 'quote', 'reason' (and 'occurrence')", "rejected")
        if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            raise ctx.error("missing or empty", "reason")
        _span(doc, entry, ctx)


@dataclass(frozen=True)
class _Parser:
    """How one claim table is read from an annotation file: the keys an entry may have, and its rows."""

    keys: frozenset[str]
    rows: Callable[[Document, dict, _Ctx, Gazetteer], list[dict]]


# One parser per claim table of analysis.data.tables (checked below): a new claim table is
# its declaration there plus its parser here.
_PARSERS: dict[str, _Parser] = {
    "observations": _Parser(
        frozenset(_COMMON | {"variable", "kind", "value", "qualifier", "baseline_date", "baseline_basis", "area", "group", "source", "side"}),
        lambda doc, entry, ctx, gaz: [_observation(doc, entry, ctx)],
    ),
    "control_events": _Parser(
        frozenset(_COMMON | {"places", "event_type", "to_side", "actor", "claimed_by"}), _control_events,
    ),
    "milestones": _Parser(
        frozenset(_COMMON | {"milestone_type", "label", "actor", "claimed_by"}),
        lambda doc, entry, ctx, gaz: [_milestone(doc, entry, ctx)],
    ),
}
if list(_PARSERS) != [t.name for t in CLAIM_TABLES]:
    raise ImportError(f"claim parsers {list(_PARSERS)} do not match the claim tables {[t.name for t in CLAIM_TABLES]}")


def parse_claims(path: Path, docs: dict[str, Document], gaz: Gazetteer) -> dict[str, list[dict]]:
    """Rows for every claim table from one annotation file."""
    data = read_yaml(path)
    if not isinstance(data, dict) or "doc_id" not in data:
        raise InputError("expected a mapping with 'doc_id' and claim lists", file=path)
    check_keys(data, {"doc_id", "rejected", *_PARSERS}, file=path)
    doc_id = str(data["doc_id"])
    if doc_id not in docs:
        raise InputError(f"unknown document {doc_id!r}: not in the catalog", file=path, field="doc_id")
    if not set(data) & {"rejected", *_PARSERS}:
        # A file cut short after its first line would otherwise drop the document's claims without a word.
        raise InputError(
            f"no claim lists: give at least one of {[*_PARSERS, 'rejected']} (an empty list, e.g. 'milestones: []', "
            "says the document has none of that kind)",
            file=path, field="doc_id",
        )
    doc = docs[doc_id]
    out: dict[str, list[dict]] = {t: [] for t in _PARSERS}
    seen: set[str] = set()
    _check_rejected(data.get("rejected") or [], doc, path)
    for table, parser in _PARSERS.items():
        entries = data.get(table) or []
        if not isinstance(entries, list):
            raise InputError("must be a list", file=path, field=table)
        for entry in entries:
            line = entry.line if isinstance(entry, LineDict) else None
            if not isinstance(entry, dict) or not entry.get("id"):
                raise InputError("each claim must be a mapping with an 'id'", file=path, line=line, field="id")
            claim_id = f"{doc_id}:{entry['id']}"
            ctx = _Ctx(path, line, claim_id)
            if claim_id in seen:
                raise ctx.error("duplicate claim id", "id")
            seen.add(claim_id)
            _check_keys(entry, table, ctx)
            out[table].extend(parser.rows(doc, entry, ctx, gaz))
    return out

