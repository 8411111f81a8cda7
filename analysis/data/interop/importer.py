"""``idlib import acled FILE.csv``: an ACLED export becomes a source document of the seeds folder.

What the import writes (into a staging copy first; only when the dataset builds
there are the files written into ``seeds/``, each atomically):

* ``documents/<doc_id>.csv``: the export, byte for byte (its SHA-256 in the catalog);
* a catalog entry: ``kind: event_dataset``, ``published_date`` = the export date,
  ``info_date_rule: cited_report`` (each claim carries its own ``info_date``: the
  date of the row's ``timestamp`` where given, the export date otherwise);
* ``claims/<doc_id>.yaml``, one claim per row that says something the dataset holds:

  - a territory sub-event type becomes a control event. "Government regains
    territory" is ``recaptured`` with ``to_side: government``; "Non-state actor
    overtakes territory" is ``captured`` with ``to_side: opposition`` (its
    ``actor1`` must not be a state force, see :data:`STATE_FORCES`). The quote is
    the row's ``notes`` where they name the location, otherwise the row's text from
    the ``location`` field to the end of the ``notes`` field;
  - ``fatalities > 0`` becomes a ``killed`` flow observation for the event's
    actors (group ``"actor1 / actor2"``); its quote runs from the ``notes`` to the
    ``fatalities`` field, so the figure is written in it. Rows with no reported
    fatalities and no territory change add no claim;
* gazetteer entries for locations the gazetteer does not know. A new place links to
  the OCHA sub-district it names (the usual rule, P-codes and centroid); where
  several sub-districts carry the name, the one nearest ACLED's coordinates is pinned.

Dates follow ACLED's ``time_precision``: 1 = the day; 2 = the week around it
(day - 3 to day + 3); 3 = the calendar month; an interval is cut at the row's
information date (nothing is known before it happens).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from ...core import paths
from ...core.errors import InputError
from ...core.io import atomic_path, read_yaml, write_text
from ..parsing import find_spans, normalise_name
from .acled import AcledError, AcledRow, parse_acled

# ACLED actor names of state forces and their allies (prefixes); they cannot be the
# non-state actor of "Non-state actor overtakes territory".
STATE_FORCES = ("Military Forces of Syria", "Police Forces of Syria", "NDF: National Defence Forces",
                "Military Forces of Russia", "Military Forces of Iran", "Hezbollah", "Military Forces of Turkey")
_FIELD_END = re.compile(r"[^,\r\n]*")


def field_spans(text: str, start: int = 0) -> list[list[tuple[int, int]]]:
    r"""Character spans of every field of every record of CSV ``text`` (RFC 4180).

    A quoted field's span excludes its outer quotes (doubled quotes inside stay as
    written). Blank lines are skipped, as :class:`csv.DictReader` does.

    >>> field_spans('a,"b ""c"" d"\n1,2\n')
    [[(0, 1), (3, 12)], [(14, 15), (16, 17)]]
    """
    records, fields, i, n = [], [], start, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise ValueError(f"unclosed quote from character {i}")
                if text.startswith('""', k):
                    j = k + 2
                    continue
                break
            fields.append((i + 1, k))
            i = k + 1
        else:
            s, i = i, _FIELD_END.match(text, i).end()
            fields.append((s, i))
        if i >= n:
            break
        c = text[i]
        if c == ",":
            i += 1
            if i == n:
                fields.append((n, n))
            continue
        if c not in "\r\n":
            raise ValueError(f"unexpected {c!r} after a quoted field at character {i}")
        i += 2 if text.startswith("\r\n", i) else 1
        if not (len(fields) == 1 and fields[0][0] == fields[0][1]):
            records.append(fields)
        fields = []
    if fields and not (len(fields) == 1 and fields[0][0] == fields[0][1]):
        records.append(fields)
    return records



def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "acled"


def _interval(row: AcledRow, info: dt.date) -> tuple[dt.date, dt.date]:
    d = row.event_date
    if row.time_precision == 1:
        start, end = d, d
    elif row.time_precision == 2:
        start, end = d - dt.timedelta(days=3), d + dt.timedelta(days=3)
    else:
        start = d.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, min(end, info)


def _date_text(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"


def _occurrence(text: str, quote: str, start: int) -> int | None:
    spans = find_spans(text, quote)
    if len(spans) <= 1:
        return None
    return next(k for k, (s, _) in enumerate(spans, start=1) if s == start)


def _new_place(row: AcledRow, taken: set[str], subs: dict[str, list[dict]]) -> dict:
    pid = base = _slug(row.location).replace("_", "-")
    k = 1
    while pid in taken:  # another place has the id: base-acled, base-acled-2, ...
        pid = f"{base}-acled" + (f"-{k}" if k > 1 else "")
        k += 1
    place = {"id": pid, "name": row.location, "feature": "settlement"}
    cands = {r["id"]: r for r in subs.get(normalise_name(row.location), [])}
    if len(cands) > 1:  # the coordinates decide between sub-districts of one name
        nearest = min(cands.values(), key=lambda r: math.dist((r["centroid"]["latitude"], r["centroid"]["longitude"]), (row.latitude, row.longitude)))
        place["subdistrict"] = nearest["externalIds"]["ochaPcode"]
    return place


def _append_yaml_list(path: Path, key: str, items: list[dict]) -> str:
    """The file's text with ``items`` appended to its top-level list ``key`` (comments kept)."""
    current = path.read_text(encoding="utf-8") if path.is_file() else f"{key}:\n"
    if not (yaml.safe_load(current) or {}).get(key):  # an empty list written as `key: []` (or nothing)
        current = re.sub(rf"^{key}:.*$", f"{key}:", current, flags=re.M) if re.search(rf"^{key}:", current, re.M) else current + f"\n{key}:\n"
    block = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=1000)
    indented = "".join(f"  {ln}\n" if ln else "\n" for ln in block.rstrip("\n").split("\n"))
    return current.rstrip("\n") + "\n" + indented


