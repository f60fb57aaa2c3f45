"""Annual observation files: reading (CSV in UTF-8 or GBK/GB18030, XLSX) and validation.

One file per year, ``observations/<year>.csv`` (or ``.xlsx``), with the header
``indicator_id,value,source,note`` and optionally ``kind`` (``official`` or
``demo``; ``official`` when the column is absent).  Every problem is reported
with file, row and field; nothing is half-loaded.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from planbook.errors import InputError, Problem, display_path
from planbook.files import MB, InputFile, read_input
from planbook.plan.catalogue import Catalogue
from planbook.spreadsheet import from_csv_text
from planbook.words import W

REQUIRED_COLUMNS = ("indicator_id", "value", "source")
KINDS = {"official": "official", "demo": "demo", "官方": "official", "演示": "demo"}
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#####")
NO_DATA = ("N/A", "NA", "NAN", "NULL", "NONE", "-", "--", "—", "/", "无", "暂无", "缺", "空")
# value_text: the value as written in the file (decimal text, e.g. "12757.39"), which is what
# planbook writes back — never a float's rounding of it.
FRAME_COLUMNS = ["year", "indicator_id", "value", "source", "note", "kind", "file", "row", "value_text"]
FIRST_FILE_YEAR = 2000  # an observation file of an earlier year is a typo, not data
# What is read of a file: a year's file has one row per indicator (52–55 rows, at most 59; a few KB).
FILE_LIMIT = 5 * MB
MAX_ROWS = 10_000  # rows of a file, blank ones included
MAX_COLUMNS = 64
# The largest magnitude a value may have: far above any figure of the plan, far below what
# overflows a growth rate or a trend.
MAX_ABS_VALUE = 1e15
# Characters no cell may hold: control characters (tab and line breaks are allowed), and the
# two non-characters XML cannot hold. They cannot be shown, and Excel files cannot store them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


# Spreadsheet files planbook does not read, refused by name (never silently skipped: a year's data
# saved as one of these would otherwise just be missing). .xls has its own message.
UNSUPPORTED = {".xlsm": "an Excel workbook with macros (.xlsm)", ".xlsb": "a binary Excel workbook (.xlsb)",
               ".xltx": "an Excel template (.xltx)", ".xltm": "an Excel template with macros (.xltm)",
               ".ods": "an OpenDocument spreadsheet (.ods)", ".et": "a WPS spreadsheet (.et)",
               ".numbers": "a Numbers spreadsheet (.numbers)", ".tsv": "a tab-separated file (.tsv)"}


def unsupported(path: Path) -> str:
    return (f"{UNSUPPORTED[path.suffix.lower()]} is not read: save it as .xlsx (Excel workbook) or .csv "
            "(CSV UTF-8) with the same name")


@dataclass(frozen=True)
class RawTable:
    """Rows of one file as strings, with the 1-based row number a person sees."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def year_of(path: Path) -> int | None:
    m = re.fullmatch(r"(\d{4})", path.stem)
    return int(m.group(1)) if m else None


def observation_files(obs_dir: Path, last_year: int) -> tuple[list[tuple[int, Path]], list[Problem]]:
    """The year files of a folder, sorted by year, and problems with file names."""
    files: dict[int, Path] = {}
    problems: list[Problem] = []
    if not obs_dir.is_dir():
        return [], [Problem(display_path(obs_dir, Path.cwd()), None, None, "observations folder not found")]
    try:
        entries = sorted(obs_dir.iterdir())
    except OSError as exc:
        return [], [Problem(display_path(obs_dir, Path.cwd()), None, None,
                            f"cannot be listed ({exc.strerror or exc}): check the folder's permissions")]
    for path in entries:
        if path.name.startswith("."):
            continue
        if path.suffix.lower() in UNSUPPORTED:
            problems.append(Problem(display_path(path, Path.cwd()), None, None, unsupported(path)))
            continue
        if path.suffix.lower() not in (".csv", ".xlsx", ".xls"):
            continue
        name = display_path(path, Path.cwd())
        if path.is_dir():
            problems.append(Problem(name, None, None, "is a folder, not a data file: rename or remove it"))
            continue
        if not path.exists():
            problems.append(Problem(name, None, None, f"is a link to a missing file ({path.readlink()}): "
                                                      "remove the link or restore its target"))
            continue
        if path.suffix.lower() == ".xls":
            problems.append(Problem(name, None, None, "old Excel .xls format: save it as .xlsx or .csv"))
            continue
        year = year_of(path)
        if year is None:
            problems.append(Problem(name, None, None, "file name is not a year: expected <year>.csv or <year>.xlsx, e.g. 2024.csv"))
            continue
        if not FIRST_FILE_YEAR <= year <= last_year:
            problems.append(Problem(name, None, None, f"year {year} is outside {FIRST_FILE_YEAR}..{last_year} "
                                                      f"(the plan ends in {last_year})"))
            continue
        if year in files:
            problems.append(Problem(name, None, None, f"two files for {year}: {files[year].name} and {path.name}; keep one"))
            continue
        files[year] = path
    return sorted(files.items()), problems


