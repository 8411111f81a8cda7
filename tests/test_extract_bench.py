"""Floors a little below what ``make bench`` measures for the extractor, so a regression fails CI.

The development-set figures are not an unbiased estimate: the rules were written while
reading batch 1 (dev01-dev12) and tuned while reading batch 2 (dev13-dev16, written before
the tuning, issue 17 item 2). The shipped documents are scored against reviewed claims and a
registry that are known to be incomplete (issue 17), so their precision is a lower bound.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_extract import dev_scores, shipped_scores

DEV_FLOORS = {  # kind: (precision, recall); measured on all 16 documents: 100/100, 95/93, 88/100, 100/100
    "displacement figures": (0.9, 0.9),
    "control events": (0.9, 0.9),
    "milestones": (0.8, 0.9),
    "estimative statements": (0.9, 0.9),
}
BATCH2_RECALL_FLOORS = {  # measured: 7/7, 13/15, 10/10, 12/12
    "displacement figures": 0.85,
    "control events": 0.8,
    "milestones": 0.9,
    "estimative statements": 0.9,
}
# measured: displacement 24/26 (precision 24/26), control events 109/157, milestones 52/60, estimative 34/39
SHIPPED_RECALL_FLOORS = {"displacement figures": 0.85, "control events": 0.65, "milestones": 0.8, "estimative statements": 0.85}
SHIPPED_PRECISION_FLOORS = {"displacement figures": 0.85}


@pytest.fixture(scope="module")
def shipped():
    return shipped_scores()[0]


def test_development_set_floors():
    scores = dev_scores()
    for kind, (p, r) in DEV_FLOORS.items():
        assert scores[kind].precision >= p, (kind, scores[kind])
        assert scores[kind].recall >= r, (kind, scores[kind])


def test_documents_written_before_the_tuning_keep_their_recall():
    scores = dev_scores(2)
    assert all(s.expected for s in scores.values() if s.kind in BATCH2_RECALL_FLOORS)
    for kind, r in BATCH2_RECALL_FLOORS.items():
        assert scores[kind].recall >= r, (kind, scores[kind])


def test_shipped_documents_recall_floors(shipped):
    for kind, r in SHIPPED_RECALL_FLOORS.items():
        assert shipped[kind].recall >= r, (kind, shipped[kind])
    for kind, p in SHIPPED_PRECISION_FLOORS.items():
        assert shipped[kind].precision >= p, (kind, shipped[kind])
