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
from dataclasses import dataclass, field
from pathlib import Path

from planbook.errors import InputError, Problem, display_path
from planbook.inputs.dataset import DataSet, check_year, load
from planbook.inputs.observations import RawTable, read_file, validate_table
from planbook.plan.catalogue import Catalogue
from planbook.spreadsheet import csv_text, text_only

FORM_SHEET = "数据"
FILL = ("value", "source", "note")
HEADER = ["indicator_id", "指标名称", "单位", "责任单位", "上年数值", "2025年目标", "2035年目标",
          "value（填写数值）", "source（填写来源）", "note（备注，可空）", "kind"]
TITLE = "历城区新型城镇化规划实施评估 · {year} 年度数据填报表"
TITLE_YEAR = re.compile(r"(\d{4})\s*年度数据填报表")
# A change from last year's value by more than this share is listed for a person to confirm.
JUMP_SHARE = 0.3
INSTRUCTIONS = [
    TITLE,
    "",
    "1. 请在“数据”工作表中，为本单位负责的指标填写“value（填写数值）”和“source（填写来源）”两列；不负责或暂无数据的行留空即可。",
    "2. 数值按“单位”列填写：百分比填 87.2（不带 % 号也可以），是/否类目标填 1（是）或 0（否）。不要填写公式或文字。",
    "3. 每个数值都必须填写来源：统计年报、部门文件或系统名称，以及发布日期。预计数请在备注中注明“预计数”。",
    "4. “kind”列默认为 official（官方数据）；只有测试或演示用的数值才填 demo。",
    "5. 前七列为参考信息（编号、名称、单位、上年数值、规划目标），请勿修改编号列。",
    "6. 交回后，统计部门用 planbook ingest 命令导入；表中的问题会逐行列出（行号与本表一致）。",
]


def _last_values(data: DataSet, year: int) -> dict[str, tuple[int, float]]:
    obs = data.observations[data.observations["year"] < year].sort_values("year")
    return {r.indicator_id: (int(r.year), float(r.value)) for r in obs.itertuples(index=False)}


def _target_text(cat: Catalogue, series_id: str, year: int) -> str:
    ind = cat.by_id.get(series_id)
    if ind is None:
        return ""
    t = ind.target_for(year)
    return t.as_written if t else ""


def write_template(data: DataSet, year: int, path: Path) -> Path:
    """Write the XLSX form for ``year`` (one row per series that takes data); a year outside the
    plan's horizon is refused before anything is written."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    check_year(year, data.catalogue)
    cat = data.catalogue
    last = _last_values(data, year)
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "填表说明"
    for n, line in enumerate(INSTRUCTIONS, start=1):
        guide.cell(row=n, column=1, value=line.format(year=year))
    guide.column_dimensions["A"].width = 120
    guide["A1"].font = Font(bold=True, size=14)

    ws = wb.create_sheet(FORM_SHEET)
    ws.append(HEADER)
    ids = [i.id for i in cat.indicators if i.same_as is None] + [c.id for c in cat.context]
    for sid in ids:
        meta = cat.series_meta(sid)
        prev = last.get(sid)
        ws.append([sid, meta.name_zh, meta.unit, None, f"{prev[1]:g}（{prev[0]}年）" if prev else None,
                   _target_text(cat, sid, 2025), _target_text(cat, sid, 2035), None, None, None, "official"])
    n_rows = len(ids) + 1
    fill = PatternFill("solid", fgColor="FFF7E6")
    for col in ("H", "I", "J"):
        for row in range(2, n_rows + 1):
            ws[f"{col}{row}"].fill = fill
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for col, width in zip("ABCDEFGHIJK", (34, 36, 9, 14, 16, 12, 12, 16, 40, 24, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "H2"
    number = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle="请填写数字",
                            error="“value”列只能填写数字（百分比填 87.2，是/否填 1 或 0）。")
    kind = DataValidation(type="list", formula1='"official,demo"', allow_blank=True, showErrorMessage=True,
                          errorTitle="kind", error="请填写 official 或 demo。")
    ws.add_data_validation(number)
    ws.add_data_validation(kind)
    number.add(f"H2:H{n_rows}")
    kind.add(f"K2:K{n_rows}")
    for sheet in wb.worksheets:  # names and targets from the catalogue are text, never formulas
        text_only(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _normalise(raw: RawTable) -> RawTable:
    """Map the form's bilingual headers (``value（填写数值）``) to the data columns; drop unfilled rows."""
    header = [h.split("（")[0].split("(")[0].strip() for h in raw.header]
    if "value" not in header:
        return RawTable(header, raw.rows)
    col = {h: header.index(h) for h in ("value", "source", "note") if h in header}
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
    """What writing ``new`` over ``old`` changes, per indicator (value, source or kind); with
    ``data`` and ``year`` each change also carries the indicator's name and last year's value."""
    def key(r: dict) -> str:
        return f"{r['value']:g} | {r['source']} | {r['kind']}"

    a = {r["indicator_id"]: key(r) for r in old}
    b = {r["indicator_id"]: key(r) for r in new}
    last = _values_of(data, year - 1) if data is not None and year is not None else {}
    changes = []
    for i in sorted(set(a) | set(b)):
        if a.get(i) == b.get(i):
            continue
        name = data.catalogue.series_meta(i).name_zh if data is not None else ""
        changes.append(Change(i, a.get(i), b.get(i), name, (year - 1, last[i]) if i in last else None))
    return changes


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


