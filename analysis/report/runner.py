"""Run report notebooks with papermill (in parallel) and render each to PDF.

A report is a notebook plus parameters, listed in ``notebooks/reports.yaml``.
Parameters are validated against the notebook's spec before any notebook runs.
Each report runs in a process of its own, forked from a server that imported the
libraries once for the whole run (:mod:`.preload`), in an in-process kernel
(:mod:`.inprocess`); ``isolated`` gives each report a new Jupyter kernel instead.
A failing notebook makes the run fail; its executed copy is kept as
``<name>.failed.ipynb`` beside the report and the previous good PDF is untouched.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.errors import InputError, ParameterError
from ..core.inputs import CACHE_DIR, sources_digest, tree_digest
from ..core.io import LineDict, parse_yaml_value, read_yaml, write_json
from .naming import report_name, run_lock

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
    cached: bool = False  # inputs unchanged since the last good render: the PDF was reused


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


def _select(given: str, by_name: dict[str, ReportJob]) -> ReportJob:
    """The report a command-line argument names: a report name, or a notebook file to run.

    A notebook given as a path is run as given, even if it shares a shipped notebook's name; if it
    is not the shipped notebook its files carry ``__notebook-<folder>``, so the shipped report's
    PDF is not overwritten.
    """
    p = Path(given)
    if p.suffix != ".ipynb":
        if given in by_name:
            return by_name[given]
        raise ParameterError(f"unknown report; known: {sorted(by_name)} (or give a notebook file, *.ipynb)", parameter=given)
    if not p.is_file():
        if p.name == given and p.stem in by_name:  # "02_displacement.ipynb": the report's name with a suffix
            return by_name[p.stem]
        raise InputError("no such notebook file", file=p)
    nb = p.resolve()
    shipped = [j for j in by_name.values() if j.notebook.resolve() == nb]
    if shipped:  # a shipped notebook: its report without parameters, else the notebook's defaults
        return next((j for j in shipped if not j.parameters), ReportJob(p.stem, nb))
    name = p.stem
    if name in by_name or any(j.notebook.stem == name for j in by_name.values()):
        name = report_name(p.stem, {}, {"notebook": nb.parent.name})
    return ReportJob(name, nb)


def spec_for(notebook: Path):
    from .params import NOTEBOOK_SPECS

    try:
        return NOTEBOOK_SPECS[notebook.stem]
    except KeyError as exc:
        raise InputError("no parameter spec for this notebook in analysis.report.params.NOTEBOOK_SPECS", file=notebook) from exc


def _parse_cli_value(name: str, value: Any) -> Any:
    return parse_yaml_value(value, name) if isinstance(value, str) else value


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
    extra.update({k: _parse_cli_value(k, v) for k, v in overrides.items()})
    known_anywhere: set[str] = set()
    planned = []
    for job in jobs:
        spec = spec_for(job.notebook)
        names = set(spec.defaults())
        known_anywhere |= names
        params = {**job.parameters, **{k: v for k, v in extra.items() if k in names}}
        spec.from_mapping(params)  # raises ParameterError naming the parameter
        planned.append(ReportJob(report_name(job.name, job.parameters, params), job.notebook, params))
    for name in extra:
        if name not in known_anywhere:
            raise ParameterError(
                f"unknown parameter: no selected notebook takes it ({', '.join(j.name for j in jobs)})",
                parameter=name, file=params_file,
            )
    return planned


DURATIONS = "durations.json"


def input_key(job: ReportJob, inputs: str) -> str:
    """SHA-256 of everything a report depends on: notebook, parameters, and ``inputs``.

    ``inputs`` digests what every report of a run shares, computed once a run: the
    dataset, seeds, code and library versions (:func:`run_inputs`). The same key means
    the same inputs, so the last good PDF (byte-identical by construction) can be
    reused instead of re-executing the notebook.
    """
    import hashlib

    h = hashlib.sha256()
    h.update(job.notebook.read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    h.update(inputs.encode())
    return h.hexdigest()


def run_inputs(dataset_dir: Path) -> str:
    """The digest of the published dataset, the seeds, the code and the library versions."""
    return f"{tree_digest(dataset_dir)} {sources_digest()}"


def _durations(out_dir: Path) -> dict[str, float]:
    """Seconds each report took when last executed (used only to order the work)."""
    try:
        data = json.loads((out_dir / CACHE_DIR / DURATIONS).read_text())
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, int | float)} if isinstance(data, dict) else {}


def _cached(job: ReportJob, out_dir: Path, key: str) -> ReportResult | None:
    pdf, executed, stamp = out_dir / f"{job.name}.pdf", out_dir / f"{job.name}.ipynb", out_dir / CACHE_DIR / f"{job.name}.sha256"
    if pdf.is_file() and executed.is_file() and stamp.is_file() and stamp.read_text().strip() == key:
        return ReportResult(job.name, True, 0.0, pdf=pdf, executed=executed, cached=True)
    return None


def _forkserver():
    """The multiprocessing context whose processes fork from one that has imported :mod:`.preload`.

    The server starts at once and imports in the background; None where the
    platform has no forkserver (each report then gets a new Jupyter kernel).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["analysis.report.preload"])
    forkserver.ensure_running()
    return ctx


