"""Extraction quality and speed: precision/recall per kind on the development set and on the
shipped documents against their reviewed claims, and throughput in MB/s on one core.

Run with ``make bench`` (or ``python -m benchmarks extract``). The throughput is also given
as a ratio to a baseline measured in the same run: reading the same text with one regular
expression pass that finds every number (the cheapest possible extractor).
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

from analysis.core import paths
from analysis.data.catalog import load_catalog
from analysis.extract import evaluate as E
from analysis.extract.core import extract_text
from analysis.extract.dates import _find_dates, _parse, sentence_words
from analysis.extract.pipeline import case_places
from analysis.extract.places import load_places
from analysis.extract.readers import normalise

DEV = Path(__file__).resolve().parent / "extract_dev"


def dev_scores(batch: int | None = None) -> dict[str, E.Score]:
    """Scores on the development set; ``batch`` 1 (the first twelve documents, read while the
    rules were written) or 2 (written after them, before the rules were tuned), else all."""
    places = load_places(DEV / "gazetteer.yaml")
    scores = []
    for gold in sorted((DEV / "gold").glob("*.yaml")):
        text = normalise((DEV / "documents" / f"{gold.stem}.txt").read_text(encoding="utf-8"))
        claims, preds, published = E.dev_gold(gold)
        if batch is not None and int(claims.get("batch", 1)) != batch:
            continue
        ex = extract_text(text, published, places)
        scores.append(E.score(E.drafted_items(ex, places), E.expected_items(text, claims, preds, places)))
    return E.add(scores)


def shipped_scores(seeds: Path | None = None) -> tuple[dict[str, E.Score], list[str]]:
    seeds = Path(seeds or paths.seeds_dir())
    places = case_places(str(seeds))
    docs = load_catalog(paths.catalog_file(seeds), paths.documents_dir(seeds)).documents
    scores, texts = [], []
    for doc_id, doc in sorted(docs.items()):
        text = normalise(doc.text)
        published = doc.published_date or doc.coverage_end
        ex = extract_text(text, published, places)
        claims, preds = E.seeds_gold(seeds, doc_id)
        scores.append(E.score(E.drafted_items(ex, places), E.expected_items(text, claims, preds, places)))
        texts.append(text)
    return E.add(scores), texts


def throughput(texts: list[str], places, published: date, min_seconds: float = 2.0) -> tuple[float, float, float]:
    """MB/s of the extractor on one core: by the wall clock and by the process's CPU time (the
    latter is what one core does when the machine is shared), and the wall rate's ratio to a
    one-pass number scan of the same text."""
    corpus = "\n\n".join(texts)
    mb = len(corpus.encode("utf-8")) / 1e6
    n, t0 = 0, time.perf_counter()
    best_cpu = float("inf")
    while time.perf_counter() - t0 < min_seconds or n < 3:
        _find_dates.cache_clear()  # each pass starts cold, as a new document would
        _parse.cache_clear()
        sentence_words.cache_clear()
        c = time.process_time()
        extract_text(corpus, published, places)
        best_cpu = min(best_cpu, time.process_time() - c)
        n += 1
    rate = n * mb / (time.perf_counter() - t0)
    rx = re.compile(r"\d[\d,.]*")
    m, t1 = 0, time.perf_counter()
    while time.perf_counter() - t1 < 0.5 or m < 3:
        sum(1 for _ in rx.finditer(corpus))
        m += 1
    base = m * mb / (time.perf_counter() - t1)
    return rate, mb / best_cpu, rate / base


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{100 * x:4.0f}%"


def table(title: str, scores: dict[str, E.Score]) -> str:
    lines = [f"## {title}", f"{'kind':24s} {'matched':>7s} {'drafted':>7s} {'expected':>8s} {'precision':>9s} {'recall':>7s}"]
    for s in scores.values():
        lines.append(f"{s.kind:24s} {s.matched:7d} {s.drafted:7d} {s.expected:8d} {_fmt(s.precision):>9s} {_fmt(s.recall):>7s}")
    return "\n".join(lines)


def main() -> None:
    print("# extraction (issue 17): precision and recall per kind")
    print(table("development set, batch 1 (12 documents the rules were written on)", dev_scores(1)))
    print(table("development set, batch 2 (documents written after the rules, before tuning them)", dev_scores(2)))
    shipped, texts = shipped_scores()
    print(table("shipped documents against the reviewed claims and registry (incomplete: see README)", shipped))
    rate, cpu_rate, ratio = throughput(texts, case_places(str(paths.seeds_dir())), date(2020, 2, 1))
    print(f"throughput: {rate:.2f} MB/s on one core over the shipped documents by the wall clock, caches cold "
          f"({ratio:.4f} x a one-pass number scan of the same text); {cpu_rate:.2f} MB per CPU-second, best pass; goal 1 MB/s")


if __name__ == "__main__":
    main()
