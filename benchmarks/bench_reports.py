"""Report pipeline benchmark: ours against the floor and against the naive pipeline, same run.

* floor: per report, a papermill run of a notebook that only starts a kernel and imports
  numpy, pandas, matplotlib and statsmodels (sequential; the cost no pipeline can avoid);
* ours: ``idlib reports --force`` after one untimed run (dataset built, memo filled), as a
  new process each time, so the one-off imports in the forkserver are paid in every run:
  every notebook re-executed, one forked process and in-process kernel per report, PDFs included;
* ours, isolated: the same with a new Jupyter kernel for every report (``--isolated``), which
  measures what the forked in-process kernels save;
* ours, unchanged inputs: ``idlib reports`` as ``make reports`` runs it a second time, when
  every report's input key matches and the last good PDFs are reused;
* naive: sequential ``papermill`` CLI runs, then ``jupyter nbconvert --to html`` per notebook
  (no browser here, so HTML stands in for webpdf), reading the same warm memo as ours,
  so the comparison is of pipelines, not of caches.

Each "ours" figure is the median of three runs; floor and naive run once each.
Prints the ratios ours/floor (target <= 1.3) and naive/ours (target >= 4).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis.core import paths
from analysis.report.runner import load_jobs
from benchmarks import timed

BIN = Path(sys.executable).parent


def _floor_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import numpy, pandas, matplotlib.pyplot, statsmodels.api")]
    nbformat.write(nb, path)


def main() -> None:
    jobs = load_jobs()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_nb = tmp / "floor.ipynb"
        _floor_notebook(floor_nb)

        def floor():
            for _ in jobs:
                subprocess.run([str(BIN / "papermill"), str(floor_nb), str(tmp / "floor-out.ipynb"), "--no-progress-bar"],
                               check=True, capture_output=True)

        def idlib(*args):  # a new process, as a user runs it; raises if any report fails
            return subprocess.run([str(BIN / "idlib"), "reports", "--out", str(tmp / "ours"), *args],
                                  check=True, capture_output=True, text=True).stdout

        def ours():
            idlib("--force")

        def ours_isolated():
            idlib("--force", "--isolated")

        def ours_cached():
            out = idlib()
            assert all(line.startswith("cached") for line in out.splitlines()), out

        def naive():
            for job in jobs:
                out = tmp / "naive" / f"{job.name}.ipynb"
                out.parent.mkdir(exist_ok=True)
                args = [str(BIN / "papermill"), str(job.notebook), str(out), "--no-progress-bar", "--cwd", str(paths.REPO)]
                for k, v in job.parameters.items():
                    args += ["-p", k, str(v)]
                # the same warm memo as ours (both pipelines run the same notebooks on the same caches)
                subprocess.run(args, check=True, capture_output=True, env={**os.environ, "IDLIB_OUTPUT": str(tmp / "ours")})
                subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)], check=True, capture_output=True)

        ours()  # warm-up: dataset built, caches filled
        def median3(f):  # ours is short and noisy on a shared machine: the median of three runs
            return statistics.median(timed(f)[0] for _ in range(3))

        t_floor = timed(floor)[0]
        t_ours, t_isolated, t_cached = median3(ours), median3(ours_isolated), median3(ours_cached)
        t_naive = timed(naive)[0]
    print(f"reports: {len(jobs)} notebook(s), {os.cpu_count()} core(s), {os.cpu_count()} worker(s)")
    print(f"  floor (kernel + imports, sequential):        {t_floor:7.2f} s")
    print(f"  ours, every notebook re-executed, with PDFs: {t_ours:7.2f} s   ours/floor = {t_ours / t_floor:.2f} (target <= 1.3)")
    print(f"  ours, a new kernel per report (--isolated): {t_isolated:7.2f} s   isolated/ours = {t_isolated / t_ours:.2f}; "
          f"isolated/floor = {t_isolated / t_floor:.2f}")
    print(f"  ours, unchanged inputs (PDFs reused):        {t_cached:7.2f} s   cached/floor = {t_cached / t_floor:.3f}")
    print(f"  naive (papermill CLI + nbconvert):           {t_naive:7.2f} s   naive/ours = {t_naive / t_ours:.2f} (target >= 4); "
          f"naive/cached = {t_naive / max(t_cached, 1e-9):.0f}")


if __name__ == "__main__":
    main()
