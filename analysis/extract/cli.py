"""``idlib extract`` and ``idlib accept``: thin wrappers over the library functions."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import InputError


def _cmd_extract(args: argparse.Namespace) -> int:
    from .pipeline import extract_paths

    results = extract_paths(args.paths, out=args.out, published=args.published, seeds=args.seeds, workers=args.workers, scheduler=args.scheduler)
    failed = 0
    for r in results:
        if r.ok:
            counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in r.counts)
            print(f"drafted {r.folder}: {counts}")
            for note in r.notes:
                print(f"  note: {note}")
        else:
            failed += 1
            print(f"error: {r.error}", file=__import__("sys").stderr)
    return 2 if failed else 0


def _cmd_accept(args: argparse.Namespace) -> int:
    from .accept import accept

    done = accept(args.folder, seeds=args.seeds)
    print(f"accepted {done['doc_id']}: {done['claims']} claims, {done['predictions']} estimative statements, "
          f"{done['places']} gazetteer entries ({done['rejected']} claims rejected)")
    for path in done["written"]:
        print(f"  wrote {path}")
    if args.no_rebuild:
        return 0
    from ..cli import main

    return main(["dataset", "--force", *(["--seeds", str(args.seeds)] if args.seeds else [])])


def add_parsers(sub) -> None:
    p = sub.add_parser("extract", help="draft claims, estimative statements and gazetteer entries from new documents (text, HTML, PDF)")
    p.add_argument("paths", nargs="+", type=Path, help="documents, or folders of documents (.txt, .html, .pdf)")
    p.add_argument("--published", default=None, help="publication date (YYYY-MM-DD), required when the text gives none")
    p.add_argument("--out", type=Path, default=None, help="drafts folder (default: drafts/)")
    p.add_argument("--seeds", type=Path, default=None, help="seeds folder whose gazetteer and catalog are used (default: seeds/)")
    p.add_argument("--workers", type=int, default=None, help="processes for a folder (default: one per CPU core)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (needs the [dask] extra); default: this machine's cores")
    p.set_defaults(func=_cmd_extract)
    p = sub.add_parser("accept", help="move a reviewed draft folder into seeds/ and rebuild the dataset")
    p.add_argument("folder", type=Path, help="drafts/<doc_id>")
    p.add_argument("--seeds", type=Path, default=None, help="seeds folder to add to (default: seeds/)")
    p.add_argument("--no-rebuild", action="store_true", help="do not rebuild the dataset afterwards")
    p.set_defaults(func=_cmd_accept)


__all__ = ["add_parsers", "InputError"]
