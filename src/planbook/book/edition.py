"""One edition being built: its data, year, language, draft or final, PDF layout and names.

An :class:`Edition` is made once per edition build and handed to every writer (generated
pages, print pages, LaTeX front matter, downloads, edition record, Word copy, brief), so the
edition's :class:`~planbook.report.report.Report` — its assessments — is computed once and
shared, not rebuilt by each writer from ``(data, year)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from planbook.inputs.dataset import DataSet
from planbook.report.report import Report


@dataclass(frozen=True)
class Names:
    """The book's names, from its configuration (``_config.yml``)."""

    title: str  # the book's title, without the edition
    author: str
    stem: str  # of every output file: ``latex.latex_documents.targetname`` without ``.tex``

    @classmethod
    def of(cls, config: dict) -> Names:
        target = ((config.get("latex") or {}).get("latex_documents") or {}).get("targetname") or "book.tex"
        return cls(title=str(config.get("title", "")), author=str(config.get("author", "")), stem=Path(target).stem)


@dataclass(frozen=True)
class Edition:
    """One edition build. ``data`` is the snapshot read and validated once; ``layout`` the PDF's
    layout (``book`` or ``gongwen``) or None for a website-only build."""

    data: DataSet
    year: int
    names: Names
    language: str = "zh_CN"
    draft: bool = False
    layout: str | None = None

    @classmethod
    def of(cls, data: DataSet, year: int, config: dict, draft: bool = False, layout: str | None = None) -> Edition:
        return cls(data=data, year=int(year), names=Names.of(config), draft=draft, layout=layout or None)

    @cached_property
    def report(self) -> Report:
        """The edition's assessments, made on first use and shared by every writer."""
        return Report(data=self.data, year=self.year)

    @property
    def pdf(self) -> bool:
        return self.layout is not None