def _stop_forkserver(now: bool = False) -> None:
    """Stop the forkserver, so that the next run imports the package afresh: its code may have changed.

    ``now``: kill it rather than wait for it to finish importing (the run failed).
    """
    import signal
    from multiprocessing import forkserver

    server = forkserver._forkserver  # private, as Python's own tests stop it; skipped if it ever changes
    pid, stop = getattr(server, "_forkserver_pid", None), getattr(server, "_stop", None)
    if now and pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if stop is not None:
        stop()


def _execute(job: ReportJob, out_dir: Path, key: str | None = None, in_process: bool = True) -> ReportResult:
    """Run one notebook with papermill, then render its PDF. Runs in the report's own process.

    ``in_process``: execute in an in-process kernel (:mod:`.inprocess`), in a process
    forked from the preloaded one; otherwise start a new Jupyter kernel for the report.
    """
    t0 = time.perf_counter()
    os.environ["IDLIB_OUTPUT"] = str(out_dir)
    kernel = None
    if in_process:
        from .inprocess import ENGINE as engine
    else:
        from .kernel import Kernel

        engine, kernel = None, Kernel(paths.REPO)
        with contextlib.suppress(Exception):  # a kernel that cannot start fails below, inside the report's error handling
            kernel.start()  # the kernel boots while papermill is imported

    import papermill as pm

    from .pdf import render

    build = out_dir / "_build" / job.name
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    executed_tmp = build / f"{job.name}.ipynb"
    failed = out_dir / f"{job.name}.failed.ipynb"
    try:
        pm.execute_notebook(
            str(job.notebook), str(executed_tmp), parameters=job.parameters, kernel_name="python3", engine_name=engine,
            progress_bar=False, cwd=str(paths.REPO), log_output=False, km=kernel.ready() if kernel else None,
            request_save_on_cell_execute=False,  # written once, at the end or on failure: it is a scratch copy
        )
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the run continues
        if _is_notebook(executed_tmp):  # kept for reading; an empty or cut-short copy (full disk) is not
            with contextlib.suppress(OSError):
                os.replace(executed_tmp, failed)
        shutil.rmtree(build, ignore_errors=True)
        return ReportResult(job.name, False, time.perf_counter() - t0, executed=failed if failed.exists() else None,
                            error=_why(exc))
    finally:
        if kernel is not None:
            kernel.shutdown()
    try:
        pdf = render(executed_tmp, out_dir / f"{job.name}.pdf", build)
    except Exception as exc:  # noqa: BLE001
        shutil.rmtree(build, ignore_errors=True)  # no partial .pdf.tmp stays behind
        return ReportResult(job.name, False, time.perf_counter() - t0, error=f"PDF rendering failed: {_why(exc)}")
    executed = out_dir / f"{job.name}.ipynb"
    os.replace(executed_tmp, executed)
    if failed.exists():
        failed.unlink()
    shutil.rmtree(build, ignore_errors=True)
    if key is not None:
        from ..core.io import write_text

        (out_dir / CACHE_DIR).mkdir(exist_ok=True)
        write_text(out_dir / CACHE_DIR / f"{job.name}.sha256", key + "\n")
    return ReportResult(job.name, True, time.perf_counter() - t0, pdf=pdf, executed=executed)


