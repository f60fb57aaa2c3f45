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


# --- messages in the reader's language -------------------------------------------------------
#
# Messages are written in English where they arise (the developers' language, and what the tests
# and logs of the code base read). The command line shows them in Chinese to the staff who act
# on them: each English message is matched against the ``messages.patterns`` of the phrasebook
# (``locale/zh_CN.yaml``; a regular expression ``en`` with named groups, and the ``zh`` template
# that says the same with those groups), and the place (file, row, field) is said in Chinese.
# A message no pattern matches keeps its English text after the Chinese place: nothing is lost.

LANGUAGES = ("zh", "en")
_LANGUAGE: str | None = None


def message_language(explicit: str | None = None) -> str:
    """``zh`` or ``en``: ``explicit`` (``--lang``), else ``PLANBOOK_LANG``, else the locale
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set): English when it names English
    (``en_US.UTF-8``), Chinese otherwise — the report's staff read Chinese, and a server's
    ``C``/``POSIX`` locale says nothing about its reader."""
    import os

    if explicit:
        return explicit
    chosen = os.environ.get("PLANBOOK_LANG", "").strip().lower()
    if chosen:
        return "en" if chosen.startswith("en") else "zh"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def set_language(language: str | None) -> str:
    """Choose the language of this process's messages (the command line does, from ``--lang``)."""
    global _LANGUAGE
    _LANGUAGE = message_language(language)
    return _LANGUAGE


def language() -> str:
    return _LANGUAGE or message_language()


def forget_language() -> None:
    """Back to the environment's choice (the command line does when it returns)."""
    global _LANGUAGE
    _LANGUAGE = None


def _patterns() -> list:
    import re

    from planbook.words import active

    book = active()
    cached = getattr(book, "_message_patterns", None)
    if cached is None:
        names = [k[len("messages.patterns."):-len(".en")] for k in book.entries
                 if k.startswith("messages.patterns.") and k.endswith(".en")]
        cached = [(name, re.compile(book.entries[f"messages.patterns.{name}.en"], re.S),
                   book.entries[f"messages.patterns.{name}.zh"]) for name in names]
        book._message_patterns = cached
    return cached


def translate(message: str) -> str | None:
    """``message`` in Chinese, or None when no pattern of the phrasebook matches it. A message
    of several lines (a build error with the log's lines) is matched on its first line; the
    others follow as they are."""
    from planbook.words import active

    first, sep, rest = message.partition("\n")
    book = active()
    for name, pattern, template in _patterns():
        match = pattern.fullmatch(first.strip())
        if match:
            values = {k: (v if v is not None else "") for k, v in match.groupdict().items()}
            for key in ("what", "range"):  # a word of the message itself (a kind of file, a range)
                if values.get(key):
                    values[key] = translate(values[key]) or book.entries.get(f"messages.things.{values[key]}",
                                                                                values[key])
            return template.format_map(values) + sep + rest
    return None


def problem_text(problem: Problem, lang: str | None = None) -> str:
    """One problem as a line: ``file, row 7, field 'value': …`` in English, ``file，第 7 行，字段
    value（数值）：…`` in Chinese; both name the file, row and field."""
    if (lang or language()) != "zh":
        return str(problem)
    from planbook.words import active

    import re

    book = active()
    where = problem.file
    sheet = re.fullmatch(r"(?P<file>.+), sheet '(?P<sheet>[^']+)'", where)  # a form's sheet (数据, 进展)
    if sheet:
        where = book("messages.where_sheet", **sheet.groupdict())
    if problem.row is not None:
        where += book("messages.where_row", row=problem.row)
    if problem.field:
        label = book.entries.get(f"messages.fields.{problem.field.split('.')[-1].split('[')[0]}")
        where += book("messages.where_field_named", field=problem.field, label=label) if label else \
            book("messages.where_field", field=problem.field)
    return where + book("messages.where_sep") + (translate(problem.message) or problem.message)


def error_lines(exc: PlanbookError, lang: str | None = None) -> list[str]:
    """The lines the command line shows for ``exc`` (after ``error:`` / ``错误：``)."""
    lang = lang or language()
    if isinstance(exc, InputError):
        return [problem_text(p, lang) for p in exc.problems]
    if lang != "zh":
        return exc.lines()
    return [translate(line) or line for line in exc.lines()]


def say(key: str, english: str, **values) -> str:
    """A line of the command line's own: ``english`` (already filled in), or the phrasebook's
    ``messages.cli.<key>`` filled with ``values`` when messages are in Chinese."""
    if language() != "zh":
        return english
    from planbook.words import W

    return W(f"messages.cli.{key}", **values)
