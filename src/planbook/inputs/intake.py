"""The yearly data round: a form for departments, and taking the filled form back in.

``planbook template --year Y`` writes an XLSX form (one row per indicator, the
columns to fill, Excel input validation, instructions in Chinese).
``planbook ingest FILE --year Y`` validates a filled form exactly like
``planbook check``, shows what it would change, and writes
``observations/<Y>.csv`` only when everything is valid — never replacing
existing data without ``--force``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from planbook.errors import InputError, Problem, display_path
from planbook.inputs.dataset import DataSet, check_year, load
from planbook.inputs.observations import RawTable, read_file, validate_table
from planbook.plan.catalogue import Catalogue
from planbook.spreadsheet import csv_text, text_only
from planbook.words import W, active

FILL = ("value", "source", "note")
PROGRESS_FILL = ("status", "evidence", "source", "note")
# The year in a form's title (the phrasebook's title ends "<year> 年度数据填报表").
TITLE_YEAR = re.compile(r"(\d{4})\s*年度数据填报表")
# A change from last year's value by more than this share is listed for a person to confirm.
JUMP_SHARE = 0.3


def _last_values(data: DataSet, year: int) -> dict[str, tuple[int, str]]:
    """Each series' latest value before ``year``: (year, its digits as written)."""
    obs = data.observations[data.observations["year"] < year].sort_values("year")
    return {r.indicator_id: (int(r.year), r.value_text if isinstance(r.value_text, str) and r.value_text
                             else repr(float(r.value))) for r in obs.itertuples(index=False)}


def _target_text(cat: Catalogue, series_id: str, year: int) -> str:
    ind = cat.by_id.get(series_id)
    if ind is None:
        return ""
    t = ind.target_for(year)
    return t.as_written if t else ""


def find_department(data: DataSet, name: str):
    """The department a form is for, by id or Chinese name; InputError listing the choices."""
    deps = data.register.departments
    found = next((d for d in deps if name in (d.id, d.name_zh)), None)
    if found is None:
        choices = "、".join(d.name_zh for d in deps) or "none (no departments.yaml)"
        raise InputError([Problem(f"--department {name}", None, None, f"no such department: expected one of {choices}")])
    return found


def default_form_name(year: int, department=None) -> str:
    """``填报表-<year>.xlsx``, or ``填报表-<year>-<department>.xlsx`` for one department's form:
    the forms of several departments never share a name."""
    return f"填报表-{year}-{department.name_zh}.xlsx" if department is not None else f"填报表-{year}.xlsx"


def filled_rows(path: Path) -> int | None:
    """How many rows of a form on disk someone has filled (a value, a source, a note, a status or
    its evidence); None when the file is not a form ``planbook template`` wrote (or cannot be
    read as one). A form with filled rows is somebody's work: it is never overwritten."""
    from planbook.inputs.observations import parse_raw

    try:
        raw = Path(path).read_bytes()
        if form_year(raw) is None:
            return None
        n = 0
        for sheet, fill in ((W("intake.sheet_data"), FILL), (W("intake.sheet_progress"), PROGRESS_FILL)):
            table = parse_raw(raw, str(path), xlsx=True, sheet=sheet)
            if table is not None:
                n += len(_normalise(table, fill).rows)
        return n
    except (OSError, InputError):
        return None


def check_overwrite(path: Path, force: bool) -> None:
    """Refuse (InputError, nothing written) to replace a file at ``path``: without ``force`` any
    file; with it, still any file that holds filled rows or is not a blank form of ours."""
    if not Path(path).exists():
        return
    shown = display_path(path, Path.cwd())
    filled = filled_rows(path)
    if filled is None:
        why = "is not a blank form written by `planbook template`: it is never overwritten (not even with --force)"
    elif filled:
        why = f"holds {filled} filled row(s), somebody's work: it is never overwritten (not even with --force)"
    elif not force:
        why = "exists (a blank form): --force replaces it"
    else:
        return
    raise InputError([Problem(shown, None, None, f"{why}; or choose another name with --output")])


