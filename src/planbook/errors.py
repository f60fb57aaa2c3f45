"""Errors that a person can act on.

Every problem names the file, the row and the field it was found in and says
what was expected.  Validation collects *all* problems before raising, so a
statistician fixing a spreadsheet sees the whole list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input.

    ``row`` is the 1-based line of the file as a person sees it in an editor
    or in Excel (the header is row 1); ``None`` when the problem is about the
    whole file.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class PlanbookError(Exception):
    """Base class of every error the command line turns into exit code 2."""

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(PlanbookError):
    """One or more problems in the catalogue or the data files."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_problem_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return (type(self), (self.problems,))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class BuildError(PlanbookError):
    """A notebook, Sphinx or LaTeX step failed; the last good output is untouched."""


class NotebookError(BuildError):
    """A cell failed while executing a chapter notebook."""

    def __init__(self, notebook: str, year: int, cell: int | None, ename: str, evalue: str):
        self.notebook, self.year, self.cell = notebook, year, cell
        self.ename, self.evalue = ename, evalue
        where = f"cell {cell}" if cell is not None else "a cell"
        super().__init__(f"{notebook} (year {year}): {where} raised {ename}: {evalue}")

    def __reduce__(self):  # raised in a worker process, re-raised in the parent
        return (type(self), (self.notebook, self.year, self.cell, self.ename, self.evalue))


def _problem_key(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.field or "", p.message)


def display_path(path: Path, root: Path | None = None) -> str:
    """A short path for messages: relative to ``root`` when possible."""
    path = Path(path)
    if root is not None:
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)