def plan_import(raw: bytes, name: str, seeds: Path, *, doc_id: str | None = None, exported: dt.date | None = None,
                title: str | None = None) -> dict:
    """What importing the ACLED export ``raw`` (the file's bytes, named ``name``) writes into ``seeds``.

    Parameters
    ----------
    raw : bytes
        The export as read from disk.
    name : str
        The file's name (used in errors and as ``original_name``).
    seeds : Path
        The seeds folder to add to.
    doc_id : str, optional
        The document id (default: ``acled_`` and the file's stem).
    exported : date, optional
        The export date (default: the day of the latest row ``timestamp``).
    title : str, optional
        The catalog title.

    Returns
    -------
    dict
        ``doc_id``, ``writes`` (path -> bytes or text) and counts of the claims and new places.
    """
    from ..case import load_case
    from ..gazetteer import _subdistricts, load_gazetteer

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AcledError(f"{name}: not UTF-8 text at byte {exc.start}; save the file as UTF-8") from None
    body = 1 if text.startswith("\ufeff") else 0
    parsed = parse_acled(text[body:], name=name, sha256=hashlib.sha256(raw).hexdigest())
    if not parsed.rows:
        raise AcledError(f"{name}: no rows")
    try:
        spans = field_spans(text, body)
    except ValueError as exc:
        raise AcledError(f"{name}: {exc}") from None
    header = [text[s:e] for s, e in spans[0]]
    if len(spans) != len(parsed.rows) + 1:
        raise AcledError(f"{name}: {len(spans) - 1} records by character scan, {len(parsed.rows)} rows by the CSV reader")
    col = {c: header.index(c) for c in ("location", "notes", "fatalities")}
    stamps = [r.timestamp for r in parsed.rows if r.timestamp is not None]
    if exported is None:
        if not stamps:
            raise AcledError(f"{name}: no row has a timestamp; give the export date (--exported YYYY-MM-DD)")
        exported = dt.datetime.fromtimestamp(max(stamps), dt.UTC).date()
    doc_id = doc_id or f"acled_{_slug(Path(name).stem)}"
    case = load_case(seeds / "case.yaml")
    gaz = load_gazetteer(paths.gazetteer_file(seeds), paths.geo_dir(seeds), case.admin1_pcodes)
    subs = _subdistricts(paths.geo_dir(seeds), case.admin1_pcodes)
    catalog = read_yaml(paths.catalog_file(seeds)) or {}
    for old in catalog.get("documents") or []:
        if old.get("sha256") == parsed.sha256 or old.get("doc_id") == doc_id:
            raise AcledError(f"{name}: already in the catalog as {old.get('doc_id')!r} (same file or same doc_id; --doc-id names another)")
    new_places: dict[str, dict] = {}
    taken = set(gaz.table["place_id"])
    control, observations, starts, ends = [], [], [], []
    for row, fields in zip(parsed.rows, spans[1:], strict=True):
        info = dt.datetime.fromtimestamp(row.timestamp, dt.UTC).date() if row.timestamp is not None else exported
        if info > exported:
            raise AcledError(f"{name}, row {row.row}, field timestamp: {info} is after the export date {exported}")
        if info < row.event_date:
            raise AcledError(f"{name}, row {row.row}, field timestamp: {info} is before the event date {row.event_date}")
        start, end = _interval(row, info)
        starts.append(start)
        ends.append(end)
        when = {"date": _date_text(start, end), "date_note": f"ACLED event_date {row.event_date}, time_precision {row.time_precision}",
                "info_date": info.isoformat()}
        n_s, n_e = fields[col["notes"]]
        if row.is_territory:
            if not row.notes:
                raise AcledError(f"{name}, row {row.row}, field notes: empty; a control event needs the notes as its quote")
            if gaz.resolve(row.location) is None and normalise_name(row.location) not in new_places:
                place = _new_place(row, taken, subs)
                taken.add(place["id"])
                new_places[normalise_name(row.location)] = place
            quote_start = n_s if find_spans(text[n_s:n_e], row.location) else min(n_s, fields[col["location"]][0])
            quote = text[quote_start:max(n_e, fields[col["location"]][1])]
            gov = row.sub_event_type == "Government regains territory"
            if not gov and row.actor1.startswith(STATE_FORCES):
                raise AcledError(f"{name}, row {row.row}, field actor1: {row.actor1!r} is a state force, not the non-state actor of {row.sub_event_type!r}")
            entry = {"id": row.event_id_cnty, **when, "event_type": "recaptured" if gov else "captured",
                     "to_side": "government" if gov else "opposition", "actor": row.actor1, "claimed_by": row.source,
                     "quote": quote, "places": [row.location]}
            occ = _occurrence(text, quote, quote_start)
            if occ:
                entry["occurrence"] = occ
            control.append(entry)
        if row.fatalities > 0:
            f_s, f_e = fields[col["fatalities"]]
            q_s, q_e = min(n_s, f_s), max(n_e, f_e)
            quote = text[q_s:q_e]
            entry = {"id": f"{row.event_id_cnty}-fatalities", **when, "variable": "killed", "kind": "flow",
                     "value": row.fatalities, "area": row.location, "group": f"{row.actor1} / {row.actor2}" if row.actor2 else row.actor1,
                     "source": row.source or "ACLED", "quote": quote}
            occ = _occurrence(text, quote, q_s)
            if occ:
                entry["occurrence"] = occ
            observations.append(entry)
    file_name = f"{doc_id}.csv"
    entry = {"doc_id": doc_id, "file_name": file_name, "original_name": name,
             "title": title or f"ACLED export {name}", "publisher": "ACLED (Armed Conflict Location & Event Data), export",
             "kind": "event_dataset", "published_date": exported.isoformat(),
             "published_date_basis": "The export date: " + ("given with --exported." if not stamps or exported != dt.datetime.fromtimestamp(max(stamps), dt.UTC).date() else "the day of the latest row timestamp.")
                                     + " Each claim's info_date is its row's timestamp day where given.",
             "coverage_start": min(starts).isoformat(), "coverage_end": max(ends).isoformat(),
             "info_date_rule": "cited_report", "sha256": parsed.sha256, "licence": "ACLED terms of use; rows quoted for analysis."}
    claims = {"doc_id": doc_id, "observations": observations, "control_events": control, "milestones": []}
    writes: dict[Path, bytes | str] = {
        paths.documents_dir(seeds) / file_name: raw,
        paths.catalog_file(seeds): _append_yaml_list(paths.catalog_file(seeds), "documents", [entry]),
        paths.claims_dir(seeds) / f"{doc_id}.yaml": f"# Claims of the ACLED export {name}, written by idlib import acled (one per row with a territory change or fatalities).\n"
        + yaml.safe_dump(claims, sort_keys=False, allow_unicode=True, width=1000),
    }
    if new_places:
        writes[paths.gazetteer_file(seeds)] = _append_yaml_list(paths.gazetteer_file(seeds), "places", list(new_places.values()))
    return {"doc_id": doc_id, "writes": writes, "control_events": len(control), "observations": len(observations), "places": len(new_places)}