def decode_csv_bytes(data: bytes, name: str) -> str:
    """Decode a CSV: UTF-8 (with or without BOM), then GB18030 (a superset of GBK/GB2312)."""
    if data[:4] == b"PK\x03\x04":
        raise InputError([Problem(name, None, None, "this is an Excel (.xlsx) file with a .csv name: rename it to .xlsx")])
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise InputError([Problem(name, None, None, "binary data, not a CSV text file (is it an Excel file renamed to .csv?)")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, name)


# A GBK file's Chinese is in GB2312's characters (the 6763 in common use) nearly throughout; a
# file in another encoding read as GBK gives rare characters instead ("Bürgeramt" → "B黵geramt").
COMMON_SHARE = 0.75


def _decode_detected(data: bytes, name: str) -> str:
    """A CSV that is not UTF-8: read as GB18030 (Chinese Excel's "CSV") only when what it reads as
    is Chinese in common characters — at least :data:`COMMON_SHARE` of its non-ASCII characters
    are GB2312's. Anything else (Windows-1252 from a European Excel, Big5, Shift-JIS …) is refused,
    naming the encoding a detector (charset-normalizer) finds it most like, and with what
    confidence: a wrong guess would turn every name into other characters."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, line, None, "text is neither UTF-8 nor GBK/GB18030: save the file as 'CSV UTF-8'")]) from None
    wide = [ch for ch in text if ord(ch) > 0x7F]
    common = sum(_in_gb2312(ch) for ch in wide)
    if wide and common / len(wide) >= COMMON_SHARE:
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    looks = best.encoding if best is not None else "no known encoding"
    raise InputError([Problem(name, None, None, f"text is not UTF-8 and does not read as Chinese GBK/GB18030 "
                                                f"(it looks like {looks}): save the file as 'CSV UTF-8' so that "
                                                "no character is read wrong")])


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def read_raw(path: Path) -> RawTable:
    """Read a CSV or XLSX file into header + string rows (blank rows dropped)."""
    return read_file(path)[0]


def read_file(path: Path) -> tuple[RawTable, bytes]:
    """Read a CSV or XLSX file (at most :data:`FILE_LIMIT`); return its rows and the bytes read."""
    name = display_path(path, Path.cwd())
    if path.suffix.lower() in UNSUPPORTED:
        raise InputError([Problem(name, None, None, unsupported(path))])
    if path.suffix.lower() == ".xls":
        raise InputError([Problem(name, None, None, "old Excel .xls format: save it as .xlsx or .csv")])
    data = read_input(path, name, FILE_LIMIT, "data")
    return parse_raw(data, name, xlsx=path.suffix.lower() == ".xlsx"), data


def parse_raw(data: bytes, name: str, xlsx: bool = False, sheet: str | None = None) -> RawTable | None:
    """Rows of a file's bytes (CSV, or XLSX with ``xlsx``: its data sheet, or the sheet titled
    ``sheet`` — None when there is none); ``name`` is the file in messages."""
    if xlsx:
        return _read_xlsx(data, name, sheet)
    if not data.strip():
        raise InputError([Problem(name, None, None, "empty file: expected a header line indicator_id,value,source,note")])
    text = decode_csv_bytes(data, name)
    rows = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
            if n > MAX_ROWS:
                raise InputError([Problem(name, None, None, too_many_rows())])
            if any(c.strip() for c in record):
                rows.append((n, record[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise InputError([Problem(name, None, None, f"malformed CSV: {exc}")]) from None
    if not rows:
        raise InputError([Problem(name, None, None, "empty file: expected a header line indicator_id,value,source,note")])
    (_, header), body = rows[0], rows[1:]
    return RawTable([h.strip().lower() for h in header], body)


def too_many_rows() -> str:
    return (f"more than {MAX_ROWS} rows: a year's file has one row per indicator (about 60); "
            "delete the blank or extra rows")


def _is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows a number with this format as a percentage (the value ×100, with %)."""
    if not number_format:
        return False
    shown = re.sub(r'"[^"]*"|\\.', "", number_format)  # quoted text and escaped characters are literal
    return "%" in shown


def _xlsx_cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if _is_percent_format(getattr(cell, "number_format", None)):
        # Typing 99.6% in Excel stores 0.996 shown as 99.6%: what the person typed is what counts.
        shown = (Decimal(repr(value)) * 100).normalize()
        return f"{shown:f}%"
    return repr(value) if isinstance(value, float) else str(value)


