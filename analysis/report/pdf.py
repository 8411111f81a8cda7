"""Executed notebook -> PDF, without LaTeX or a browser: pandoc (Lua filter) -> typst.

Pandoc comes from the ``pypandoc-binary`` wheel and typst from the ``typst``
wheel; fonts are matplotlib's bundled DejaVu, so every machine renders the same
bytes. Pandoc runs inside the build folder so image paths stay relative and
inside typst's root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import matplotlib
import pypandoc
import typst

HERE = Path(__file__).resolve().parent
LUA_FILTER = HERE / "notebook.lua"
TEMPLATE = HERE / "report.typ"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def notebook_to_typst(notebook: Path, build_dir: Path, footer: str) -> Path:
    """Convert an executed notebook to a typst source in ``build_dir``."""
    build_dir.mkdir(parents=True, exist_ok=True)
    local = build_dir / notebook.name
    if notebook.resolve() != local.resolve():
        shutil.copyfile(notebook, local)
    media = build_dir / "media"
    shutil.rmtree(media, ignore_errors=True)
    out = local.with_suffix(".typ")
    cmd = [
        pandoc_path(), local.name, "-f", "ipynb", "--ipynb-output=all", "-t", "typst",
        "--extract-media=media", f"--lua-filter={LUA_FILTER}", f"--template={TEMPLATE}",
        "-V", f"report-footer={footer}", "-o", out.name,
    ]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    proc = subprocess.run(cmd, cwd=build_dir, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"pandoc failed on {notebook.name}: {proc.stderr.strip()}")
    return out


def typst_to_pdf(source: Path, pdf: Path) -> Path:
    """Compile typst to PDF with the bundled fonts only."""
    typst.compile(
        str(source), output=str(pdf), root=str(source.parent),
        font_paths=[str(FONT_DIR)], ignore_system_fonts=True,
    )
    return pdf


def render(notebook: Path, pdf: Path, build_dir: Path, footer: str = "idlib-forecast") -> Path:
    """Executed notebook -> PDF at ``pdf`` (written via a temporary file in ``build_dir``)."""
    source = notebook_to_typst(notebook, build_dir, footer)
    tmp_pdf = build_dir / (pdf.name + ".tmp")
    typst_to_pdf(source, tmp_pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp_pdf, pdf)
    return pdf