def write_template(data: DataSet, year: int, path: Path, department: str | None = None) -> Path:
    """Write the XLSX form for ``year``: a sheet of indicators (one row per series that takes
    data) and a sheet of commitments (one row each, the status as a drop-down). With
    ``department`` (id or name) only what that department is responsible for. A year outside
    the plan's horizon is refused before anything is written."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from planbook.inputs.progress import REPORTED

    check_year(year, data.catalogue)
    cat, reg = data.catalogue, data.register
    dep = find_department(data, department) if department else None

    def responsible(item_id: str) -> str:
        found, _ = reg.department_of(item_id)
        return found.name_zh if found else ""

    def mine(item_id: str) -> bool:
        return dep is None or reg.department_of(item_id)[0] == dep

    last = _last_values(data, year)
    milestones = cat.milestones
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = W("intake.sheet_guide")
    title = W("intake.title_department", year=year, department=dep.name_zh) if dep else W("intake.title", year=year)
    for n, line in enumerate([title, "", *active().lines("intake.guide")], start=1):
        guide.cell(row=n, column=1, value=line)
    guide.column_dimensions["A"].width = 120
    guide["A1"].font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="FFF7E6")

    def style(ws, widths: tuple[int, ...], fill_cols: str, n_rows: int, freeze: str) -> None:
        for col in fill_cols:
            for row in range(2, n_rows + 1):
                ws[f"{col}{row}"].fill = fill
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for k, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + k)].width = width
        ws.freeze_panes = freeze

    # The indicators.
    ws = wb.create_sheet(W("intake.sheet_data"))
    h = "intake.header."
    ws.append(["indicator_id", W(h + "name"), W(h + "unit"), W(h + "department"), W(h + "last"),
               *[W(h + "target", year=m) for m in milestones], W(h + "value"), W(h + "source"), W(h + "note"), "kind"])
    ids = [i.id for i in cat.indicators if i.same_as is None] + [c.id for c in cat.own_context]
    ids = [i for i in ids if mine(i)]
    for sid in ids:
        meta = cat.series_meta(sid)
        prev = last.get(sid)
        ws.append([sid, meta.name_zh, meta.unit, responsible(sid),
                   W("intake.last_value", value=prev[1], year=prev[0]) if prev else None,
                   *[_target_text(cat, sid, m) for m in milestones], None, None, None, "official"])
    n_rows = len(ids) + 1
    first_fill = 5 + len(milestones)  # the column index (0-based) of value
    cols = [chr(ord("A") + first_fill + k) for k in range(3)]
    style(ws, (34, 36, 9, 16, 16, *[12] * len(milestones), 16, 40, 24, 10), "".join(cols), n_rows, f"{cols[0]}2")
    number = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle=W("intake.number_title"),
                            error=W("intake.number_error"))
    kind = DataValidation(type="list", formula1='"official,demo"', allow_blank=True, showErrorMessage=True,
                          errorTitle="kind", error=W("intake.kind_error"))
    ws.add_data_validation(number)
    ws.add_data_validation(kind)
    number.add(f"{cols[0]}2:{cols[0]}{max(n_rows, 2)}")
    kind_col = chr(ord(cols[-1]) + 1)
    kind.add(f"{kind_col}2:{kind_col}{max(n_rows, 2)}")

    # The commitments, with last year's status for reference.
    commitments = [c for c in reg.commitments if mine(c.id)]
    if commitments:
        ws = wb.create_sheet(W("intake.sheet_progress"))
        ws.append(["commitment_id", W(h + "commitment"), W(h + "kind"), W(h + "deadline"), W(h + "department"),
                   W(h + "last_status"), W(h + "status"), W(h + "evidence"), W(h + "source"), W(h + "note"), "kind"])
        reported = data.progress[data.progress["year"] == year - 1].set_index("commitment_id")["status"]
        for c in commitments:  # what was reported last year, for reference
            prev = reported.get(c.id)
            ws.append([c.id, c.name_zh, W(f"commitment_kind.{c.kind}"), c.deadline, responsible(c.id),
                       W(f"commitment_status.{prev}") if prev else None, None, None, None, None, "official"])
        n_rows = len(commitments) + 1
        style(ws, (36, 40, 8, 8, 16, 12, 14, 50, 30, 20, 10), "GHIJ", n_rows, "G2")
        words = ",".join(W(f"commitment_status.{s}") for s in REPORTED)
        status = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True, showErrorMessage=True,
                                 errorTitle=W("intake.status_title"), error=W("intake.status_error"))
        ws.add_data_validation(status)
        status.add(f"G2:G{n_rows}")
        kinds = DataValidation(type="list", formula1='"official,demo"', allow_blank=True, showErrorMessage=True,
                               errorTitle="kind", error=W("intake.kind_error"))
        ws.add_data_validation(kinds)
        kinds.add(f"K2:K{n_rows}")
    for sheet in wb.worksheets:  # names and targets from the catalogue are text, never formulas
        text_only(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _normalise(raw: RawTable, fill: tuple[str, ...] = FILL) -> RawTable:
    """Map the form's bilingual headers (``value（填写数值）``) to the data columns; drop the rows
    where none of the ``fill`` columns was filled."""
    header = [h.split("（")[0].split("(")[0].strip() for h in raw.header]
    if not set(fill) & set(header):
        return RawTable(header, raw.rows)
    col = {h: header.index(h) for h in fill if h in header}
    kept = [(n, cells) for n, cells in raw.rows
            if any(cells[col[h]].strip() for h in col if col[h] < len(cells))]
    return RawTable(header, kept)


@dataclass(frozen=True)
class Change:
    indicator_id: str
    old: str | None
    new: str | None
    name: str = ""
    last: tuple[int, float] | None = None  # the value of the year before, for comparison

    @property
    def kind(self) -> str:
        return "new" if self.old is None else "removed" if self.new is None else "changed"


@dataclass(frozen=True)
class Jump:
    """A value far from last year's: listed for a person to confirm, not refused."""

    indicator_id: str
    name: str
    last_year: int
    last: float
    new: float

    def describe(self, year: int) -> str:
        share = (self.new - self.last) / abs(self.last)
        return (f"{self.indicator_id} {self.name}: {self.last:g} ({self.last_year}) → {self.new:g} ({year}), "
                f"{share:+.0%}: a change this large is rare; confirm the figure before building")


