"""Read a plain-text, HTML or PDF document into the normalised text that is stored and quoted.

HTML is parsed with BeautifulSoup (lxml), PDF text layers are read with pypdf. The
normalised text has Unix newlines, NFC characters, no trailing spaces and at most one
blank line between paragraphs; every quote and offset refers to it. Bad input raises
:class:`~analysis.core.errors.InputError` naming the file.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..core.errors import InputError

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "header", "footer", "blockquote", "pre", "title")


def normalise(text: str) -> str:
    """Normalised text: NFC, ``\\n`` newlines, no trailing spaces, single blank lines.

    >>> normalise("A  line \\r\\n\\r\\n\\r\\nnext\\u00a0one")
    'A  line\\n\\nnext one\\n'
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [ln.rstrip() for ln in text.split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return out + "\n" if out else ""


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        raise InputError("binary file (NUL bytes): not a text, HTML or PDF document", file=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable text: not UTF-8 (byte {exc.start}); convert it to UTF-8 first", file=path) from None


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "template", "svg"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paras if p)


def _pdf_text(path: Path) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"unreadable PDF: {exc}", file=path) from None
    if not "".join(pages).strip():
        raise InputError("PDF has no text layer (a scan?): it needs OCR before it can be extracted", file=path)
    # Layout lines are joined into paragraphs: a line ends its paragraph when it is blank,
    # or clearly shorter than the page's full lines (a heading, a paragraph's last line).
    paras: list[str] = []
    for page in pages:
        current = ""
        lines = page.split("\n")
        full = max((len(" ".join(ln.split())) for ln in lines), default=0)
        for line in lines:
            line = " ".join(line.split())
            if not line:
                if current:
                    paras.append(current)
                current = ""
                continue
            current = f"{current} {line}" if current else line
            if len(line) < 0.8 * full or (re.search(r"[.!?:\"'\u201d]$", line) and len(line) < 0.9 * full):
                paras.append(current)
                current = ""
        if current:
            paras.append(current)
    return "\n\n".join(paras)


def read_document(path: str | Path) -> str:
    """The normalised text of a ``.txt``, ``.html`` or ``.pdf`` document."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"unknown extension {path.suffix or '(none)'!r}; expected one of {', '.join(SUFFIXES)}", file=path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as exc:
        raise InputError(f"unreadable file: {exc.strerror}", file=path) from None
    if not data.strip():
        raise InputError("empty file", file=path)
    if suffix in PDF_SUFFIXES:
        if not data.startswith(b"%PDF"):
            raise InputError("not a PDF (no %PDF header)", file=path)
        text = _pdf_text(path)
    elif suffix in HTML_SUFFIXES:
        text = _html_text(_decode(data, path))
    else:
        text = _decode(data, path)
    text = normalise(text)
    if not text.strip():
        raise InputError("no text in the document", file=path)
    return text
