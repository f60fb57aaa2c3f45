"""Numbers and tables as the report shows them: HTML for the site, Markdown for the PDF.

Text that comes from data files (names, sources, notes) is always escaped, so
``<script>``, ``&``, ``|`` or ``$`` show as text in every output.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field, replace
from typing import Sequence

import pandas as pd

from planbook.words import W

# Colour and symbol per status: the word is always shown too (never colour alone). The colours
# keep a contrast of at least 4.5:1 on white (WCAG AA).
STATUS_STYLE = {
    "achieved": ("#1a7f37", "★"),
    "nearly_achieved": ("#5f7f1a", "☆"),
    "on_track": ("#2f6fb3", "●"),
    "needs_acceleration": ("#8a5a00", "▲"),
    "limited_progress": ("#b2410c", "◆"),
    "deterioration": ("#b42318", "▼"),
    "not_achieved": ("#b42318", "×"),
    "insufficient_data": ("#5b6270", "○"),
    "no_target": ("#5b6270", "—"),
}
# 序时进度 lights: a distinct symbol for each, with the word (never colour alone).
LIGHT_STYLE = {
    "green": ("#1a7f37", "●"),
    "yellow": ("#8a5a00", "▲"),
    "red": ("#b42318", "■"),
    "none": ("#5b6270", "○"),
}


# Every indicator has a page of its own on the site (planbook.book.indicator_pages), here
# from the edition's root. Chapter pages and generated pages are one folder below it.
INDICATOR_PAGES = "generated/indicators"


def indicator_href(indicator_id: str, root: str = "../") -> str:
    """The address of an indicator's page from a page ``root`` below the edition's root."""
    return f"{root}{INDICATOR_PAGES}/{indicator_id}.html"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_number(value, decimals: int = 1) -> str:
    """``1234.5`` → ``1234.5``; missing → ``—``.  No thousands separators (Chinese reports omit them)."""
    if missing(value):
        return "—"
    text = f"{float(value):.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def fmt_value(value, decimals: int, unit: str) -> str:
    """A value with its unit as the plan writes it (``87.2%``, ``0.50 万个``, ``2.10``)."""
    if missing(value):
        return "—"
    if unit == "是/否":
        return W("yes") if float(value) >= 0.5 else W("no")
    number = fmt_number(value, decimals)
    if unit in ("/", ""):
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


def fmt_share(value) -> str:
    """A share as a percentage: ``0.456`` → ``45.6%``."""
    if missing(value):
        return "—"
    return f"{float(value) * 100:.1f}%"


# Line breaks and other characters that end or split a line in Markdown, and the remaining
# control characters: inside a table cell each becomes one space (the page shows a space).
_BREAKS = re.compile(r"[\x00-\x20\x7f\x85\u2028\u2029]+")
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    """Text for a Markdown (MyST) table cell or paragraph that renders literally, whatever it holds.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows it for all
    of them), so nothing in data can start a rule (``---``), a list (``- x``, ``1. x``), a
    fence or directive (```` ``` ````, ``:::{note}``), a heading, a role, math or a
    substitution; line breaks (a bare CR included) and control characters become spaces,
    so a cell stays one line. Typographic quotes and dashes are not applied to escaped
    characters (``smartquotes`` is off for the book).
    """
    text = _BREAKS.sub(" ", str(text)).strip(" ")
    # A web address becomes an autolink (its text shown literally, nothing inside it escaped or
    # parsed): the PDF sets it with xurl, which may break it anywhere, so a long address in a
    # source no longer runs off the page; everything else is escaped.
    parts, last = [], 0
    for m in _URL.finditer(text):
        parts += [_ASCII_PUNCTUATION.sub(r"\\\1", text[last:m.start()]), f"<{m.group()}>"]
        last = m.end()
    parts.append(_ASCII_PUNCTUATION.sub(r"\\\1", text[last:]))
    return "".join(parts)


# A web address in a text from data: no space, quote, angle bracket or CJK punctuation inside, and
# not ending in punctuation that belongs to the sentence.
_URL = re.compile(r"https?://[^\s<>\"'`\\\u3000-\u303f\uff01-\uff5e]*[^\s<>\"'`\\\u3000-\u303f\uff01-\uff5e.,;:!?)\]}]")


