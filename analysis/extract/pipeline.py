"""``idlib extract``: files and folders in, one draft folder per document out, in parallel."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..core import paths
from ..core.errors import InputError, ParameterError
from ..core.io import read_yaml, sha256
from .core import extract_text
from .dates import publication_date
from .drafts import doc_id_for, sha256_text, write_drafts
from .places import Places, load_places
from .readers import SUFFIXES, read_document


@dataclass(frozen=True)
class Result:
    """What happened to one input file."""

    source: str
    doc_id: str | None = None
    folder: str | None = None
    counts: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_published(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ParameterError(f"not an ISO date (YYYY-MM-DD): {value!r}", parameter="--published") from None


def expand(inputs: list[str | Path]) -> list[Path]:
    """The files named, and the documents (known extensions) in the folders named, sorted."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("."))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=8)
def case_places(seeds: str) -> Places:
    """The case's gazetteer and reference sub-districts (cached per process)."""
    from ..data.case import load_case

    seeds_path = Path(seeds)
    admin1: tuple[str, ...] = ()
    case_file = seeds_path / "case.yaml"
    if case_file.is_file():
        admin1 = tuple(load_case(case_file).admin1_pcodes)
    return load_places(paths.gazetteer_file(seeds_path), paths.geo_dir(seeds_path), admin1)


def _catalog(seeds: Path) -> list[dict]:
    path = paths.catalog_file(seeds)
    if not path.is_file():
        return []
    return list((read_yaml(path) or {}).get("documents") or [])


def extract_file(path: Path, out: Path, published: date | None, seeds: Path, places: Places | None = None) -> Result:
    """Draft one document; bad input comes back as the Result's error, naming the file."""
    try:
        text = read_document(path)
        found = publication_date(text)
        if published is not None:
            pub, basis = published, "Given with --published when drafting."
        elif found is not None:
            line = found[1] if len(found[1]) <= 120 else found[1][:117] + "..."
            pub, basis = found[0], f"The text reads {line!r}."
        else:
            raise InputError("no publication date found in the text: give --published YYYY-MM-DD", file=path)
        digest = sha256_text(text)
        raw_digest = sha256(path)
        doc_id = doc_id_for(path)
        notes = []
        for entry in _catalog(seeds):
            if entry.get("sha256") in (digest, raw_digest):
                notes.append(f"already added as {entry['doc_id']}: drafted anyway, to compare with its reviewed claims")
                doc_id = str(entry["doc_id"])
            elif entry.get("doc_id") == doc_id:
                raise InputError(f"doc id {doc_id!r} is taken by a different text in the catalog; rename the file", file=path)
        previous = out / doc_id / "catalog.yaml"
        if previous.is_file():
            old = ((read_yaml(previous) or {}).get("documents") or [{}])[0]
            if old.get("sha256") not in (None, digest):
                raise InputError(f"doc id {doc_id!r} is taken by a different text in {out / doc_id}; rename the file or remove that folder", file=path)
        places = places or case_places(str(seeds))
        ex = extract_text(text, pub, places)
        folder = write_drafts(ex, out, doc_id, path, places, basis, notes)
        counts = tuple((t, len(ex.of(t))) for t in ("observations", "control_events", "milestones", "predictions"))
        return Result(str(path), doc_id, str(folder), counts, tuple(notes))
    except InputError as exc:
        return Result(str(path), error=str(exc))


def _one(args: tuple) -> Result:
    path, out, published, seeds = args
    return extract_file(Path(path), Path(out), published, Path(seeds))


def extract_paths(inputs: list[str | Path], out: Path | None = None, published: str | None = None, seeds: Path | None = None,
                  workers: int | None = None, scheduler: str | None = None) -> list[Result]:
    """Draft every document named or found in the folders named; on the machine's cores, or on a Dask cluster."""
    pub = parse_published(published)
    files = expand(inputs)
    if not files:
        raise InputError("no documents to extract (.txt, .html, .pdf)", file=", ".join(map(str, inputs)) or None)
    out = Path(out or paths.REPO / "drafts")
    seeds = Path(seeds or paths.seeds_dir())
    jobs = [(str(f), str(out), pub, str(seeds)) for f in files]
    if scheduler is not None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ParameterError("extracting on a cluster needs Dask: pip install 'idlib-forecast[dask]'", parameter="--scheduler") from exc
        with Client(scheduler) as client:
            return client.gather(client.map(_one, jobs, pure=False))
    n = min(len(jobs), workers or os.cpu_count() or 1)
    if n <= 1:
        return [_one(j) for j in jobs]
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("forkserver" if os.name == "posix" else "spawn")) as pool:
        return list(pool.map(_one, jobs, chunksize=max(1, len(jobs) // (4 * n))))