def _read_xlsx(data: bytes, name: str, sheet: str | None = None) -> RawTable | None:
    """The rows of a workbook's data sheet; with ``sheet``, of the visible sheet of that title
    (None when the workbook has none)."""
    import openpyxl  # imported here: only XLSX readers pay for it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError([Problem(name, None, None, f"cannot open as Excel .xlsx: {exc}")]) from None
    try:
        # The sheet named 数据, else the first sheet a person sees (a hidden sheet is not the data).
        visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"] or wb.worksheets
        if sheet is not None:
            ws = next((ws for ws in visible if ws.title == sheet), None)
            if ws is None:
                return None
        else:
            # The sheet the form names for the data (the phrasebook's word), else the first visible one.
            ws = next((ws for ws in visible if ws.title == W("intake.sheet_data")), visible[0])
        rows = []
        for n, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
            if n > MAX_ROWS:
                raise InputError([Problem(name, None, None, too_many_rows())])
            texts = [_xlsx_cell_text(c) for c in cells]
            if any(t.strip() for t in texts):
                rows.append((n, texts))
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise InputError([Problem(name, None, None, f"cannot read the worksheet: {exc}")]) from None
    finally:
        wb.close()
    if not rows:
        raise InputError([Problem(name, None, None, "empty worksheet: expected a header row indicator_id,value,source,note")])
    (_, header), body = rows[0], rows[1:]
    return RawTable([h.strip().lower() for h in header], body)


def parse_number(text: str, *, percent_unit: bool) -> float:
    """Parse a number as people type it; raise ValueError with what was expected.

    Accepted because the intent is unambiguous: surrounding spaces, full-width
    digits and signs (``１２３``), thousands separators in the 1,234.5 pattern,
    and a trailing ``%`` on a percentage indicator.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise ValueError("empty value: expected a number")
    if s.upper() in EXCEL_ERRORS:
        raise ValueError(f"Excel error value {s!r}: expected a number (fix the formula in the source sheet)")
    if s.upper() in NO_DATA:
        raise ValueError(f"no value ({s!r}): leave the row out when there is no figure for the year")
    if s.endswith("%"):
        if not percent_unit:
            raise ValueError(f"{s!r} has a % sign but the indicator's unit is not %: expected a plain number")
        s = s[:-1].strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s):
        raise ValueError(f"{text.strip()!r} is not a number: expected digits like 87.2")
    value = float(s)
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"{text.strip()!r} is too large to be a figure of the plan (at most {MAX_ABS_VALUE:g} "
                         "either way): check the digits and the unit")
    return value


def decimal_text(text: str, *, percent_unit: bool) -> str:
    """The decimal text of a value :func:`parse_number` accepts, exactly as written: full-width
    digits, spaces, a % sign and thousands separators taken away, the digits kept (``12757.39``,
    ``1234567``, ``87.20``; ``1e3`` → ``1000``). Writing this back loses no digit."""
    s = unicodedata.normalize("NFKC", text).strip()
    if s.endswith("%") and percent_unit:
        s = s[:-1].strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    text = format(Decimal(s), "f")
    return text[1:] if text.startswith("+") else text


def validate_table(raw: RawTable, year: int, name: str, cat: Catalogue) -> tuple[list[dict], list[Problem]]:
    """Check one file's rows against the catalogue; return clean records and problems."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.header]
    if missing:
        return [], [Problem(name, 1, c, f"missing column {c!r}: the header must contain {','.join(REQUIRED_COLUMNS)} (note, kind optional)") for c in missing]
    dup_cols = {c for c in raw.header if c and raw.header.count(c) > 1}
    for c in sorted(dup_cols):
        problems.append(Problem(name, 1, c, "column appears twice in the header"))
    col = {c: raw.header.index(c) for c in raw.header if c}
    records: list[dict] = []
    seen: dict[str, tuple[int, str, str | None]] = {}  # measure → (row, id as written, kind)
    for h in raw.header:
        if CONTROL.search(h):
            problems.append(_control_problem(name, 1, None, h))
    for row, cells in raw.rows:
        if len(cells) > len(raw.header) and any(c.strip() for c in cells[len(raw.header):]):
            problems.append(Problem(name, row, None, f"{len(cells)} fields but the header has {len(raw.header)}: a comma inside a value must be quoted"))
            continue
        bad = [(k, c) for k, c in enumerate(cells) if CONTROL.search(c)]
        if bad:
            problems += [_control_problem(name, row, raw.header[k] if k < len(raw.header) else None, c) for k, c in bad]
            continue
        cells = cells + [""] * (len(raw.header) - len(cells))
        get = lambda c: cells[col[c]].strip() if c in col else ""  # noqa: E731
        sid = unicodedata.normalize("NFKC", get("indicator_id")).strip()
        if not sid:
            problems.append(Problem(name, row, "indicator_id", "empty: expected an indicator id from the catalogue"))
            continue
        if sid not in cat.series_ids:
            hint = ""
            if sid in cat.by_id:
                hint = f" ({sid} restates {cat.by_id[sid].same_as}: report the value under that id)"
            problems.append(Problem(name, row, "indicator_id", f"unknown indicator {sid!r}: expected an id from the catalogue{hint}"))
            continue
        # A context series of the same measure as an indicator is that indicator's series.
        measure, kind_here = cat.measure_id(sid), KINDS.get(get("kind").lower() or "official")
        if measure in seen:
            problems.append(Problem(name, row, "indicator_id", twice_message(sid, measure, year, kind_here,
                                                                            seen[measure], "value", "indicator")))
            continue
        seen[measure] = (row, sid, kind_here)
        sid = measure
        meta = cat.series_meta(sid)
        try:
            value = parse_number(get("value"), percent_unit=meta.unit == "%")
        except ValueError as exc:
            problems.append(Problem(name, row, "value", str(exc)))
            continue
        lo, hi = meta.valid_range
        if getattr(meta, "kind", None) == "yes_no" and value not in (0.0, 1.0):
            problems.append(Problem(name, row, "value", f"{value:g}: a yes/no indicator takes 1 (yes) or 0 (no)"))
            continue
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            expected = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
                f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
            problems.append(Problem(name, row, "value", f"{value:g} {meta.unit} is out of range: expected {expected}"))
            continue
        source = from_csv_text(get("source"))
        if not source:
            problems.append(Problem(name, row, "source", "empty: every value needs its source (publication, department, date)"))
            continue
        kind_text = get("kind").lower() if "kind" in col else "official"
        kind = KINDS.get(kind_text or "official")
        if kind is None:
            problems.append(Problem(name, row, "kind", f"{get('kind')!r}: expected official or demo"))
            continue
        records.append({"year": year, "indicator_id": sid, "value": value, "source": source,
                        "note": from_csv_text(get("note")), "kind": kind, "file": name, "row": row,
                        "value_text": decimal_text(get("value"), percent_unit=meta.unit == "%")})
    return records, problems


