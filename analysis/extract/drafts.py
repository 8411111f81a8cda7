"""Write one document's drafts into ``DIR/<doc_id>/``, atomically.

The folder holds ``document.txt``, ``catalog.yaml`` (the draft catalog entry),
``claims.yaml`` (the reviewed-claims layout of ``seeds/claims/``, every claim with
``review: draft``, its rule and confidence), ``predictions.yaml``, ``gazetteer.yaml``
(proposals for names the gazetteer lacks), ``tables/*.csv`` (the published tables'
columns) and ``review.html`` (the text with every drafted span highlighted).
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from ..core.io import atomic_dir
from ..data.parsing import find_spans, numbers_in
from ..data.tables import CONTROL_EVENTS, MILESTONES, OBSERVATIONS, PREDICTIONS
from .core import Extraction
from .places import Places
from .rules import Draft

REVIEW_KEYS = ("review", "rule", "confidence")  # draft-only keys, stripped by accept


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_id_for(path: Path) -> str:
    """A readable document id from the file name: lower case, words joined by ``_``.

    >>> doc_id_for(Path("UN Flash Update 4 (14 March).pdf"))
    'un_flash_update_4_14_march'
    """
    return re.sub(r"[^a-z0-9-]+", "_", path.stem.lower()).strip("_") or "document"


def _occurrence(text: str, quote: str, start: int) -> int | None:
    spans = find_spans(text, quote)
    if len(spans) <= 1:
        return None
    return next(k for k, (a, _) in enumerate(spans, start=1) if a == start)


def _quote_checked(text: str, d: Draft) -> tuple[str, int | None]:
    """The draft's verbatim quote, checked the way the build checks it (span found, digits written)."""
    quote = text[d.start:d.end]
    if not find_spans(text, quote):
        raise AssertionError(f"drafted quote not found in its own document: {quote!r}")
    value = d.fields.get("value")
    if value is not None and float(value) not in numbers_in(quote):
        raise AssertionError(f"drafted value {value} not written in its quote {quote!r}")
    for item in d.fields.get("places") or []:
        name = item["written"] if isinstance(item, dict) else item
        if not find_spans(quote, name):
            raise AssertionError(f"drafted place {name!r} not in its quote {quote!r}")
    return quote, _occurrence(text, quote, d.start)


def _claims(ex: Extraction, doc_id: str) -> tuple[dict, list[dict], list[dict]]:
    """claims.yaml content, the prediction entries and the vague mentions."""
    out: dict = {"doc_id": doc_id, "observations": [], "control_events": [], "milestones": []}
    predictions, vague = [], []
    counters = {"observations": "o", "control_events": "c", "milestones": "m", "predictions": "p"}
    grouped: dict[tuple, dict] = {}
    for d in ex.drafts:
        if d.table == "vague":
            vague.append({"phrase": d.fields["phrase"], "quote": ex.text[d.start:d.end], "char_start": d.start, "note": "vague quantity: not drafted as a figure"})
            continue
        quote, occ = _quote_checked(ex.text, d)
        if d.table == "control_events":
            key = (d.start, d.end, d.fields["event_type"], d.fields["to_side"], d.fields["date"])
            if key in grouped:
                grouped[key]["places"].extend(n for n in d.fields["places"] if n not in grouped[key]["places"])
                grouped[key]["confidence"] = min(grouped[key]["confidence"], d.confidence)
                continue
        fields = {k: v for k, v in d.fields.items() if k not in ("quote_phrase", "horizon_note")}
        entry = {"id": "", "review": "draft", "rule": d.rule, "confidence": d.confidence, **fields, "quote": quote}
        if occ is not None:
            entry["occurrence"] = occ
        if d.table == "predictions":
            entry = {"id": "", "review": "draft", "rule": d.rule, "confidence": d.confidence, "kind": fields["kind"], "quote": quote,
                     "probability_phrase": fields["probability_phrase"], "claim": quote}
            if occ is not None:
                entry["occurrence"] = occ
            for k in ("horizon_days", "deadline"):
                if k in fields:
                    entry[k] = fields[k]
            if "horizon_note" in d.fields:
                entry["window_note"] = f"from '{d.fields['horizon_note']}'"
            predictions.append(entry)
        else:
            if d.table == "control_events":
                entry["places"] = list(entry["places"])
                grouped[key] = entry
            out[d.table].append(entry)
    for table, prefix in counters.items():
        items = predictions if table == "predictions" else out[table]
        for k, e in enumerate(items, start=1):
            e["id"] = f"{prefix}{k:03d}"
    return out, predictions, vague