def status_word(status: str, reason: str | None = None, met_year: int | None = None) -> str:
    """The word a table shows for a status: a pending yes/no target is 尚未实现 (not 数据不足);
    a missed milestone reached later says when (``未完成（2026年达到）``)."""
    if status == "insufficient_data" and reason == "pending_yes_no":
        return W("status_pending_yes_no")
    if status == "not_achieved" and reason == "reached_late" and met_year:
        return W("status_reached_late", word=W(f"status.{status}"), year=int(met_year))
    return W(f"status.{status}")


def status_badge_html(status: str, reason: str | None = None, met_year: int | None = None) -> str:
    colour, symbol = STATUS_STYLE[status]
    word = html.escape(status_word(status, reason, met_year))
    return (f'<span class="pb-status pb-status-{status}" style="color:{colour}">'
            f'<span aria-hidden="true">{symbol}</span> {word}</span>')


def status_badge_md(status: str, reason: str | None = None, met_year: int | None = None) -> str:
    _, symbol = STATUS_STYLE[status]
    return f"{symbol} {status_word(status, reason, met_year)}"


def pace_text(pace: str, light: str) -> str:
    """``红灯 · 到期未完成``; a pace without a light is only its word."""
    if light == "none":
        return W(f"pace.{pace}")
    return W("pace_with_light", light=W(f"light.{light}"), pace=W(f"pace.{pace}"))


def pace_badge_html(pace: str, light: str) -> str:
    colour, symbol = LIGHT_STYLE[light]
    return (f'<span class="pb-light pb-light-{light}" style="color:{colour}">'
            f'<span aria-hidden="true">{symbol}</span> {html.escape(pace_text(pace, light))}</span>')


def pace_badge_md(pace: str, light: str) -> str:
    return f"{LIGHT_STYLE[light][1]} {pace_text(pace, light)}"


@dataclass(frozen=True)
class Cell:
    """One table cell: plain text, optionally pre-rendered HTML/Markdown, optionally demo;
    ``href``: on the site the cell links there (an indicator's page)."""

    text: str
    html: str | None = None
    markdown: str | None = None
    demo: bool = False
    href: str | None = None

    def as_html(self) -> str:
        body = self.html if self.html is not None else html.escape(self.text)
        if self.href:
            body = f'<a href="{html.escape(self.href, quote=True)}">{body}</a>'
        if self.demo:
            body += f'<sup class="pb-demo-mark" title="{W("demo.mark_title")}">{W("demo.mark")}</sup>'
        return body

    def as_markdown(self) -> str:
        body = self.markdown if self.markdown is not None else md_escape(self.text)
        return W("demo.cell", text=body) if self.demo else body


def _plain(cell: Cell) -> str:
    """A cell's text as it reads (with its demo mark), for a sentence under the table."""
    return W("demo.cell", text=cell.text) if cell.demo else cell.text