def _why(exc: BaseException) -> str:
    """One line for a report's failure: a disk error as the CLI says it, otherwise the exception's last line."""
    if isinstance(exc, OSError):
        from ..cli_guard import describe

        return describe(exc)
    text = str(exc).strip()
    if "No space left on device" in text:  # said by pandoc or typst, whose errors arrive as text
        return "no space left on the device; earlier outputs were left in place"
    return f"{type(exc).__name__}: {text.splitlines()[-1] if text else ''}"


def _report_process(conn, job: ReportJob, out_dir: Path, key: str, in_process: bool, env: dict[str, str]) -> None:
    """A report's process: run it and send the result back.

    ``env`` is the run's environment: a forked process would otherwise have the
    forkserver's, from whenever that started.
    """
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # a group of its own (with typst, a kernel), which the parent stops whole
    try:
        os.environ.clear()
        os.environ.update(env)
        if in_process:
            from .inprocess import ENVIRONMENT

            os.environ.update({k: v for k, v in ENVIRONMENT.items() if k not in env})
        result = _execute(job, out_dir, key, in_process)
    except BaseException as exc:  # noqa: BLE001 - the parent must hear about any failure
        result = ReportResult(job.name, False, 0.0, error=_why(exc))
    with contextlib.suppress(OSError):  # the parent was stopped: nobody to tell
        conn.send(result)
        conn.close()


def _stop(proc, grace: float = 5.0) -> None:
    """Stop a report's process and everything it started (its process group): SIGTERM, then SIGKILL."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.exitcode is not None:
            break
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, sig)  # the group it made itself
        with contextlib.suppress(OSError):
            os.kill(proc.pid, sig)  # in case it was stopped before it could
        proc.join(grace)


def _run_processes(ctx, todo: list[ReportJob], workers: int, out_dir: Path, keys: dict[str, str], in_process: bool):
    """Run each report in a new process of ``ctx``, at most ``workers`` at a time; yield results as they finish."""
    from multiprocessing.connection import wait

    pending, running = list(todo), {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_report_process, args=(send, job, out_dir, keys[job.name], in_process, dict(os.environ)),
                                   name=f"report {job.name}")
                proc.start()
                send.close()  # the child holds the only sending end: its exit shows as end-of-file
                running[recv] = (job, proc)
            for recv in wait(list(running)):
                job, proc = running.pop(recv)
                try:
                    result = recv.recv()
                except EOFError:  # it died before sending anything
                    result = None
                recv.close()
                proc.join()
                yield result or ReportResult(job.name, False, 0.0, error=f"the report's process died (exit code {proc.exitcode})")
    finally:
        for _job, proc in running.values():  # interrupted: stop the reports still running
            _stop(proc)


def run_reports(
    notebooks: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    params_file: Path | None = None,
    workers: int | None = None,
    output: Path | None = None,
    progress: bool = True,
    force: bool = False,
    isolated: bool = False,
) -> list[ReportResult]:
    """Execute the selected reports (all by default) and render their PDFs into ``output``.

    A report whose inputs (:func:`input_key`) are unchanged since its last good
    render is reused, not re-executed, unless ``force``. Each report runs in a
    process of its own, ``workers`` (default: one per CPU core) at a time, longest
    first. The processes fork from one that has imported the libraries once and
    run the notebook in an in-process kernel (:mod:`.inprocess`); ``isolated``
    starts a new Jupyter kernel for every report instead.
    """
    out_dir = Path(output or paths.output_dir())
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ParameterError("must be at least 1", parameter="workers")
    # With --force there is work to do: the forkserver imports while the parameters are checked.
    # Nothing runs before they pass.
    ctx = _forkserver() if force and not isolated else None
    jobs: list[ReportJob] = []
    try:
        jobs = _planned(notebooks, overrides, params_file)
        with run_lock(out_dir):
            _remove_leftovers(out_dir)
            try:
                results = _run(ctx, jobs, workers, out_dir, progress, force, isolated)
            except BaseException:  # interrupted or failed: the reports are stopped by now; their build files go
                shutil.rmtree(out_dir / "_build", ignore_errors=True)
                raise
    except OSError as exc:
        # The output folder cannot be written (read-only, full): no report ran; each says why.
        _stop_forkserver(now=True)
        if not jobs:
            raise
        from ..cli_guard import describe

        return [ReportResult(j.name, False, 0.0, error=f"not run: {describe(exc)}") for j in jobs]
    except BaseException:
        _stop_forkserver(now=True)
        raise
    _stop_forkserver()
    return results


def _planned(notebooks: list[str] | None, overrides: dict[str, Any] | None, params_file: Path | None) -> list[ReportJob]:
    """The selected reports with their parameters validated (nothing is written)."""
    jobs = load_jobs()
    if notebooks:
        by_name = {j.name: j for j in jobs}
        jobs = [_select(n, by_name) for n in notebooks]
    return plan(jobs, overrides or {}, params_file)


def _is_notebook(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_bytes()), dict)
    except (OSError, ValueError):
        return False


def _remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove what killed or failed runs left: build folders, and executed copies that are not notebooks.

    Runs under the run lock, so no other run is using ``_build``. A ``*.failed.ipynb`` is kept only
    when it is a whole notebook (a full disk can leave it empty or cut short).
    """
    removed = []
    build = out_dir / "_build"
    if build.exists():
        shutil.rmtree(build, ignore_errors=True)
        removed.append(build)
    for f in out_dir.glob("*.failed.ipynb"):
        if not _is_notebook(f):
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
            removed.append(f)
    return removed


