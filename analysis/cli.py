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
