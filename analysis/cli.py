"""The ``idlib`` command: a thin wrapper over the library functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_guard import MAX_HORIZON_DAYS, MAX_PATHS, int_in, positive_float
from .core import paths
from .core.errors import ParameterError
from .models.registry import FAMILIES


def _cmd_dataset(args: argparse.Namespace) -> int:
    from .core.inputs import dataset_is_current, record_dataset

    out = Path(args.out or paths.dataset_dir())
    if not args.force and dataset_is_current(args.seeds, out):
        print(f"unchanged: {out} (seeds, code and the published files are as at the last build; --force rebuilds)")
        return 0
    from .data.dataset import build, publish, summary
    from .data.interop.export import acled_events, admin_names
    from .data.tables import EVENTS_ACLED
    from .scoring import registry_tables

    dataset = build(args.seeds)
    acled = (EVENTS_ACLED, acled_events(dataset, admin_names(paths.geo_dir(args.seeds))))  # the ACLED layout beside the tables
    publish(dataset, out, (*registry_tables(dataset, args.seeds), acled))  # claims and the prediction registry; scores are `idlib score --publish`
    record_dataset(args.seeds, out)
    print(f"wrote {out}")
    for name, table in summary(dataset).items():
        print(f"\n# rows per {name.rstrip('s')}")
        print(table.to_string(index=False))
    return 0


def _cmd_reports(args: argparse.Namespace) -> int:
    from .report.runner import run_reports

    overrides = {}
    for name, value in args.parameter or []:
        overrides[name] = value
    results = run_reports(
        notebooks=args.notebooks or None,
        overrides=overrides,
        params_file=args.file,
        workers=args.workers,
        output=args.out,
        force=args.force,
        isolated=args.isolated,
    )
    failed = [r for r in results if not r.ok]
    for r in results:
        status = ("cached" if r.cached else "ok") if r.ok else "FAILED"
        print(f"{status:7s} {r.name}: {r.pdf if r.ok else r.error}")
    return 1 if failed else 0


def _cmd_render(args: argparse.Namespace) -> int:
    import tempfile

    from .core.errors import InputError
    from .core.io import read_text
    from .report.pdf import render

    notebook = Path(args.notebook)
    try:
        import json

        json.loads(read_text(notebook))
    except ValueError as exc:
        raise InputError(f"not a notebook (JSON): {exc}", file=notebook) from None
    pdf = Path(args.pdf or notebook.with_suffix(".pdf"))
    with tempfile.TemporaryDirectory(prefix=".render.", dir=pdf.parent if pdf.parent.is_dir() else None) as build:
        render(notebook, pdf, Path(build))
    print(f"wrote {pdf}")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .data.dataset import load
    from .models import registry
    from .models.base import write_quantiles
    from .models.spec import ForecastSpec

    family = registry.family_package(args.target)
    if args.quantity and args.target != registry.TERRITORY:
        raise ParameterError("--quantity applies to territory forecasts only", parameter="quantity")
    quantity = (args.quantity or family.DEFAULT_QUANTITY) if args.target == registry.TERRITORY else ""
    spec = ForecastSpec(args.target, args.as_of, args.model or registry.default_model(args.target), horizon_days=args.horizon_days,
                        n_paths=args.paths, seed=args.seed, quantity=quantity)
    fc = family.forecast_spec(load(args.dataset), spec)
    for note in fc.notes:  # stdout stays the CSV alone
        print(f"note: {note}", file=sys.stderr)
    # People and places are counts: whole numbers (DECIMALS is 0 for both families).
    write_quantiles(fc.quantile_table(), sys.stdout, decimals=family.DECIMALS)
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    from .data.dataset import load
    from .models import registry
    from .models.base import publish_backtest

    family = registry.family_package(args.target)
    if args.quantity and args.target != registry.TERRITORY:
        raise ParameterError("--quantity applies to territory backtests only", parameter="quantity")
    estimated = args.target == registry.TERRITORY and (args.quantity or family.DEFAULT_QUANTITY) == "estimated"
    run = family.backtest_estimated if estimated else family.backtest
    bt = run(load(args.dataset), n_paths=args.paths, seed=args.seed)
    prefix = args.target if estimated or args.target != registry.TERRITORY else "territory_named"
    out = publish_backtest(bt, args.out or paths.output_dir() / "backtest", prefix)
    print(f"wrote {out}")
    return 0


def _cmd_scenario_run(args: argparse.Namespace) -> int:
    from . import scenarios as S
    from .data.dataset import load
    from .data.tables import SCENARIO_QUANTILES, SCENARIO_THRESHOLDS

    spec = S.load_spec(args.file, [S.parse_override(o) for o in args.set or []])
    result = S.run(load(args.dataset), spec)
    # stdout is the CSV alone (pandas and spreadsheets read it as is); what was run goes to stderr.
    print(f"{spec.name} (spec {spec.short_hash}; {spec.n_paths} paths, {spec.as_of.date()} to {spec.end.date()})", file=sys.stderr)
    SCENARIO_THRESHOLDS.write_csv(result.thresholds(), sys.stdout, float_format="%.4f")
    if args.quantiles:
        SCENARIO_QUANTILES.write_csv(result.quantiles(), args.quantiles, float_format="%.10g")  # rounded per variable
        print(f"wrote {args.quantiles}", file=sys.stderr)
    return 0


def _cmd_scenario_sweep(args: argparse.Namespace) -> int:
    from . import scenarios as S
    from .data.dataset import load
    from .data.tables import SWEEP_PROBABILITIES

    grid = S.load_grid(args.grid)
    table = S.sweep(grid, load(args.dataset), scheduler=args.scheduler)
    SWEEP_PROBABILITIES.write_csv(table, args.out or sys.stdout, float_format="%.4f", extra=tuple(k for k, _ in grid.axes))
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from . import scoring as P
    from .data.dataset import load
    from .data.tables import PREDICTION_SCORES
    from .scoring.wep import load_scales

    if args.publish:
        return _publish_scores(args)
    if args.out:
        raise ParameterError("--out applies with --publish only", parameter="out")
    dataset = load(args.dataset)
    scales = load_scales(args.phrases)
    registry, rules = P.load_registry(dataset)
    registry = P.select(registry, args.doc)
    only = P.check_rules(args.rule, rules)
    res = P.resolutions(registry, rules, dataset, only)
    table = P.score(registry, res, dataset, args.scale, scales, rules, gamma=args.gamma)
    PREDICTION_SCORES.write_csv(table, sys.stdout, float_format="%.4f")
    return 0


def _publish_scores(args: argparse.Namespace) -> int:
    """The scoring stage: every prediction resolved and scored on every scale, into reports/scores/."""
    from .data.dataset import load
    from .scoring import publish_scores
    from .scoring.wep import load_scales

    for option in ("doc", "rule"):
        if getattr(args, option):
            raise ParameterError(f"--{option} selects what to print; --publish scores every prediction", parameter=option)
    out = Path(args.out or paths.scores_dir())
    publish_scores(load(args.dataset), out, scales=load_scales(args.phrases))
    print(f"wrote {out}")
    return 0


def _cmd_import_acled(args: argparse.Namespace) -> int:
    import datetime as dt

    from .data.interop.importer import import_acled

    try:
        exported = dt.date.fromisoformat(args.exported) if args.exported else None
    except ValueError:
        raise ParameterError(f"not a date (YYYY-MM-DD): {args.exported!r}", parameter="--exported") from None
    done = import_acled(args.file, args.seeds, doc_id=args.doc_id, exported=exported, title=args.title)
    print(f"imported {done['doc_id']}: {done['control_events']} control events, {done['observations']} fatality observations, "
          f"{done['places']} new gazetteer places")
    for path in done["written"]:
        print(f"  wrote {path}")
    print("next: idlib dataset" + (f" --seeds {args.seeds}" if args.seeds else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="idlib", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="print the traceback of a failure")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dataset", help="build the event dataset from the seeds folder")
    p.add_argument("--seeds", type=Path, default=None, help="seeds folder (default: seeds/)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/dataset)")
    p.add_argument("--force", action="store_true", help="rebuild even if the seeds, code and published files are unchanged")
    p.set_defaults(func=_cmd_dataset)

    p = sub.add_parser("reports", help="execute notebooks and render PDF reports")
    p.add_argument("notebooks", nargs="*", help="report names or notebook paths (default: all)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), help="override a parameter")
    p.add_argument("-f", "--file", type=Path, default=None, help="YAML file of parameters")
    p.add_argument("--workers", type=int_in(1), default=None, help="notebooks run in parallel (default: one per CPU core)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    p.add_argument("--force", action="store_true", help="re-execute every report even if its inputs are unchanged")
    p.add_argument("--isolated", action="store_true", help="start a new Jupyter kernel for every report (default: an in-process kernel in a process forked from one that has imported the libraries)")
    p.set_defaults(func=_cmd_reports)

    p = sub.add_parser("render", help="render an executed notebook (e.g. papermill's output) to PDF, as `idlib reports` does")
    p.add_argument("notebook", type=Path, help="executed notebook (.ipynb)")
    p.add_argument("--pdf", type=Path, default=None, help="PDF to write (default: the notebook's name with .pdf)")
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser("forecast", help="forecast a quantity as of a date; CSV of daily quantiles on stdout")
    p.add_argument("target", choices=list(FAMILIES), help="what to forecast")
    p.add_argument("--as-of", required=True, help="information cut-off (ISO date)")
    p.add_argument("--horizon-days", type=int_in(1, MAX_HORIZON_DAYS), required=True, help="days after the cut-off to forecast")
    p.add_argument("--model", default=None, help="model name (default: the one the backtest favours)")
    p.add_argument("--quantity", default=None, choices=["estimated", "named"],
                   help="territory only: places taken by the government in the world, estimated from the named ones (default), or the named net gains (a lower bound)")
    p.add_argument("--paths", type=int_in(1, MAX_PATHS), default=10_000, help="Monte Carlo paths (default 10000)")
    p.add_argument("--seed", type=int_in(0), default=0, help="random seed (default 0)")
    p.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    p.set_defaults(func=_cmd_forecast)

    p = sub.add_parser("backtest", help="score every model at every origin; writes scores and summary CSVs")
    p.add_argument("target", choices=list(FAMILIES), help="what to backtest")
    p.add_argument("--quantity", default=None, choices=["estimated", "named"],
                   help="territory only: judge the estimated places taken (default; territory_*.csv) or the named net gains (territory_named_*.csv)")
    p.add_argument("--paths", type=int_in(1, MAX_PATHS), default=10_000, help="Monte Carlo paths (default 10000)")
    p.add_argument("--seed", type=int_in(0), default=0, help="random seed (default 0)")
    p.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/backtest)")
    p.set_defaults(func=_cmd_backtest)

    p = sub.add_parser("score", help="analyst predictions against outcomes; CSV of probability ranges, resolutions and scores")
    p.add_argument("--doc", default=None, help="only this document's predictions (doc_id)")
    p.add_argument("--scale", default="icd203", help="verbal probability scale: kent, icd203 or phia (default icd203)")
    p.add_argument("--rule", action="append", default=None, help="only this resolution rule (repeatable)")
    p.add_argument("--phrases", type=Path, default=None, help="YAML phrase map extending the built-in one for words outside the scales (its ranges win for phrases in both; format in the README)")
    p.add_argument("--gamma", type=positive_float, default=1.5, help="recalibration: p' = expit(gamma * logit(p)) (default 1.5)")
    p.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    p.add_argument("--publish", action="store_true", help="the scoring stage: resolve and score every prediction on every scale into --out")
    p.add_argument("--out", type=Path, default=None, help="with --publish: output folder (default: reports/scores)")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("scenario", help="run a scenario file, or sweep a grid of scenario parameters")
    ssub = p.add_subparsers(dest="action", required=True)
    q = ssub.add_parser("run", help="run one scenario; prints its threshold probabilities as CSV")
    q.add_argument("file", help="scenario YAML (a path, or a name in seeds/scenarios)")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a key (dotted: ceasefire.date=2020-01-20, phases.1.intensity=0.5)")
    q.add_argument("--quantiles", type=Path, default=None, help="also write the paths' daily quantiles to this CSV")
    q.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    q.set_defaults(func=_cmd_scenario_run)
    q = ssub.add_parser("sweep", help="run a grid of parameter values; prints a tidy CSV of threshold probabilities")
    q.add_argument("grid", type=Path, help="sweep YAML: base, n_paths and grid (key: [values])")
    q.add_argument("--scheduler", default=None, help="Dask scheduler address (needs the [dask] extra); default: in-process")
    q.add_argument("--out", type=Path, default=None, help="write the CSV here instead of stdout")
    q.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    q.set_defaults(func=_cmd_scenario_sweep)

    p = sub.add_parser("import", help="add an export in a field format to the seeds folder as a source document with claims")
    isub = p.add_subparsers(dest="format", required=True)
    q = isub.add_parser("acled", help="an ACLED export (CSV): the file, a catalog entry, control events and fatality observations, new places")
    q.add_argument("file", type=Path, help="ACLED export (.csv, UTF-8)")
    q.add_argument("--seeds", type=Path, default=None, help="seeds folder to add to (default: seeds/)")
    q.add_argument("--doc-id", default=None, help="document id (default: acled_ and the file's stem)")
    q.add_argument("--exported", default=None, help="export date YYYY-MM-DD (default: the day of the latest row timestamp)")
    q.add_argument("--title", default=None, help="catalog title (default: 'ACLED export FILE')")
    q.set_defaults(func=_cmd_import_acled)

    from .extract.cli import add_parsers as add_extract_parsers

    add_extract_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .cli_guard import run, stated_warnings

    with stated_warnings():
        return run(args.func, args, debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
