"""The ``idlib`` command: a thin wrapper over the library functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import paths
from .errors import InputError


def _cmd_dataset(args: argparse.Namespace) -> int:
    from .dataset import build, publish, summary

    dataset = build(args.seeds)
    out = publish(dataset, args.out or paths.dataset_dir())
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
    )
    failed = [r for r in results if not r.ok]
    for r in results:
        status = "ok" if r.ok else "FAILED"
        print(f"{status:7s} {r.name}: {r.pdf if r.ok else r.error}")
    return 1 if failed else 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .dataset import load
    from .forecast import write_quantiles

    module = _model_module(args.target)
    fc = module.forecast(load(args.dataset), args.as_of, args.horizon_days, args.model or module.DEFAULT_MODEL, n_paths=args.paths, seed=args.seed)
    write_quantiles(fc.quantile_table(), sys.stdout, decimals=module.DECIMALS)
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    from .dataset import load
    from .forecast import publish_backtest

    module = _model_module(args.target)
    bt = module.backtest(load(args.dataset), n_paths=args.paths, seed=args.seed)
    out = publish_backtest(bt, args.out or paths.output_dir() / "backtest", args.target)
    print(f"wrote {out}")
    return 0


def _model_module(target: str):
    from . import displacement, territory

    return {"displacement": displacement, "territory": territory}[target]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="idlib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dataset", help="build the event dataset from the seeds folder")
    p.add_argument("--seeds", type=Path, default=None, help="seeds folder (default: seeds/)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/dataset)")
    p.set_defaults(func=_cmd_dataset)

    p = sub.add_parser("reports", help="execute notebooks and render PDF reports")
    p.add_argument("notebooks", nargs="*", help="report names or notebook paths (default: all)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), help="override a parameter")
    p.add_argument("-f", "--file", type=Path, default=None, help="YAML file of parameters")
    p.add_argument("--workers", type=int, default=3, help="notebooks run in parallel (default 3)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    p.set_defaults(func=_cmd_reports)

    p = sub.add_parser("forecast", help="forecast a quantity as of a date; CSV of daily quantiles on stdout")
    p.add_argument("target", choices=["displacement", "territory"], help="what to forecast")
    p.add_argument("--as-of", required=True, help="information cut-off (ISO date)")
    p.add_argument("--horizon-days", type=int, required=True, help="days after the cut-off to forecast")
    p.add_argument("--model", default=None, help="model name (default: the one the backtest favours)")
    p.add_argument("--paths", type=int, default=10_000, help="Monte Carlo paths (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    p.set_defaults(func=_cmd_forecast)

    p = sub.add_parser("backtest", help="score every model at every origin; writes scores and summary CSVs")
    p.add_argument("target", choices=["displacement", "territory"], help="what to backtest")
    p.add_argument("--paths", type=int, default=10_000, help="Monte Carlo paths (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--dataset", type=Path, default=None, help="published dataset folder (default: reports/dataset)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/backtest)")
    p.set_defaults(func=_cmd_backtest)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
