"""Run report notebooks with papermill (in parallel) and render each to PDF.

A report is a notebook plus parameters, listed in ``notebooks/reports.yaml``.
Parameters are validated against the notebook's spec before any kernel starts.
A failing notebook makes the run fail; its executed copy is kept as
``<name>.failed.ipynb`` beside the report and the previous good PDF is untouched.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import InputError, ParameterError
from ..io import LineDict, parse_yaml_value, read_yaml

REPORTS_FILE = "reports.yaml"


@dataclass(frozen=True)
class ReportJob:
    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportResult:
    name: str
    ok: bool
    seconds: float
    pdf: Path | None = None
    executed: Path | None = None
    error: str | None = None


def load_jobs(notebooks_dir: Path | None = None) -> list[ReportJob]:
    """The shipped report list."""
    nb_dir = Path(notebooks_dir or paths.notebooks_dir())
    path = nb_dir / REPORTS_FILE
    data = read_yaml(path)
    jobs = []
    for entry in data.get("reports", []):
        line = entry.line if isinstance(entry, LineDict) else None
        unknown = set(entry) - {"name", "notebook", "parameters"}
        if unknown:
            raise InputError(f"unknown keys {sorted(unknown)}", file=path, line=line, field=sorted(unknown)[0])
        nb = nb_dir / entry["notebook"]
        if not nb.is_file():
            raise InputError(f"notebook {entry['notebook']} not found", file=path, line=line, field="notebook")
        jobs.append(ReportJob(entry["name"], nb, dict(entry.get("parameters") or {})))
    return jobs


def spec_for(notebook: Path):
    from ..params import NOTEBOOK_SPECS

    try:
        return NOTEBOOK_SPECS[notebook.stem]
    except KeyError as exc:
        raise InputError("no parameter spec for this notebook in analysis.params.NOTEBOOK_SPECS", file=notebook) from exc


def _parse_cli_value(value: Any) -> Any:
    return parse_yaml_value(value) if isinstance(value, str) else value


def plan(jobs: list[ReportJob], overrides: dict[str, Any], params_file: Path | None = None) -> list[ReportJob]:
    """Apply overrides to the jobs whose spec knows them; validate every job's parameters.

    An override that no selected notebook knows is an error naming it.
    """
    extra: dict[str, Any] = {}
    if params_file is not None:
        data = read_yaml(params_file)
        if not isinstance(data, dict):
            raise InputError("expected a mapping of parameter names to values", file=params_file)
        extra.update(data)
    extra.update({k: _parse_cli_value(v) for k, v in overrides.items()})
    known_anywhere: set[str] = set()
    planned = []
    for job in jobs:
        spec = spec_for(job.notebook)
        names = set(spec.defaults())
        known_anywhere |= names
        params = {**job.parameters, **{k: v for k, v in extra.items() if k in names}}
        spec.from_mapping(params)  # raises ParameterError naming the parameter
        planned.append(ReportJob(job.name, job.notebook, params))
    for name in extra:
        if name not in known_anywhere:
            raise ParameterError(
                f"unknown parameter: no selected notebook takes it ({', '.join(j.name for j in jobs)})",
                parameter=name, file=params_file,
            )
    return planned


def _execute(job: ReportJob, out_dir: Path, output_root: Path) -> ReportResult:
    """Worker: run one notebook with papermill, then render its PDF. Runs in a child process."""
    import papermill as pm

    from .pdf import render

    t0 = time.perf_counter()
    os.environ["IDLIB_OUTPUT"] = str(output_root)
    build = out_dir / "_build" / job.name
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    executed_tmp = build / f"{job.name}.ipynb"
    failed = out_dir / f"{job.name}.failed.ipynb"
    try:
        pm.execute_notebook(
            str(job.notebook), str(executed_tmp), parameters=job.parameters, kernel_name="python3",
            progress_bar=False, cwd=str(paths.REPO), log_output=False,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the run continues
        if executed_tmp.exists():
            os.replace(executed_tmp, failed)
        return ReportResult(job.name, False, time.perf_counter() - t0, executed=failed if failed.exists() else None,
                            error=f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
    try:
        pdf = render(executed_tmp, out_dir / f"{job.name}.pdf", build)
    except Exception as exc:  # noqa: BLE001
        return ReportResult(job.name, False, time.perf_counter() - t0, error=f"PDF rendering failed: {exc}")
    executed = out_dir / f"{job.name}.ipynb"
    os.replace(executed_tmp, executed)
    if failed.exists():
        failed.unlink()
    shutil.rmtree(build, ignore_errors=True)
    return ReportResult(job.name, True, time.perf_counter() - t0, pdf=pdf, executed=executed)


def run_reports(
    notebooks: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    params_file: Path | None = None,
    workers: int = 3,
    output: Path | None = None,
    progress: bool = True,
) -> list[ReportResult]:
    """Execute the selected reports (all by default) and render their PDFs into ``output``."""
    out_dir = Path(output or paths.output_dir())
    if workers < 1:
        raise ParameterError("must be at least 1", parameter="workers")
    jobs = load_jobs()
    if notebooks:
        by_name = {j.name: j for j in jobs}
        selected = []
        for n in notebooks:
            stem = Path(n).stem
            if stem in by_name:
                selected.append(by_name[stem])
            elif Path(n).suffix == ".ipynb" and Path(n).is_file():
                selected.append(ReportJob(stem, Path(n).resolve()))
            else:
                raise ParameterError(f"unknown report; known: {sorted(by_name)}", parameter=n)
        jobs = selected
    jobs = plan(jobs, overrides or {}, params_file)
    dataset = paths.dataset_dir(out_dir)
    if not (dataset / "datapackage.json").is_file():
        from ..dataset import build, publish
        from ..predictions import published_tables

        built = build()
        publish(built, dataset, published_tables(built))
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[ReportResult] = []
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = [pool.submit(_execute, job, out_dir, out_dir) for job in jobs]
        iterator = cf.as_completed(futures)
        if progress:
            from tqdm import tqdm

            iterator = tqdm(iterator, total=len(futures), desc="reports", unit="report")
        for fut in iterator:
            results.append(fut.result())
    with contextlib.suppress(OSError):
        (out_dir / "_build").rmdir()  # only when empty: no worker left anything behind
    order = {j.name: i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.name])
