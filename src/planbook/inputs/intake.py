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
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from planbook.plan.catalogue import Catalogue
from planbook.inputs.dataset import DataSet, load
from planbook.errors import InputError, Problem, display_path
from planbook.inputs.observations import RawTable, read_raw, validate_table

FORM_SHEET = "数据"
FILL = ("value", "source", "note")
HEADER = ["indicator_id", "指标名称", "单位", "责任单位", "上年数值", "2025年目标", "2035年目标",
          "value（填写数值）", "source（填写来源）", "note（备注，可空）", "kind"]
INSTRUCTIONS = [
    "历城区新型城镇化规划实施评估 · {year} 年度数据填报表",
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
    """Write the XLSX form for ``year`` (one row per series that takes data)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

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

    @property
    def kind(self) -> str:
        return "new" if self.old is None else "removed" if self.new is None else "changed"


def diff(old: list[dict], new: list[dict]) -> list[Change]:
    """What writing ``new`` over ``old`` changes, per indicator (value, source or kind)."""
    def key(r: dict) -> str:
        return f"{r['value']:g} | {r['source']} | {r['kind']}"

    a = {r["indicator_id"]: key(r) for r in old}
    b = {r["indicator_id"]: key(r) for r in new}
    return [Change(i, a.get(i), b.get(i)) for i in sorted(set(a) | set(b)) if a.get(i) != b.get(i)]


def ingest(file: Path, year: int, data_dir: Path | None = None, force: bool = False,
           dry_run: bool = False) -> tuple[Path, list[Change], bool]:
    """Validate a filled form and write ``observations/<year>.csv``.

    Returns the target path, the changes, and whether the file was written.
    Raises InputError (nothing written) on any problem in the form, or when
    the year already has data that would change and ``force`` is not set.
    """
    data = load(data_dir)
    name = display_path(Path(file), Path.cwd())
    raw = _normalise(read_raw(Path(file)))
    records, problems = validate_table(raw, year, name, data.catalogue)
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(name, None, "value", "no row has a value: nothing to import")])
    target = data.data_dir / "observations" / f"{year}.csv"
    existing = [r for r in data.observations[data.observations["year"] == year].to_dict("records")]
    changes = diff(existing, records)
    other = [p for p in target.parent.glob(f"{year}.*") if p.suffix.lower() in (".xlsx", ".csv") and p != target]
    if other:
        raise InputError([Problem(display_path(other[0], Path.cwd()), None, None,
                                  f"{year} already has data in {other[0].name}: remove or merge it first")])
    if existing and changes and not force:
        raise InputError([Problem(display_path(target, Path.cwd()), None, None,
                                  f"{len(changes)} value(s) of {year} would change: review the list and rerun with --force")])
    if dry_run or not changes:
        return target, changes, False
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["indicator_id", "value", "source", "note", "kind"])
    for r in records:
        writer.writerow([r["indicator_id"], f"{r['value']:g}", r["source"], r["note"], r["kind"]])
    # Write beside the target, then move: a reader never sees half a file.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(buf.getvalue())
    shutil.move(tmp.name, target)
    return target, changes, True