def _run(ctx, jobs, workers, out_dir, progress, force, isolated) -> list[ReportResult]:
    dataset = paths.dataset_dir(out_dir)
    if not (dataset / "datapackage.json").is_file():
        from ..core.inputs import record_dataset
        from ..data.dataset import build, publish
        from ..scoring import registry_tables

        built = build()
        publish(built, dataset, registry_tables(built))
        record_dataset(None, dataset)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[ReportResult] = []
    inputs = run_inputs(dataset)
    keys = {job.name: input_key(job, inputs) for job in jobs}
    todo = []
    for job in jobs:
        hit = None if force else _cached(job, out_dir, keys[job.name])
        if hit is None:
            todo.append(job)
        else:
            results.append(hit)
    if not todo:
        return results
    seconds = _durations(out_dir)
    # Longest first (by the last run's times; new reports first), so no long report starts last.
    todo.sort(key=lambda j: -seconds.get(j.name, float("inf")))
    if not isolated:
        ctx = ctx or _forkserver()
    in_process = ctx is not None
    ctx = ctx or multiprocessing.get_context("spawn")
    processes = _run_processes(ctx, todo, min(workers, len(todo)), out_dir, keys, in_process)
    finished = processes
    if progress:
        from tqdm import tqdm

        finished = tqdm(processes, total=len(todo), desc="reports", unit="report")
    try:
        results.extend(finished)
    finally:
        processes.close()  # an interrupt outside the generator must still stop the reports (its finally)
    seconds |= {r.name: round(r.seconds, 2) for r in results if r.ok and not r.cached}
    with contextlib.suppress(OSError):  # only orders the next run's work: a full disk must not hide the results
        (out_dir / CACHE_DIR).mkdir(exist_ok=True)
        write_json(out_dir / CACHE_DIR / DURATIONS, dict(sorted(seconds.items())))
    with contextlib.suppress(OSError):
        (out_dir / "_build").rmdir()  # only when empty: no worker left anything behind
    order = {j.name: i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.name])