def catalog_entry(ex: Extraction, doc_id: str, original: Path, published_basis: str) -> dict:
    dates = []
    for table in ("observations", "control_events", "milestones"):
        for d in ex.of(table):
            first = d.fields["date"].split("/")[0]
            dates.append(date.fromisoformat(first))
            dates.append(date.fromisoformat(d.fields["date"].split("/")[-1]))
    first_line = next((ln.strip() for ln in ex.text.splitlines() if ln.strip()), doc_id)
    analyst = re.search(r"\b(?:we\s+(?:assess|judge|expect)|key\s+judgements?|assessment|outlook|briefing\s+note)\b", ex.text, re.I)
    return {
        "doc_id": doc_id,
        "file_name": f"{doc_id}.txt",
        "original_name": original.name,
        "title": first_line[:200],
        "publisher": "unknown: name the publisher",
        "kind": "analyst_forecast" if analyst else "news",
        "published_date": ex.published.isoformat(),
        "published_date_basis": published_basis,
        "coverage_start": min([*dates, ex.published]).isoformat(),
        "coverage_end": max([*dates, ex.published]).isoformat(),
        "info_date_rule": "publication",
        "sha256": sha256_text(ex.text),
        "licence": "unknown: state the licence or terms",
    }


def place_name(item: str | dict) -> str:
    """The gazetteer name of a drafted place: the name as written, or the place a pronoun stands for."""
    return item["place"] if isinstance(item, dict) else item


def _gazetteer(ex: Extraction, places: Places) -> list[dict]:
    out, seen = [], set()
    for d in ex.of("control_events"):
        for name in map(place_name, d.fields["places"]):
            if places.place_id(name) is None and name not in seen:
                seen.add(name)
                out.append({"review": "draft", **places.proposal(name)})
    return out


def _tables(claims: dict, predictions: list[dict], ex: Extraction, doc_id: str, places: Places) -> dict[str, pd.DataFrame]:
    def span(e: dict) -> tuple[int, int]:
        spans = find_spans(ex.text, e["quote"])
        return spans[(e.get("occurrence") or 1) - 1]

    def when(e: dict) -> dict:
        a, _, b = e["date"].partition("/")
        b = b or a
        return {"date_start": a, "date_end": b, "date_note": e.get("date_note"), "info_date": ex.published.isoformat()}

    obs = []
    for e in claims["observations"]:
        s, t = span(e)
        obs.append({"claim_id": f"{doc_id}:{e['id']}", "doc_id": doc_id, "quote": e["quote"], "char_start": s, "char_end": t, **when(e),
                    **{k: e.get(k) for k in ("variable", "kind", "value", "baseline_date", "baseline_basis", "area", "group", "source", "side")},
                    "qualifier": e.get("qualifier", "exact")})
    ce = []
    for e in claims["control_events"]:
        s, t = span(e)
        for k, item in enumerate(e["places"], start=1):
            name = place_name(item)
            ce.append({"event_id": f"{doc_id}:{e['id']}.{k}", "claim_id": f"{doc_id}:{e['id']}", "doc_id": doc_id, "quote": e["quote"],
                       "char_start": s, "char_end": t, **when(e), "place_name": name, "place_id": places.place_id(name),
                       "event_type": e["event_type"], "to_side": e["to_side"], "actor": e.get("actor"), "geo_precision": "unplaced"})
    ms = []
    for e in claims["milestones"]:
        s, t = span(e)
        ms.append({"milestone_id": f"{doc_id}:{e['id']}", "doc_id": doc_id, "quote": e["quote"], "char_start": s, "char_end": t, **when(e),
                   "milestone_type": e["milestone_type"], "label": e["label"]})
    pr = []
    for e in predictions:
        s, t = span(e)
        end = e.get("deadline") or (pd.Timestamp(ex.published) + pd.Timedelta(days=e["horizon_days"])).date().isoformat() if ("deadline" in e or "horizon_days" in e) else None
        pr.append({"prediction_id": f"{doc_id}:{e['id']}", "doc_id": doc_id, "issued_date": ex.published.isoformat(), "kind": e["kind"],
                   "quote": e["quote"], "char_start": s, "char_end": t, "probability_phrase": e["probability_phrase"], "claim": e["claim"],
                   "window_start": (pd.Timestamp(ex.published) + pd.Timedelta(days=1)).date().isoformat() if end else None, "window_end": end,
                   "window_note": e.get("window_note")})
    return {
        "observations": pd.DataFrame(obs, columns=OBSERVATIONS.columns),
        "control_events": pd.DataFrame(ce, columns=CONTROL_EVENTS.columns),
        "milestones": pd.DataFrame(ms, columns=MILESTONES.columns),
        "predictions": pd.DataFrame(pr, columns=PREDICTIONS.columns),
    }


_COLOURS = {"observations": "#ffe08a", "control_events": "#9fd3ff", "milestones": "#c9f2b6", "predictions": "#f5b7e0"}


