"""``idlib accept drafts/<doc_id>``: reviewed drafts into ``seeds/``, only when asked.

Refuses while any claim, statement or gazetteer proposal is still ``review: draft``, when
a quote is no longer verbatim, and when the document is already in the catalog. The new
seeds are first assembled and built in a staging copy; only when the dataset and the
forecast registry build there are the files written into ``seeds/`` (each atomically),
so a failed accept leaves ``seeds/`` as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from ..core import paths
from ..core.errors import InputError
from ..core.io import LineDict, read_yaml, sha256, write_text
from ..data.parsing import find_spans
from .drafts import REVIEW_KEYS, sha256_text

_DECISIONS = ("accepted", "rejected")


def _decided(entries: list, file: Path, what: str) -> list[dict]:
    """The accepted entries, stripped of the draft-only keys; raise while any is undecided."""
    undecided = [e for e in entries if e.get("review") not in _DECISIONS]
    if undecided:
        ids = ", ".join(str(e.get("id", e.get("name"))) for e in undecided[:8])
        first = undecided[0]
        raise InputError(f"{len(undecided)} {what} still to review (set 'review: accepted' or 'rejected'): {ids}",
                         file=file, line=first.line if isinstance(first, LineDict) else None, field="review")
    return [{k: v for k, v in e.items() if k not in REVIEW_KEYS} for e in entries if e["review"] == "accepted"]


def _dump(data) -> str:
    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=1000)


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def review_state(draft_dir: Path) -> dict:
    """Read a reviewed draft folder and check it; returns what would go into the seeds."""
    draft_dir = Path(draft_dir)
    text_file = draft_dir / "document.txt"
    if not text_file.is_file():
        raise InputError("not a draft folder (no document.txt)", file=draft_dir)
    text = text_file.read_text(encoding="utf-8")
    cat_file = draft_dir / "catalog.yaml"
    entry = dict((read_yaml(cat_file).get("documents") or [{}])[0])
    doc_id = str(entry.get("doc_id") or "")
    if entry.get("sha256") != sha256_text(text):
        raise InputError("document.txt was edited after drafting (its SHA-256 no longer matches): documents are immutable", file=text_file)
    for key in ("publisher", "licence"):
        if str(entry.get(key, "")).startswith("unknown:"):
            raise InputError("still the draft placeholder: fill it in", file=cat_file, field=key)
    claims_file = draft_dir / "claims.yaml"
    claims = read_yaml(claims_file)
    out_claims: dict = {"doc_id": doc_id}
    n_rejected = 0
    for table in ("observations", "control_events", "milestones"):
        entries = list(claims.get(table) or [])
        accepted = _decided(entries, claims_file, f"{table.replace('_', ' ')}")
        n_rejected += len(entries) - len(accepted)
        for e in accepted:
            if not find_spans(text, str(e.get("quote", ""))):
                raise InputError(f"{doc_id}:{e.get('id')}: quote edited, no longer verbatim in document.txt: {str(e.get('quote'))[:80]!r}",
                                 file=claims_file, field="quote")
        if accepted:
            out_claims[table] = accepted
    pred_file = draft_dir / "predictions.yaml"
    preds = _decided(list((read_yaml(pred_file) or {}).get("predictions") or []), pred_file, "estimative statements")
    for e in preds:
        if not find_spans(text, str(e.get("quote", ""))):
            raise InputError(f"{doc_id}:{e.get('id')}: quote edited, no longer verbatim in document.txt", file=pred_file, field="quote")
    gaz_file = draft_dir / "gazetteer.yaml"
    places = _decided(list((read_yaml(gaz_file) or {}).get("places") or []), gaz_file, "gazetteer proposals")
    places = [{k: v for k, v in p.items() if k not in ("candidate_subdistricts", "similar_aliases")} for p in places]
    return {"doc_id": doc_id, "text": text, "entry": entry, "claims": out_claims, "predictions": preds, "places": places, "rejected": n_rejected}


def _append_yaml_list(path: Path, key: str, items: list[dict]) -> str:
    """The file's text with ``items`` appended to its top-level list ``key`` (comments kept)."""
    current = path.read_text(encoding="utf-8") if path.is_file() else f"{key}:\n"
    block = yaml.safe_dump(_plain(items), sort_keys=False, allow_unicode=True, width=1000)
    indented = "".join(f"  {ln}\n" if ln else "\n" for ln in block.rstrip("\n").split("\n"))
    return current.rstrip("\n") + "\n" + indented


