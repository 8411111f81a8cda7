"""Dataset build time against document size (issue 16, item 8).

Builds the shipped seeds, then a copy whose largest document is padded to 50 MB with text that
holds no quote (its catalog checksum updated), and prints both times. The build should grow
linearly with the documents' size: each document is read, checksummed and folded once.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from analysis.core import paths
from analysis.data.dataset import build
from benchmarks import timed

SIZE = 50_000_000


def _padded_seeds(folder: Path) -> Path:
    seeds = folder / "seeds"
    shutil.copytree(paths.seeds_dir(), seeds, ignore=shutil.ignore_patterns("geo"))
    (seeds / "geo").symlink_to(paths.geo_dir(paths.seeds_dir()))
    doc = max((seeds / "documents").glob("*.txt"), key=lambda p: p.stat().st_size)
    text = doc.read_text(encoding="utf-8")
    filler = "A paragraph of padding that holds no quoted claim, repeated to make the document large. " * 10 + "\n"
    doc.write_text(text + "\n" + filler * ((SIZE - len(text.encode())) // len(filler)), encoding="utf-8")
    catalog = seeds / "catalog.yaml"
    s = catalog.read_text(encoding="utf-8")
    start = s.index("sha256:", s.index(f"file_name: {doc.name}"))
    end = s.index("\n", start)
    catalog.write_text(s[:start] + "sha256: " + hashlib.sha256(doc.read_bytes()).hexdigest() + s[end:], encoding="utf-8")
    return seeds


def main() -> None:
    shipped_s, _ = timed(lambda: build(paths.seeds_dir()))
    with tempfile.TemporaryDirectory() as tmp:
        seeds = _padded_seeds(Path(tmp))
        big_s, _ = timed(lambda: build(seeds))
    print("## dataset build (issue 16 item 8)")
    print(f"shipped seeds: {shipped_s:.1f} s; largest document padded to {SIZE / 1e6:.0f} MB: {big_s:.1f} s")