def review_html(ex: Extraction, doc_id: str, claims: dict, predictions: list[dict], vague: list[dict]) -> str:
    """One self-contained page: the text with every drafted span highlighted and labelled."""
    spans: list[tuple[int, int, str, str]] = []
    for table in ("observations", "control_events", "milestones"):
        for e in claims[table]:
            a, b = find_spans(ex.text, e["quote"])[(e.get("occurrence") or 1) - 1]
            what = {"observations": lambda e: f"{e['id']} {e['variable']} ({e['kind']}) = {e['value']:,}" if isinstance(e['value'], int) else f"{e['id']} {e['variable']} = {e['value']}",
                    "control_events": lambda e: f"{e['id']} {e['event_type']} {', '.join(map(place_name, e['places']))} -> {e['to_side']} ({e['date']})",
                    "milestones": lambda e: f"{e['id']} {e['milestone_type']} ({e['date']})"}[table](e)
            spans.append((a, b, table, what))
    for e in predictions:
        a, b = find_spans(ex.text, e["quote"])[(e.get("occurrence") or 1) - 1]
        spans.append((a, b, "predictions", f"{e['id']} {e['kind']}: '{e['probability_phrase']}'"))
    for v in vague:
        spans.append((v["char_start"], v["char_start"] + len(v["quote"]), "vague", f"vague: {v['phrase']}"))
    cuts = sorted({0, len(ex.text), *(a for a, *_ in spans), *(b for _, b, *_ in spans)})
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        cover = [s for s in spans if s[0] <= a and b <= s[1]]
        seg = html.escape(ex.text[a:b])
        if cover:
            tables = sorted({c[2] for c in cover})
            title = html.escape(" | ".join(c[3] for c in cover), quote=True)
            style = f"background:{_COLOURS.get(tables[0], '#ddd')}" + (";border-bottom:2px solid #c0392b" if len(tables) > 1 else "")
            seg = f'<mark class="{" ".join(tables)}" style="{style}" title="{title}">{seg}</mark>'
        parts.append(seg)
    legend_rows = "".join(
        f"<li><span style=\"background:{_COLOURS.get(s[2], '#ddd')}\">{html.escape(s[2])}</span> {html.escape(s[3])}: "
        f"<q>{html.escape(ex.text[s[0]:s[1]][:160])}</q></li>"
        for s in sorted(spans)
    )
    counts = ", ".join(f"{len(claims[t])} {t.replace('_', ' ')}" for t in ("observations", "control_events", "milestones"))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Review: {html.escape(doc_id)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
        "pre{white-space:pre-wrap;font-family:inherit}mark{padding:0 1px}li{margin:.3em 0}</style></head><body>"
        f"<h1>Drafts for {html.escape(doc_id)}</h1><p>Published {ex.published.isoformat()}. Drafted: {counts}, "
        f"{len(predictions)} estimative statements, {len(vague)} vague quantities. Hover a highlight for its label; "
        "text with no highlight was not drafted.</p>"
        f"<pre>{''.join(parts)}</pre><h2>Every draft</h2><ol>{legend_rows}</ol></body></html>\n"
    )


def _dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)


def write_drafts(ex: Extraction, out_dir: Path, doc_id: str, original: Path, places: Places, published_basis: str, notes: list[str] | None = None) -> Path:
    """Write the draft folder ``out_dir/<doc_id>`` whole, replacing an earlier one only on success."""
    claims, predictions, vague = _claims(ex, doc_id)
    catalog = catalog_entry(ex, doc_id, original, published_basis)
    header = "# Drafts: set each 'review: draft' to accepted or rejected (edit fields as needed), then run 'idlib accept'.\n"
    if notes:
        header += "".join(f"# NOTE: {n}\n" for n in notes)
    target = Path(out_dir) / doc_id
    with atomic_dir(target) as stage:
        (stage / "document.txt").write_text(ex.text, encoding="utf-8")
        (stage / "catalog.yaml").write_text(header + _dump({"documents": [catalog]}), encoding="utf-8")
        (stage / "claims.yaml").write_text(header + _dump({**claims, "vague": vague}), encoding="utf-8")
        (stage / "predictions.yaml").write_text(header + _dump({"doc_id": doc_id, "predictions": predictions}), encoding="utf-8")
        (stage / "gazetteer.yaml").write_text(header + _dump({"places": _gazetteer(ex, places)}), encoding="utf-8")
        (stage / "tables").mkdir()
        for name, frame in _tables(claims, predictions, ex, doc_id, places).items():
            frame.to_csv(stage / "tables" / f"{name}.csv", index=False, lineterminator="\n")
        (stage / "review.html").write_text(review_html(ex, doc_id, claims, predictions, vague), encoding="utf-8")
    return target