def diff(old: list[dict], new: list[dict], data: DataSet | None = None, year: int | None = None) -> list[Change]:
    """What merging ``new`` into ``old`` changes, per indicator (value, source or kind): the form's
    rows are added or replace the same indicator's; rows the form does not hold are kept (a
    department's form holds only its own indicators). With ``data`` and ``year`` each change also
    carries the indicator's name and last year's value."""
    def key(r: dict) -> tuple:
        # Compared exactly: the decimal value as written (87.2 and 87.20 are the same number;
        # 12757.39 and 12757.4 are not), source and kind.
        return (_exact(r), r["source"], r["kind"])

    a = {r["indicator_id"]: key(r) for r in old}
    b = {r["indicator_id"]: key(r) for r in new}
    old_by = {r["indicator_id"]: r for r in old}
    new_by = {r["indicator_id"]: r for r in new}
    last = _values_of(data, year - 1) if data is not None and year is not None else {}
    changes = []
    for i in sorted(b):
        if a.get(i) == b.get(i):
            continue
        name = data.catalogue.series_meta(i).name_zh if data is not None else ""
        changes.append(Change(i, _said(old_by[i]) if i in old_by else None, _said(new_by[i]), name,
                              (year - 1, last[i]) if i in last else None))
    return changes


def _exact(r: dict) -> Decimal:
    text = r.get("value_text")
    return Decimal(text) if isinstance(text, str) and text else Decimal(repr(float(r["value"])))


def _said(r: dict) -> str:
    """A value as the change list shows it: its digits as written, source and kind."""
    text = r.get("value_text") if isinstance(r.get("value_text"), str) and r.get("value_text") else repr(float(r["value"]))
    return f"{text} | {r['source']} | {r['kind']}"


def _values_of(data: DataSet, year: int) -> dict[str, float]:
    obs = data.observations[data.observations["year"] == year]
    return {r.indicator_id: float(r.value) for r in obs.itertuples(index=False)}


def jumps(data: DataSet, year: int, records: list[dict]) -> list[Jump]:
    """Values that differ from last year's by more than :data:`JUMP_SHARE` (yes/no targets aside)."""
    last = _values_of(data, year - 1)
    found = []
    for r in records:
        meta = data.catalogue.series_meta(r["indicator_id"])
        before = last.get(r["indicator_id"])
        if before is None or before == 0 or getattr(meta, "kind", None) == "yes_no":
            continue
        if abs(r["value"] - before) > JUMP_SHARE * abs(before):
            found.append(Jump(r["indicator_id"], meta.name_zh, year - 1, before, r["value"]))
    return found


