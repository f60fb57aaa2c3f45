"""Text from data in files people open in Excel: never a formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
by Excel (and LibreOffice) as a formula — ``=HYPERLINK(…)`` becomes a live link, worse
can run commands. The usual rule (OWASP, "CSV injection") is followed:

* in a CSV, such a text cell is written with a leading ``'`` (:func:`csv_text`), which
  Excel takes as "this is text"; planbook drops that ``'`` again when it reads a CSV
  (:func:`from_csv_text`), so data written by one planbook command and read by another
  is unchanged;
* in an XLSX, such a cell is stored as a string, never as a formula, and marked with
  Excel's quote prefix (:func:`text_only`): the reader sees exactly the text.

Numbers are numbers: ``-3.5`` in a value column stays a number in both formats.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value):
    """A text cell as a CSV for Excel must hold it: ``'`` before what Excel would run."""
    return "'" + value if looks_like_formula(value) else value


def from_csv_text(value: str) -> str:
    """The text a CSV cell written by :func:`csv_text` stands for."""
    if value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


def csv_frame(frame):
    """A copy of a pandas frame with every text cell made safe for a CSV (numbers untouched)."""
    from pandas.api.types import is_numeric_dtype

    frame = frame.copy()
    for column in frame.columns:
        if not is_numeric_dtype(frame[column].dtype):  # text (object or str): numbers stay numbers
            frame[column] = frame[column].map(csv_text)
    return frame


def text_only(worksheet) -> int:
    """Store every formula-like text of an openpyxl worksheet as text; return how many.

    openpyxl turns a string that begins with ``=`` into a formula cell; this makes it a
    string again (with Excel's quote prefix, so that editing the cell keeps it text), and
    marks the other formula-like texts (``+``, ``-``, ``@``, tab, CR) the same way.
    """
    count = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if looks_like_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                count += 1
    return count
