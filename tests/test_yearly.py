"""The yearly round as staff live it (issue 28): forms that are never overwritten, who has not
reported, messages in Chinese, a hand-over that warns."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest

from conftest import BOOK_DATA, run_cli

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of the fixture data; the working directory is the test's folder (forms land there)."""
    dest = tmp_path / "data"
    shutil.copytree(BOOK_DATA, dest)
    monkeypatch.chdir(tmp_path)
    return dest


def _fill(form, sheet: str, row: int, **cells) -> None:
    """Write ``cells`` (header word before its bracket → value) into row ``row`` of ``sheet``."""
    wb = openpyxl.load_workbook(form)
    ws = wb[sheet]
    header = [str(c.value).split("（")[0] for c in ws[1]]
    for name, value in cells.items():
        ws.cell(row=row, column=header.index(name) + 1, value=value)
    wb.save(form)


# --- forms ----------------------------------------------------------------------------------

def test_a_department_form_has_its_own_name_and_is_never_overwritten(data, tmp_path):
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data),
                             "--lang", "zh")
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    assert code == 0 and form.is_file() and out.startswith(f"已写出 {form.name}：区卫生健康局 的 2023 年度填报表"), out
    code, out, err = run_cli("template", "--year", "2023", "--data", str(data), "--lang", "zh")
    assert code == 0 and (tmp_path / "填报表-2023.xlsx").is_file()  # the full form: another file

    # A blank form is replaced only with --force; the refusal names the file and writes nothing.
    before = form.read_bytes()
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data),
                             "--lang", "zh")
    assert code == 2 and form.name in err and "--force" in err and "未写入任何文件" in err, err
    assert form.read_bytes() == before
    code, out, err = run_cli("template", "--year", "2023", "--department", "health", "--data", str(data), "--force")
    assert code == 0, err

    # A form holding values is never replaced, not even with --force, and says why.
    _fill(form, "数据", 2, value=91.0, source="区卫生健康局 2023 年报")
    filled = form.read_bytes()
    for extra in ([], ["--force"]):
        code, out, err = run_cli("template", "--year", "2023", "--output", str(form), "--data", str(data), *extra,
                                 "--lang", "zh")
        assert code == 2 and form.name in err and "已有 1 行填写了内容" in err and "加 --force 也不会" in err, err
        assert form.read_bytes() == filled
    code, out, err = run_cli("template", "--year", "2023", "--output", str(form), "--data", str(data), "--force")
    assert code == 2 and "holds 1 filled row(s), somebody's work: it is never overwritten (not even with --force)" in err
    # So is a status reported on the commitments' sheet, and a file that is not a form at all.
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--output", "p.xlsx",
                             "--data", str(data))
    _fill(tmp_path / "p.xlsx", "进展", 2, status="滞后")
    (tmp_path / "notes.xlsx").write_bytes(b"somebody's notes")
    for name in ("p.xlsx", "notes.xlsx"):
        before = (tmp_path / name).read_bytes()
        code, out, err = run_cli("template", "--year", "2023", "--output", name, "--data", str(data), "--force")
        assert code == 2 and name in err and "never overwritten" in err, err
        assert (tmp_path / name).read_bytes() == before


# --- messages -------------------------------------------------------------------------------

def test_ingest_errors_name_the_sheet_in_chinese_and_say_nothing_was_written(data, tmp_path):
    run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data))
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    _fill(form, "进展", 3, status="进行中", source="区卫生健康局")
    _fill(form, "数据", 2, value="很多", source="区卫生健康局")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--lang", "zh")
    lines = err.splitlines()
    assert code == 2 and len(lines) == 3, err
    assert lines[0].startswith(f"错误：{form.name}，工作表“数据”，第 2 行，字段 value（数值）：“很多”不是数字")
    assert lines[1] == (f"错误：{form.name}，工作表“进展”，第 3 行，字段 status（进展）：“进行中”不是可选的进展："
                        "应为 已完成、按计划推进、滞后、未启动 之一（从下拉列表中选择）")
    assert lines[2] == "未写入任何文件（数据和已有文件保持原样）"
    assert not (data / "progress" / "2023.csv").exists()


def test_the_change_list_shows_the_status_staff_chose(data, tmp_path):
    run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data))
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    _fill(form, "进展", 2, status="按计划推进", evidence="已开工", source="区卫生健康局 2023 年报")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--dry-run", "--lang", "zh")
    assert code == 0, err
    [line] = [line for line in out.splitlines() if "→" in line]
    assert "→ 按计划推进 | 已开工" in line and "on_schedule" not in line