def form_year(data: bytes) -> tuple[int, str] | None:
    """The year printed in the title of a form written by ``planbook template`` (and the title)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # noqa: BLE001 - reading the data sheet reports what is wrong
        return None
    try:
        if "填表说明" not in wb.sheetnames:
            return None
        title = next(wb["填表说明"].iter_rows(min_row=1, max_row=1, max_col=1, values_only=True), (None,))[0]
    finally:
        wb.close()
    found = TITLE_YEAR.search(str(title or ""))
    return (int(found.group(1)), str(title)) if found else None


def prepare(file: Path, year: int, data_dir: Path | None = None) -> Intake:
    """Check a filled form against the catalogue and the data of ``year`` (nothing is written).

    A year outside the plan's horizon, an unreadable file, or a form made for another year
    (the year in its title) raise InputError; problems in rows are collected in the result,
    so that a dry run can show the changes alongside them."""
    data = load(data_dir)
    check_year(year, data.catalogue)
    file = Path(file)
    name = display_path(file, Path.cwd())
    raw_table, raw_bytes = read_file(file)
    if file.suffix.lower() == ".xlsx":
        titled = form_year(raw_bytes)
        if titled is not None and titled[0] != year:
            raise InputError([Problem(name, None, None, f"this form is for {titled[0]} (its title: “{titled[1]}”), "
                                                        f"but --year is {year}: use the {year} form or correct --year")])
    records, problems = validate_table(_normalise(raw_table), year, name, data.catalogue)
    if not records and not problems:
        problems.append(Problem(name, None, "value", "no row has a value: nothing to import"))
    target = data.data_dir / "observations" / f"{year}.csv"
    existing = [r for r in data.observations[data.observations["year"] == year].to_dict("records")]
    other = [p for p in target.parent.glob(f"{year}.*") if p.suffix.lower() in (".xlsx", ".csv") and p != target]
    if other:
        problems.append(Problem(display_path(other[0], Path.cwd()), None, None,
                                f"{year} already has data in {other[0].name}: remove or merge it first"))
    changes = diff(existing, records, data, year)
    return Intake(target, year, records, changes, problems, jumps(data, year, records),
                  replaces=bool(existing and changes))


def write(intake: Intake, force: bool = False) -> bool:
    """Write ``observations/<year>.csv`` from a checked form; False when nothing changes.

    Raises InputError (nothing written) when the form has problems, or when existing values
    of the year would change and ``force`` is not set."""
    if intake.problems:
        raise InputError(intake.problems)
    if intake.replaces and not force:
        raise InputError([Problem(display_path(intake.target, Path.cwd()), None, None,
                                  f"{len(intake.changes)} value(s) of {intake.year} would change: "
                                  "review the list and rerun with --force")])
    if not intake.changes:
        return False
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["indicator_id", "value", "source", "note", "kind"])
    for r in intake.records:  # texts Excel would run get a leading ' (dropped again when read)
        writer.writerow([r["indicator_id"], f"{r['value']:g}", csv_text(r["source"]), csv_text(r["note"]), r["kind"]])
    # Write beside the target, then move: a reader never sees half a file.
    target = intake.target
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp",
                                     prefix=".") as tmp:
        tmp.write(buf.getvalue())
    os.replace(tmp.name, target)
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