def _write(target: Path, content: bytes | str) -> None:
    if isinstance(content, str):
        write_text(target, content)
        return
    with atomic_path(target) as tmp:
        tmp.write_bytes(content)


def import_acled(path: Path, seeds: Path | None = None, *, doc_id: str | None = None, exported: dt.date | None = None,
                 title: str | None = None) -> dict:
    """Add the ACLED export at ``path`` to ``seeds`` (document, catalog entry, claims, places); see the module notes.

    The new seeds are built in a staging copy first; a failed import leaves ``seeds`` as it was.
    Returns the plan (``doc_id``, counts, and ``written``: the paths written).
    """
    from ..dataset import build

    path, seeds = Path(path), Path(seeds or paths.seeds_dir())
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AcledError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    plan = plan_import(raw, path.name, seeds, doc_id=doc_id, exported=exported, title=title)
    with tempfile.TemporaryDirectory(prefix="idlib-import-") as tmp:
        stage = Path(tmp) / "seeds"
        shutil.copytree(seeds, stage, symlinks=True)
        for target, content in plan["writes"].items():
            staged = stage / target.relative_to(seeds)
            staged.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                staged.write_bytes(content)
            else:
                staged.write_text(content, encoding="utf-8")
        try:
            build(stage)
        except InputError as exc:
            raise InputError(f"{path.name}: the imported claims do not build: {exc.message}", file=path) from None
    for target, content in plan["writes"].items():
        _write(target, content)
    return {**{k: v for k, v in plan.items() if k != "writes"}, "written": sorted(str(p) for p in plan["writes"])}