def _from_draft(exc: InputError, stage: Path, seeds: Path, draft_dir: Path, doc_id: str) -> InputError:
    """The staging build's error, pointed at the draft file the bad entry came from."""
    origin = {
        stage / "claims" / f"{doc_id}.yaml": draft_dir / "claims.yaml",
        stage / "predictions" / f"{doc_id}.yaml": draft_dir / "predictions.yaml",
        paths.catalog_file(stage): draft_dir / "catalog.yaml",
        paths.gazetteer_file(stage): draft_dir / "gazetteer.yaml",
    }
    file = Path(exc.file) if exc.file else None
    if file is None and getattr(exc, "parameter", None) == "probability_phrase":
        # a statement's phrase the probability scales cannot read
        return InputError(exc.message.split(": ", 1)[-1], file=draft_dir / "predictions.yaml", field="probability_phrase")
    if file in origin:
        # line numbers refer to the staged file; the claim id in the message names the entry
        return InputError(exc.message, file=origin[file], field=exc.field)
    return InputError(exc.message.replace(str(stage), str(seeds)), file=str(file).replace(str(stage), str(seeds)) if file else None, line=exc.line, field=exc.field)


def accept(draft_dir: Path, seeds: Path | None = None) -> dict:
    """Move a reviewed draft folder's document, catalog entry, accepted claims, statements and places into ``seeds``."""
    from ..data.dataset import build
    from ..scoring import published_tables
    from ..scoring.registry import load_registry

    seeds = Path(seeds or paths.seeds_dir())
    state = review_state(draft_dir)
    doc_id, entry = state["doc_id"], state["entry"]
    catalog = read_yaml(paths.catalog_file(seeds)) or {}
    for old in catalog.get("documents") or []:
        if old.get("sha256") == entry["sha256"] or sha256_text(state["text"]) == old.get("sha256"):
            raise InputError(f"already added as {old['doc_id']}", file=Path(draft_dir) / "document.txt")
        if old.get("doc_id") == doc_id:
            raise InputError(f"doc id {doc_id!r} is taken by a different text in the catalog; change doc_id and file_name", file=Path(draft_dir) / "catalog.yaml", field="doc_id")
    for f in paths.documents_dir(seeds).glob("*.txt"):
        if sha256(f) == entry["sha256"]:
            raise InputError(f"already added as {f.stem}", file=Path(draft_dir) / "document.txt")
    writes: dict[Path, str] = {
        paths.documents_dir(seeds) / entry["file_name"]: state["text"],
        paths.catalog_file(seeds): _append_yaml_list(paths.catalog_file(seeds), "documents", [entry]),
        paths.claims_dir(seeds) / f"{doc_id}.yaml": f"# Reviewed claims of {doc_id}, drafted by idlib extract and accepted by a reviewer.\n" + _dump(state["claims"]),
    }
    if state["predictions"]:
        writes[seeds / "predictions" / f"{doc_id}.yaml"] = f"# Forward-looking statements of {doc_id}, drafted by idlib extract and reviewed.\n" + _dump({"doc_id": doc_id, "predictions": state["predictions"]})
    if state["places"]:
        writes[paths.gazetteer_file(seeds)] = _append_yaml_list(paths.gazetteer_file(seeds), "places", state["places"])
    # Build in a staging copy first: nothing reaches seeds/ unless the dataset and registry build.
    with tempfile.TemporaryDirectory(prefix="idlib-accept-") as tmp:
        stage = Path(tmp) / "seeds"
        shutil.copytree(seeds, stage, symlinks=True)
        for target, content in writes.items():
            staged = stage / target.relative_to(seeds)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(content, encoding="utf-8")
        try:
            dataset = build(stage)
            if (stage / "predictions").is_dir():
                load_registry(dataset, stage)
                published_tables(dataset, stage)  # what `idlib dataset` publishes: every phrase read on every scale
        except InputError as exc:
            raise _from_draft(exc, stage, seeds, Path(draft_dir), doc_id) from None
    for target, content in writes.items():
        write_text(target, content)
    return {"doc_id": doc_id, "written": sorted(str(p) for p in writes), "claims": sum(len(state["claims"].get(t, [])) for t in ("observations", "control_events", "milestones")),
            "predictions": len(state["predictions"]), "places": len(state["places"]), "rejected": state["rejected"]}