def twice_message(sid: str, key: str, year: int, kind: str | None, earlier: tuple[int, str, str | None],
                  what: str, per: str) -> str:
    """Why a second row for one id (or measure) and year is refused: a demo row beside an
    official one (official wins: the demo row goes), the same measure under two ids, or a
    plain duplicate. ``what``/``per``: "value"/"indicator" or "status"/"commitment"."""
    row, other, other_kind = earlier
    if {kind, other_kind} == {"demo", "official"}:
        return (f"a demo and an official {what} of {key!r} for {year} (the other in row {row}): "
                f"an official {what} takes the place of a demo one; delete the demo row")
    if other != sid:
        return f"{sid!r} is the same measure as {other!r} (also in row {row}): one {what} per {per} and year"
    return f"duplicate id {sid!r} (also in row {row}): one {what} per {per} and year"


def _control_problem(name: str, row: int, field: str | None, text: str) -> Problem:
    char = CONTROL.search(text).group()
    return Problem(name, row, field or None, f"holds the control character U+{ord(char):04X}, which cannot be "
                                             "shown or written to Excel: delete it (retype the text if unsure)")


def load_observations(obs_dir: Path, cat: Catalogue) -> pd.DataFrame:
    """All observation files of a folder as one long frame; raise InputError listing every problem."""
    return read_observations(obs_dir, cat)[0]


def read_year_files(folder: Path, last_year: int, validate) -> tuple[list[dict], list[InputFile]]:
    """Read every ``<year>.csv``/``.xlsx`` of a folder once and check each with
    ``validate(raw, year, name)`` → (records, problems); raise InputError listing every problem
    of every file. Returns the records and the files as read."""
    files, problems = observation_files(Path(folder), last_year)
    records: list[dict] = []
    inputs: list[InputFile] = []
    for year, path in files:
        name = display_path(path, Path.cwd())
        try:
            raw, data = read_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        inputs.append(InputFile(path, data, year))
        recs, probs = validate(raw, year, name)
        records.extend(recs)
        problems.extend(probs)
    if problems:
        raise InputError(problems)
    return records, inputs


def read_observations(obs_dir: Path, cat: Catalogue) -> tuple[pd.DataFrame, list[InputFile]]:
    """Like :func:`load_observations`, and the files as read (each read once)."""
    records, inputs = read_year_files(obs_dir, cat.last_year, lambda raw, year, name: validate_table(raw, year, name, cat))
    frame = pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["indicator_id", "year"], kind="stable").reset_index(drop=True), inputs