@dataclass
class Intake:
    """A filled form, checked: what it would change, what is wrong with it, what looks odd."""

    target: Path
    year: int
    records: list[dict]
    changes: list[Change]
    problems: list[Problem] = field(default_factory=list)
    jumps: list[Jump] = field(default_factory=list)
    replaces: bool = False  # the year has data already, and some of it would change
    # The commitments' sheet: progress/<year>.csv
    progress_target: Path | None = None
    progress_records: list[dict] = field(default_factory=list)
    progress_changes: list[Change] = field(default_factory=list)
    # Rows the year has already and the form does not hold: kept as they are.
    kept: list[dict] = field(default_factory=list)
    progress_kept: list[dict] = field(default_factory=list)


def form_year(data: bytes) -> tuple[int, str] | None:
    """The year printed in the title of a form written by ``planbook template`` (and the title)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # noqa: BLE001 - reading the data sheet reports what is wrong
        return None
    try:
        guide = W("intake.sheet_guide")
        if guide not in wb.sheetnames:
            return None
        title = next(wb[guide].iter_rows(min_row=1, max_row=1, max_col=1, values_only=True), (None,))[0]
    finally:
        wb.close()
    found = TITLE_YEAR.search(str(title or ""))
    return (int(found.group(1)), str(title)) if found else None


def _progress_diff(old: list[dict], new: list[dict], data: DataSet) -> list[Change]:
    def key(r: dict) -> str:
        return f"{r['status']} | {r['evidence']} | {r['source']} | {r['kind']}"

    a = {r["commitment_id"]: key(r) for r in old}
    b = {r["commitment_id"]: key(r) for r in new}
    return [Change(i, a.get(i), b.get(i), data.register.by_id[i].name_zh) for i in sorted(b) if a.get(i) != b.get(i)]


def prepare(file: Path, year: int, data_dir: Path | None = None) -> Intake:
    """Check a filled form against the plan and the data of ``year`` (nothing is written).

    A form from ``planbook template`` has two sheets — the indicators' values (数据) and the
    commitments' progress (进展) — each checked like the files it becomes; a CSV holds one of
    the two (a ``commitment_id`` column makes it progress). A year outside the plan's horizon,
    an unreadable file, or a form made for another year (the year in its title) raise
    InputError; problems in rows are collected in the result (named by sheet, row and field),
    so that a dry run can show the changes alongside them."""
    from planbook.inputs.observations import parse_raw
    from planbook.inputs.progress import validate_progress

    data = load(data_dir)
    check_year(year, data.catalogue)
    file = Path(file)
    name = display_path(file, Path.cwd())
    raw_table, raw_bytes = read_file(file)
    sheets: dict[str, tuple[RawTable, str]] = {}
    if file.suffix.lower() == ".xlsx":
        titled = form_year(raw_bytes)
        if titled is not None and titled[0] != year:
            raise InputError([Problem(name, None, None, f"this form is for {titled[0]} (its title: “{titled[1]}”), "
                                                        f"but --year is {year}: use the {year} form or correct --year")])
        for key, sheet in (("data", W("intake.sheet_data")), ("progress", W("intake.sheet_progress"))):
            table = parse_raw(raw_bytes, name, xlsx=True, sheet=sheet)
            if table is not None:
                sheets[key] = (table, f"{name}, sheet '{sheet}'")
        if not sheets:  # a workbook of our own making or not: its first visible sheet holds values
            sheets["data"] = (raw_table, name)
    else:
        sheets["progress" if "commitment_id" in raw_table.header else "data"] = (raw_table, name)

    problems: list[Problem] = []
    records: list[dict] = []
    if "data" in sheets:
        table, where = sheets["data"]
        records, problems = validate_table(_normalise(table), year, where, data.catalogue)
    progress: list[dict] = []
    if "progress" in sheets:
        table, where = sheets["progress"]
        progress, more = validate_progress(_normalise(table, ("status", "evidence", "source")), year, where,
                                           data.register)
        problems += more
    if not records and not progress and not problems:
        problems.append(Problem(name, None, "value", "no row has a value or a status: nothing to import"))
    target = data.data_dir / "observations" / f"{year}.csv"
    existing = [r for r in data.observations[data.observations["year"] == year].to_dict("records")]
    other = [p for p in target.parent.glob(f"{year}.*") if p.suffix.lower() in (".xlsx", ".csv") and p != target]
    if other and records:
        problems.append(Problem(display_path(other[0], Path.cwd()), None, None,
                                f"{year} already has data in {other[0].name}: remove or merge it first"))
    changes = diff(existing, records, data, year) if records else []
    progress_target = data.data_dir / "progress" / f"{year}.csv"
    reported = [r for r in data.progress[data.progress["year"] == year].to_dict("records")]
    progress_changes = _progress_diff(reported, progress, data) if progress else []
    in_form = {r["indicator_id"] for r in records}
    reported_in_form = {r["commitment_id"] for r in progress}
    return Intake(target, year, records, changes, problems, jumps(data, year, records),
                  replaces=any(c.old is not None for c in changes + progress_changes),
                  progress_target=progress_target, progress_records=progress, progress_changes=progress_changes,
                  kept=[r for r in existing if r["indicator_id"] not in in_form],
                  progress_kept=[r for r in reported if r["commitment_id"] not in reported_in_form])


def _write_csv(target: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # Write beside the target, then move: a reader never sees half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp",
                                     prefix=".") as tmp:
        tmp.write(buf.getvalue())
    os.replace(tmp.name, target)


def _row_of(r: dict) -> list[str]:
    """A record as a row of the year's file: the value's decimal text as written, never a float's."""
    text = r.get("value_text") if isinstance(r.get("value_text"), str) and r.get("value_text") else repr(float(r["value"]))
    return [r["indicator_id"], text, csv_text(r["source"]), csv_text(r["note"] or ""), r["kind"]]


