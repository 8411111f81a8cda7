"""Digests of what outputs are built from, so that unchanged inputs need no rebuild.

An output (the published dataset, a report's PDF) is reused only when a stamp
beside it records the same digest of its inputs, and of the output itself where
it can be edited by hand: anything changed, a seed, the code, a library version
or the output, means a rebuild.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

from . import paths
from .io import write_text

CACHE_DIR = ".cache"  # beside the outputs: <output>/.cache
_PINNED = ("numpy", "pandas", "statsmodels", "matplotlib", "scipy", "papermill", "pypandoc-binary", "typst", "scoringrules")


def feed_tree(h, root: Path, skip: tuple[str, ...] = ()) -> None:
    """Feed every file below ``root`` (path and bytes, in a fixed order) to the hash ``h``."""
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(root).as_posix()
        if rel.startswith(skip) or "__pycache__" in rel or rel.startswith(CACHE_DIR):
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    feed_tree(h, Path(root))
    return h.hexdigest()


def sources_digest(seeds: Path | None = None) -> str:
    """SHA-256 of the seeds folder, the package's code and the versions of the libraries that shape the outputs.

    The boundary files under ``geo/`` count by name and size: they are large, and shared data that does not change.
    """
    from .memo import code_digest

    seeds = Path(seeds or paths.seeds_dir())
    h = hashlib.sha256()
    feed_tree(h, seeds, skip=("geo/",))
    geo = seeds / "geo"
    if geo.exists():
        h.update(" ".join(f"{p.relative_to(geo).as_posix()}:{p.stat().st_size}" for p in sorted(geo.rglob("*")) if p.is_file()).encode())
    h.update(code_digest().encode())
    versions = []
    for dist in _PINNED:
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}==none")
    h.update(" ".join([platform.python_version(), *versions]).encode())
    return h.hexdigest()


def _dataset_stamp(out_dir: Path) -> Path:
    return out_dir.parent / CACHE_DIR / f"{out_dir.name}.sha256"


def _dataset_state(seeds: Path | None, out_dir: Path) -> str:
    return f"{sources_digest(seeds)}\n{tree_digest(out_dir)}\n"


def dataset_is_current(seeds: Path | None, out_dir: Path) -> bool:
    """True when ``out_dir`` holds the dataset built from these seeds and code, untouched since."""
    out_dir, stamp = Path(out_dir), _dataset_stamp(Path(out_dir))
    if not (out_dir / "datapackage.json").is_file() or not stamp.is_file():
        return False
    return stamp.read_text(encoding="utf-8") == _dataset_state(seeds, out_dir)


def record_dataset(seeds: Path | None, out_dir: Path) -> None:
    """Stamp ``out_dir`` as built from these seeds and code (after a successful publish)."""
    stamp = _dataset_stamp(Path(out_dir))
    stamp.parent.mkdir(parents=True, exist_ok=True)
    write_text(stamp, _dataset_state(seeds, Path(out_dir)))
