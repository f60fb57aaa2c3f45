"""The files an edition publishes beside its website, each declared once.

Every output says its key (as ``edition.json`` records it under ``files``), its file name from
the edition, whether the PDF build makes it, and the words of its link. The site's menu and
edition bar, the root page, the kept-files rule of a website-only build and ``planbook publish``
loop over :data:`OUTPUTS` (or over an edition's record of them), never naming an output.
The downloads (CSV and Excel tables, ``downloads/``) are listed by :mod:`planbook.book.downloads`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from planbook.book.edition import Edition


@dataclass(frozen=True)
class Made:
    """What an output's maker gets: the edition, the LaTeX folder Sphinx wrote (with the
    Word copy's tree), the folder to write into and the logs' folder."""

    edition: Edition
    latex: Path
    folder: Path
    logs: Path


@dataclass(frozen=True)
class Output:
    key: str
    suffix: str  # after ``<stem>-<year>``: ``.pdf``, ``-brief.pdf``
    words: str  # phrase key of its link (menu, edition bar)
    root_words: str  # phrase key of its link on the root page
    icon: str  # of its entry in the site's ⤓ menu
    make: Callable[[Made], Path]
    with_pdf: bool = True  # made by a PDF build (a website-only build keeps the published one)
    tooltip: str | None = None  # phrase key; the link's words when None
    landing: str | None = None  # phrase key of its link on the edition's landing page (None: no link)

    def filename(self, edition: Edition) -> str:
        return f"{edition.names.stem}-{edition.year}{self.suffix}"


def _make_pdf(m: Made) -> Path:
    from planbook.book.pdf import typeset

    path, _ = typeset(m.latex, m.logs, m.edition.year, PDF.filename(m.edition))
    return path


def _make_docx(m: Made) -> Path:
    from planbook.book.docx import TREE_FILE, write_docx

    ed = m.edition
    return write_docx(m.latex / TREE_FILE, ed.report, m.folder / DOCX.filename(ed), ed.names.title, ed.names.author)


def _make_brief(m: Made) -> Path:
    from planbook.book.brief import write_brief

    return write_brief(m.edition, m.folder / BRIEF.filename(m.edition), m.logs)


PDF = Output("pdf", ".pdf", "downloads.pdf", "outputs.pdf", "fas fa-file-pdf", _make_pdf, tooltip="site.pdf_tooltip")
DOCX = Output("docx", ".docx", "downloads.docx", "outputs.docx", "fas fa-file-word", _make_docx)
BRIEF = Output("brief", "-brief.pdf", "brief.link", "brief.root_link", "fas fa-file-alt", _make_brief,
               tooltip="brief.tooltip", landing="brief.landing")
OUTPUTS: tuple[Output, ...] = (PDF, DOCX, BRIEF)
BY_KEY = {o.key: o for o in OUTPUTS}


def output_files(edition: Edition, keys=None) -> dict[str, str]:
    """``{key: file name}`` of the outputs ``keys`` (default: every output), in registry order."""
    return {o.key: o.filename(edition) for o in OUTPUTS if keys is None or o.key in keys}


def recorded_files(record: dict) -> dict[str, str]:
    """``{key: file name}`` of the outputs an edition record names: its ``files``, or the
    ``pdf`` and ``docx`` fields of a record published before outputs were recorded by key."""
    files = record.get("files")
    if isinstance(files, dict):
        return {k: v for k, v in files.items() if isinstance(v, str) and v}
    return {k: record[k] for k in ("pdf", "docx") if isinstance(record.get(k), str) and record[k]}


def menu_entries(files: dict[str, str]) -> list[dict[str, str]]:
    """The site's links to ``files`` (``{key: name}``), for its Sphinx configuration: the
    site's menu and edition bar show them in this order with these words."""
    from planbook.words import W

    return [{"key": o.key, "file": files[o.key], "text": W(o.words), "tooltip": W(o.tooltip or o.words),
             "icon": o.icon} for o in OUTPUTS if o.key in files]