def _rows_as_read(target: Path, header: list[str]) -> dict[str, list[str]]:
    """The rows of an existing ``<year>.csv`` by id, each cell as the file holds it (in ``header``'s
    order; a column the file lacks is empty)."""
    from planbook.inputs.observations import decode_csv_bytes

    if not target.is_file():
        return {}
    reader = csv.reader(io.StringIO(decode_csv_bytes(target.read_bytes(), str(target)), newline=""))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        return {}
    names = [h.strip().lower() for h in rows[0]]
    out = {}
    for cells in rows[1:]:
        by = {n: (cells[k] if k < len(cells) else "") for k, n in enumerate(names)}
        key = unicodedata.normalize("NFKC", by.get("indicator_id", "")).strip()
        if key:
            out[key] = [key, *(by.get(c, "") for c in header[1:])]
    return out


def write(intake: Intake, force: bool = False) -> bool:
    """Write ``observations/<year>.csv`` and ``progress/<year>.csv`` from a checked form; False
    when nothing changes.

    Raises InputError (nothing written) when the form has problems, or when existing values
    of the year would change and ``force`` is not set."""
    if intake.problems:
        raise InputError(intake.problems)
    if intake.replaces and not force:
        n = len(intake.changes) + len(intake.progress_changes)
        raise InputError([Problem(display_path(intake.target, Path.cwd()), None, None,
                                  f"{n} value(s) or status(es) of {intake.year} would change: "
                                  "review the list and rerun with --force")])
    if not intake.changes and not intake.progress_changes:
        return False
    if intake.changes:  # texts Excel would run get a leading ' (dropped again when read)
        header = ["indicator_id", "value", "source", "note", "kind"]
        # Rows of the year the form does not hold are written back as they were read, cell for cell.
        as_read = _rows_as_read(intake.target, header)
        kept = [as_read.get(r["indicator_id"]) or _row_of(r) for r in intake.kept]
        rows = sorted(kept + [_row_of(r) for r in intake.records], key=lambda row: row[0])
        _write_csv(intake.target, header, rows)
    if intake.progress_changes:
        rows = sorted(intake.progress_kept + intake.progress_records, key=lambda r: r["commitment_id"])
        _write_csv(intake.progress_target, ["commitment_id", "status", "evidence", "source", "note", "kind"],
                   [[r["commitment_id"], r["status"], csv_text(r["evidence"]), csv_text(r["source"]),
                     csv_text(r["note"] or ""), r["kind"]] for r in rows])
    return True


def ingest(file: Path, year: int, data_dir: Path | None = None, force: bool = False,
           dry_run: bool = False) -> tuple[Path, list[Change], bool]:
    """Validate a filled form and write ``observations/<year>.csv``.

    Returns the target path, the changes, and whether the file was written.
    Raises InputError (nothing written) on any problem in the form, or when
    the year already has data that would change and ``force`` is not set
    (a dry run only lists the changes).
    """
    intake = prepare(file, year, data_dir)
    if intake.problems:
        raise InputError(intake.problems)
    if dry_run:
        return intake.target, intake.changes, False
    return intake.target, intake.changes, write(intake, force)
