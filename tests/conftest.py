"""Shared fixtures: the real seeds, and a writable copy of them for bad-input tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.data.dataset import build, publish


@pytest.fixture(scope="session")
def dataset():
    """The dataset built from the shipped seeds (built once per test session)."""
    return build(paths.seeds_dir())


@pytest.fixture(scope="session")
def published_dataset(dataset, tmp_path_factory) -> Path:
    """The shipped dataset published to a temporary folder, for CLI tests.

    CLI tests must not read ``reports/dataset``: a clean clone has none.
    """
    from analysis.scoring import registry_tables

    return publish(dataset, tmp_path_factory.mktemp("dataset"), registry_tables(dataset))


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seeds folder (geo linked, not copied)."""
    src = paths.seeds_dir()
    dst = tmp_path / "seeds"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("geo"))
    (dst / "geo").symlink_to(src / "geo")
    return dst
