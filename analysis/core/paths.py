"""Every path the project uses, in one place.

Other modules take paths as arguments; only the edges (CLI, notebooks, runner)
ask this module for defaults. ``IDLIB_SEEDS`` and ``IDLIB_OUTPUT`` override the
two roots, so another conflict is another seeds folder.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    """Immutable inputs: documents, catalog, claims, gazetteer, geo, scenarios."""
    return Path(os.environ.get("IDLIB_SEEDS", REPO / "seeds"))


def output_dir() -> Path:
    """Everything generated: dataset, executed notebooks, PDFs."""
    return Path(os.environ.get("IDLIB_OUTPUT", REPO / "reports"))


def documents_dir(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "documents"


def catalog_file(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "catalog.yaml"


def claims_dir(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "claims"


def gazetteer_file(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "gazetteer.yaml"


def geo_dir(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "geo"


def scenarios_dir(seeds: Path | None = None) -> Path:
    return (seeds or seeds_dir()) / "scenarios"


def dataset_dir(output: Path | None = None) -> Path:
    return (output or output_dir()) / "dataset"


def scores_dir(output: Path | None = None) -> Path:
    """The scoring stage's output: resolutions and prediction scores (``idlib score --publish``)."""
    return (output or output_dir()) / "scores"


def notebooks_dir() -> Path:
    return REPO / "notebooks"