@dataclass
class Table:
    """A table with an HTML and a Markdown representation (the site uses the first, LaTeX the second).

    On a narrow screen (a phone) the site shows each row as a card: the ``lead`` column as its
    title, then the ``key`` columns (value, target, status), then the others, each with its
    column's name, so nothing has to be scrolled sideways.
    """

    columns: Sequence[str]
    rows: list[list[Cell]]
    caption: str | None = None
    css_class: str = "pb-table"
    numeric: frozenset[int] = field(default_factory=frozenset)
    note: str | None = None
    wide: frozenset[int] = field(default_factory=frozenset)  # columns of long text: keep them readable
    lead: int | None = None  # the column that names the row (default: the first)
    key: tuple[int, ...] = ()  # columns a card shows first, after the lead, in this order

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in self.columns)
        labels = [html.escape(c, quote=True) for c in self.columns]
        body = []
        for row in self.rows:
            cells = "".join(f'<td{self._td_class(k)} data-label="{labels[k]}">{c.as_html()}</td>'
                            for k, c in enumerate(row))
            body.append(f"<tr>{cells}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        note = f'<p class="pb-table-note">{html.escape(self.note)}</p>' if self.note else ""
        name = html.escape(self.caption or W("site.table"), quote=True)
        # A region with a name that the keyboard can reach: a table wider than the screen scrolls.
        return (f'<div class="pb-table-wrap" tabindex="0" role="region" aria-label="{name}">'
                f'<table class="{self.css_class}">{caption}'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}</div>")

    def _td_class(self, k: int) -> str:
        lead = 0 if self.lead is None else self.lead
        classes = [name for name, cols in (("pb-num", self.numeric), ("pb-wide", self.wide)) if k in cols]
        if k == lead:
            classes.append("pb-lead")
        elif k in self.key:
            classes.append(f"pb-key pb-key-{self.key.index(k) + 1}")
        return f' class="{" ".join(classes)}"' if classes else ""

    def _repr_markdown_(self) -> str:
        """A MyST list-table: the LaTeX writer turns it into a longtable that breaks across
        pages, with column widths from the content (:meth:`layout`). A table too wide for the
        line is set in smaller type, or on a landscape page of its own (raw LaTeX around it,
        which the website ignores)."""
        table = self.said_once()
        if table is not self:
            return table._repr_markdown_()
        caption = f" {md_escape(self.caption)}" if self.caption else ""
        widths, fit = self.layout()
        lines = [f":::{{list-table}}{caption}", ":header-rows: 1", ":class: longtable",
                 f":widths: {' '.join(str(w) for w in widths)}", ""]
        for row in [[Cell(c) for c in self.columns], *self.rows]:
            for k, cell in enumerate(row):
                lines.append(f"{'* -' if k == 0 else '  -'} {cell.as_markdown() or ' '}")
        lines.append(":::")
        if self.note:
            lines += ["", md_escape(self.note)]
        if fit != "normal":
            begin, end = _TABLE_FIT[fit]
            if fit == "tiny":  # kept on one page: a short table broken left a row or two alone overleaf
                begin += rf"\Needspace*{{{self._tiny_height(widths):.0f}bp}}"
            lines = ["```{raw} latex", begin, "```", "", *lines, "", "```{raw} latex", end, "```"]
        return "\n".join(lines)

    def _tiny_height(self, widths: list[int]) -> float:
        """About how tall the table is in 7 pt, with its caption and rules (rather more than less:
        11 bp a line for 8.5 bp lines and the rows' struts): each row as many lines as its fullest
        cell needs at the column widths of :meth:`layout`. ``\\Needspace*``, not ``\\needspace``:
        longtable's own breaks between rows would win over the latter's."""
        pad = cell_pad_em("tiny")
        lines = sum(max(math.ceil(text_em(cell.as_markdown()) / max(w / 10 - pad, 1.0)) for cell, w in zip(row, widths))
                    for row in [[Cell(c) for c in self.columns], *self.rows])
        return lines * 11 + 60

    def said_once(self) -> Table:
        """This table for paper: a column of long text that is the same on every row (the one
        source of all the demo values, say) is dropped and said once in the note under the
        table. Printed on every row it made each row many lines tall in a narrow column: the
        commitments' tables took half of the PDF. The website's HTML tables keep such a column
        (their rows are cards, looked up one at a time)."""
        lead = 0 if self.lead is None else self.lead
        same, shared, said = [], {}, []
        for k in sorted(self.wide):
            if k == lead or k in self.key or len(self.rows) < 3:
                continue
            texts = [row[k].as_markdown() for row in self.rows]
            # The text most rows share, dashes (nothing) aside; shared by fewer than three rows, kept.
            said_texts = {row[k].as_markdown() for row in self.rows
                          if row[k].text.strip() not in ("", W("none_text"), W("table_note.same_mark"))}
            if not said_texts:
                continue  # a column of dashes stays
            common = max(said_texts, key=lambda t: (texts.count(t), t))
            first = next(row[k] for row in self.rows if row[k].as_markdown() == common)
            if texts.count(common) < 3:
                continue
            if texts.count(common) == len(texts):
                same.append(k)
                said.append(W("table_note.same_for_all", column=self.columns[k], text=_plain(first)))
            else:  # the rows that share it point to the note, whatever the others hold
                shared[k] = common
                said.append(W("table_note.same_for_rows", column=self.columns[k], mark=W("table_note.same_mark"),
                              text=_plain(first)))
        if not said:
            return self
        mark = Cell(W("table_note.same_mark"))
        rows = [[mark if shared.get(k) == cell.as_markdown() else cell for k, cell in enumerate(row)]
                for row in self.rows]
        keep = [k for k in range(len(self.columns)) if k not in same]
        note = "".join(said) + (self.note or "")
        renumber = {k: n for n, k in enumerate(keep)}
        return replace(self, columns=[self.columns[k] for k in keep], rows=[[row[k] for k in keep] for row in rows],
                       numeric=frozenset(renumber[k] for k in self.numeric if k in renumber),
                       wide=frozenset(renumber[k] for k in self.wide if k in renumber),
                       lead=None if self.lead is None else renumber[self.lead],
                       key=tuple(renumber[k] for k in self.key if k in renumber), note=note)

    def column_widths(self) -> list[int]:
        """Relative column widths for LaTeX (see :meth:`layout`)."""
        return self.layout()[0]

    def layout(self) -> tuple[list[int], str]:
        """Column widths for the PDF, and how the table fits: ``normal``, ``small`` (8 pt type),
        ``tiny`` (7 pt type, a short table only) or ``landscape`` (a page of its own, turned).

        The PDF sets tables in 9 pt on a line of about 50 em (:data:`TABLE_EM`, both layouts).
        A column of short entries (a status, a value with its unit, a date, a count: none wider
        than :data:`ATOMIC_EM`) is given its widest entry, so that no entry is broken; a column
        of text (names, sources: the table's ``wide`` columns, or any wider entry) wraps, but
        never inside a run of Latin letters and digits (LaTeX cannot break those), and the
        header is not broken below :data:`HEADER_EM`. The text columns share what is left, the
        widest capped first, each given :data:`TEXT_EM` if it can be. What does not fit is set in
        8 pt, then with narrower text columns; a short table (up to :data:`SHORT_ROWS` rows: a
        dimension's scorecard) is then set in 7 pt, its headers on two lines if need be, rather
        than alone on a turned page; when nothing
        fits it goes on a landscape page (:data:`LANDSCAPE_EM`).
        Widths are in tenths of an em and include the cell padding, so that they add up to the
        line (Sphinx's ``\\X`` columns).
        """
        cells = [[self.columns[k], *(row[k].as_markdown() for row in self.rows)] for k in range(len(self.columns))]
        natural = [max(text_em(c) for c in col) for col in cells]
        text = [n > ATOMIC_EM or (k in self.wide and n > HEADER_EM) for k, n in enumerate(natural)]
        least = [max([_least_em(col[0], HEADER_EM)] + [_least_em(c, 0.0 if wraps else ATOMIC_EM) for c in col[1:]])
                 for col, wraps in zip(cells, text)]
        short = [max([m, *(text_em(c) for c in col[1:])]) for col, m in zip(cells, least)]
        roomy = [max(m, min(n, TEXT_EM)) if wraps else s for n, m, s, wraps in zip(natural, least, short, text)]
        tight = [m if wraps else s for m, s, wraps in zip(least, short, text)]
        # 7 pt: headers may take two lines, broken after a year or at a space ("2025年/目标")
        head = [max(text_em(w) for w in re.split(r"\s+|(?<=\d年)", col[0]) if w) if col[0].strip() else 0.0
                for col in cells]
        entries = [max([0.0] + [_least_em(c, 0.0) if wraps else text_em(c) for c in col[1:]])
                   for col, wraps in zip(cells, text)]
        tighter = [max(h, e) for h, e in zip(head, entries)]
        tiny = (("tiny", TABLE_EM * 9 / 7, tighter),) if len(self.rows) <= SHORT_ROWS else ()
        for fit, line, need in (("normal", TABLE_EM, roomy), ("small", TABLE_EM * 9 / 8, roomy),
                                ("normal", TABLE_EM, tight), ("small", TABLE_EM * 9 / 8, tight), *tiny,
                                ("landscape", LANDSCAPE_EM, roomy), ("landscape", LANDSCAPE_EM, tight)):
            pad = cell_pad_em(fit)  # the 3 pt padding is wider in em of smaller type
            if sum(need) + pad * len(cells) <= line:
                break
        if fit == "tiny":  # a header on two lines is no wider than needed: TeX would break it anywhere
            natural = [max(h, max([0.0] + [text_em(c) for c in col[1:]])) for h, col in zip(head, cells)]
        content = _share(natural, need, line - pad * len(cells))
        return [max(1, round((w + pad) * 10)) for w in content], fit


# The PDF's tables: 9 pt type on a line of 451 bp (book layout: A4 less 1 in margins) or 442 bp
# (公文 layout: 156 mm), about 50 em; a little is kept back for rules and rounding. Landscape
# pages hold 225-246 mm. \tabcolsep is 3 pt in both layouts: 0.67 em of padding per column.
TABLE_EM = 48.5
LANDSCAPE_EM = 69.0
CELL_PAD_EM = 0.7
ATOMIC_EM = 11.0  # entries up to this wide (a pace: ● 绿灯 · 快于序时进度) are never broken
HEADER_EM = 7.0  # nor a header up to this wide
TEXT_EM = 8.0  # a column of text is given this much (eight characters a line) when it can be
SHORT_ROWS = 10  # a table of up to this many rows is set in 7 pt rather than on a landscape page


def cell_pad_em(fit: str) -> float:
    """A cell's padding (3 pt each side) in em of the table's type (9, 8 or 7 pt)."""
    return CELL_PAD_EM * {"small": 9 / 8, "tiny": 9 / 7}.get(fit, 1.0)


# Raw LaTeX around a table that does not fit the line in 9 pt (see planbook.book.pdf's preamble).
_TABLE_FIT = {"small": (r"\begingroup\renewcommand{\pbtablefont}{\pbtablesmall}", r"\endgroup"),
              "tiny": (r"\begingroup\renewcommand{\pbtablefont}{\pbtabletiny}", r"\endgroup"),
              "landscape": (r"\begin{landscape}", r"\end{landscape}")}

_ASCII_RUN = re.compile(r"[\x21-\x7e]+")


def char_em(ch: str) -> float:
    """The width of a character in em, as the PDF's fonts set it (CJK, symbols and dashes are
    full width; Latin letters and digits about half)."""
    if ch == " ":
        return 0.3
    if ord(ch) < 0x80:
        return 0.62 if ch.isupper() or ch in "%@#&mwMW" else 0.55
    if ord(ch) < 0x2000 and ch not in "·×":
        return 0.6
    return 1.0


# xeCJK puts a space (CJKecglue) between a CJK character and a Latin letter or digit: "2025年"
# is 4 digits, a space and 年; not counting it, the 期限 column broke as "2025/年".
_CJK_LATIN = re.compile(r"(?<=[0-9A-Za-z%])(?=[\u2e80-\u9fff\uff00-\uffef])|(?<=[\u2e80-\u9fff\uff00-\uffef])(?=[0-9A-Za-z])")
CJK_GLUE_EM = 0.3


def text_em(text: str) -> float:
    """The width of a line of text in em (Markdown escapes are not counted), with xeCJK's
    space between CJK characters and Latin letters or digits."""
    plain = re.sub(r"\\(.)", r"\1", text)
    return sum(char_em(ch) for ch in plain) + CJK_GLUE_EM * len(_CJK_LATIN.findall(plain))


_AUTOLINK = re.compile(r"<https?://[^<>\s]*>")


def _least_em(text: str, whole: float) -> float:
    """What a column must give ``text``: all of it up to ``whole`` em; else each word (between
    spaces) up to ``whole`` em, and of longer words their longest run of Latin letters and
    digits (or two characters)."""
    plain = re.sub(r"\\(.)", r"\1", _AUTOLINK.sub(" ", text))  # an address breaks anywhere (xurl)
    if text_em(plain) <= whole:
        return text_em(plain)
    least = 2.0
    for word in plain.split():
        width = text_em(word)
        least = max(least, width if width <= whole else max([0.0] + [text_em(r) for r in _ASCII_RUN.findall(word)]))
    return least


def _share(natural: list[float], least: list[float], room: float) -> list[float]:
    """Widths between ``least`` and ``natural`` adding up to ``room``: the widest columns are
    capped first (water-filling); spare room goes to every column in proportion."""
    natural = [max(n, m) for n, m in zip(natural, least)]
    if sum(natural) <= room:
        spare = room - sum(natural)
        return [n + spare * n / sum(natural) for n in natural]
    if sum(least) >= room:
        return [m * room / sum(least) for m in least]
    lo, hi = 0.0, max(natural)
    for _ in range(50):
        cap = (lo + hi) / 2
        if sum(max(m, min(n, cap)) for n, m in zip(natural, least)) > room:
            hi = cap
        else:
            lo = cap
    widths = [max(m, min(n, lo)) for n, m in zip(natural, least)]
    spare = room - sum(widths)
    flexible = [k for k, (w, n) in enumerate(zip(widths, natural)) if w < n] or list(range(len(widths)))
    for k in flexible:
        widths[k] += spare / len(flexible)
    return widths


def plain_table(frame: pd.DataFrame) -> str:
    """A fixed-width text table for the terminal."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: "" if missing(v) else f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}")
    return shown.fillna("").to_string(index=False)
