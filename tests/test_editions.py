"""Annual editions, downloads, and the yearly data round (template → ingest → build → verify)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planbook.build.pipeline import build
from planbook.inputs.intake import ingest, write_template
from planbook.inputs.dataset import load
from planbook.errors import InputError
from planbook.book.verify import verify

from conftest import BOOK_DATA, ROOT, run_cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, Path]:
    """Every edition of a copy of the fixture data, built with --all (no PDF, for speed)."""
    base = tmp_path_factory.mktemp("editions")
    data = base / "data"
    shutil.copytree(BOOK_DATA, data)
    results = build(data_dir=data, out_dir=base / "out", all_years=True)
    assert [r.year for r in results] == [2021, 2022]  # every year with data after the 2020 base year
    return base / "out" / "html", data


def pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_root_page_lists_every_edition(archive):
    site, _ = archive
    index = (site / "index.html").read_text("utf-8")
    for year in (2021, 2022):
        assert f'<a href="{year}/index.html">{year} 年度</a>' in index
        assert (site / str(year) / "edition.json").is_file()
    assert "年度评估" in index and "含演示数据" in index
    switcher = (site / "editions.js").read_text("utf-8")
    assert '"year": 2021' in switcher and '"year": 2022' in switcher
    page = (site / "2021" / "chapters" / "smart.html").read_text("utf-8")
    assert 'data-root="../../"' in page and '<script src="../../editions.js"></script>' in page


def test_mid_term_and_final_kinds():
    """What an edition is called follows the plan's milestones (data), not years written in code."""
    from planbook.book.editions import edition_kind
    from planbook.plan.catalogue import load_catalogue

    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    assert edition_kind(cat, 2025)[1] == "中期评估" and edition_kind(cat, 2035)[1] == "终期评估"
    assert edition_kind(cat, 2023)[1] == "年度评估"
    other = dataclasses.replace(cat, plan={**cat.plan, "milestones": [2027, 2030]})
    assert [other.edition_kind(y) for y in (2025, 2027, 2030)] == ["annual", "mid_term", "final"]


def test_no_value_from_a_later_year_leaks_into_an_edition(archive):
    site, _ = archive
    later = {"89.1%", "75.6%", "81.0%", "2.15", "52.0%"}  # 2022 values of the fixture
    for page in pages(site / "2021"):
        text = page.read_text("utf-8")
        leaked = [v for v in later if v in text]
        assert not leaked, (page, leaked)
    observations = pd.read_csv(site / "2021" / "downloads" / "observations-2021.csv", encoding="utf-8-sig")
    assert observations["year"].max() == 2021
    assert "2022.csv" not in (site / "2021" / "generated" / "colophon.html").read_text("utf-8")


def test_downloads_hold_the_numbers_of_the_page(archive):
    site, _ = archive
    folder = site / "2022" / "downloads"
    raw = (folder / "assessment-2022.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    csv = pd.read_csv(folder / "assessment-2022.csv", encoding="utf-8-sig")
    xlsx = pd.read_excel(folder / "assessment-2022.xlsx")
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)
    row = csv[(csv["id"] == "two_resident_urbanisation") & (csv["milestone"] == 2025)].iloc[0]
    assert (row["value"], row["unit"], row["status_zh"], row["data_kind"]) == (89.1, "%", "进展顺利", "official")
    page = (site / "2022" / "chapters" / "two_way.html").read_text("utf-8")
    assert "89.1%" in page and "进展顺利" in page
    wb = openpyxl.load_workbook(folder / "observations-2022.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert {"value", "unit", "source", "kind", "kind_zh"} <= set(header)
    demo_rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("kind")] == "demo"]
    assert demo_rows and all(r[header.index("kind_zh")] == "演示数据" for r in demo_rows)
    assert 'href="../downloads/assessment-2022.csv"' in page  # linked from the chapter
    appendix = (site / "2022" / "generated" / "data-appendix.html").read_text("utf-8")
    assert 'href="../downloads/observations-2022.xlsx"' in appendix


def test_revised_value_shows_in_the_next_edition(archive, tmp_path):
    site, data = archive
    out = tmp_path / "out"
    shutil.copytree(site, out / "html")
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    code, stdout, err = run_cli("release", "--year", "2021", "--data", str(copy))
    assert code == 0 and "releases/2021.csv" in stdout, err
    f = copy / "observations" / "2021.csv"
    f.write_text(f.read_text("utf-8").replace("two_resident_urbanisation,88.2", "two_resident_urbanisation,88.4"), encoding="utf-8")
    [result] = build(year=2022, data_dir=copy, out_dir=out)
    overview = (result.site / "chapters" / "overview.html").read_text("utf-8")
    assert "以前年份的数值有变动：修订 1 个" in overview
    assert re.search(r"常住人口城镇化率</a></td><td[^>]*>2021</td><td[^>]*>88\.2%</td><td[^>]*>88\.4%</td>"
                     r"<td[^>]*>修订", overview)
    # The indicator's own page says which value was revised, and what it was.
    page = (result.site / "generated" / "indicators" / "two_resident_urbanisation.html").read_text("utf-8")
    assert "较2021年度版发布时修订（原为 88.2%）" in page
    # The 2021 edition stays as it was published.
    assert (out / "html" / "2021" / "index.html").read_bytes() == (site / "2021" / "index.html").read_bytes()


def test_pages_do_not_depend_on_build_history(archive, tmp_path):
    """The same inputs give the same pages whether the editions are built together or one by one,
    with or without an earlier site: revisions come from the recorded release, an input."""
    site, data = archive
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    assert run_cli("release", "--year", "2021", "--data", str(copy))[0] == 0
    f = copy / "observations" / "2021.csv"
    f.write_text(f.read_text("utf-8").replace("two_resident_urbanisation,88.2", "two_resident_urbanisation,88.4"), encoding="utf-8")
    together = build(data_dir=copy, out_dir=tmp_path / "together", all_years=True)[-1].site
    build(year=2021, data_dir=copy, out_dir=tmp_path / "apart")
    apart = build(year=2022, data_dir=copy, out_dir=tmp_path / "apart")[0].site
    alone = build(year=2022, data_dir=copy, out_dir=tmp_path / "alone")[0].site  # no earlier edition at all
    page = "chapters/overview.html"
    assert (together / page).read_bytes() == (apart / page).read_bytes() == (alone / page).read_bytes()
    assert "修订 1 个" in (alone / page).read_text("utf-8")


def test_without_a_recorded_release_the_page_says_so(archive):
    site, _ = archive
    overview = (site / "2022" / "chapters" / "overview.html").read_text("utf-8")
    assert "未登记 2021 年度版本发布时的数据" in overview


def test_status_moves_are_listed(archive):
    site, _ = archive
    overview = (site / "2022" / "chapters" / "overview.html").read_text("utf-8")
    assert "与 2021 年评估相比" in overview and "状态变化（2021→2022年）" in overview


def test_round_trip_template_fill_ingest_check_build_verify(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    form = write_template(load(data), 2023, tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames == ["填表说明", "数据", "进展"]
    assert "2023 年度数据填报表" in wb["填表说明"]["A1"].value
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    assert ws.data_validations.dataValidation  # Excel input validation on the value column
    filled = {"two_resident_urbanisation": 90.6, "two_registered_urbanisation": 77.1, "green_good_air_days": 58.4}
    for row in ws.iter_rows(min_row=2):
        iid = row[0].value
        if iid == "two_resident_urbanisation":
            assert row[header.index("上年数值")].value == "89.1（2022年）"
            assert row[header.index("责任单位")].value == "区统计局"
        if iid in filled:
            row[header.index("value（填写数值）")].value = filled[iid]
            row[header.index("source（填写来源）")].value = "区统计局 2023 年统计年报（测试）"
    # The commitments' sheet: a status from the drop-down, a sentence of evidence, a source.
    ws = wb["进展"]
    header = [c.value for c in ws[1]]
    statuses = ws.data_validations.dataValidation[0].formula1
    assert "已完成" in statuses and "滞后" in statuses
    reports = {"proj_xiaoqinghe_navigation": ("滞后", "复航工程航道疏浚尚未完工"),
               "task_carbon_peak_plans": ("已完成", "区碳达峰工作方案已印发")}
    for row in ws.iter_rows(min_row=2):
        if row[0].value in reports:
            status, evidence = reports[row[0].value]
            row[header.index("status（选择进展）")].value = status
            row[header.index("evidence（填写进展情况）")].value = evidence
            row[header.index("source（填写来源）")].value = "区发展和改革局 2023 年度报告（测试）"
    wb.save(form)
    target, changes, written = ingest(form, 2023, data)
    assert written and target == data / "observations" / "2023.csv"
    assert sorted(c.indicator_id for c in changes) == sorted(filled) and {c.kind for c in changes} == {"new"}
    progress = (data / "progress" / "2023.csv").read_text("utf-8")
    assert "proj_xiaoqinghe_navigation,behind,复航工程航道疏浚尚未完工" in progress
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 0, err
    [result] = build(year=2023, data_dir=data, out_dir=tmp_path / "out")
    page = (result.site / "chapters" / "two_way.html").read_text("utf-8")
    assert "90.6%" in page and "77.1%" in page
    green = (result.site / "chapters" / "green.html").read_text("utf-8")
    assert "区碳达峰工作方案已印发" in green and "已完成" in green
    assert "复航工程航道疏浚尚未完工" in (result.site / "generated" / "departments.html").read_text("utf-8")
    assert verify(result.site.parent, 2023, data).ok
    # Changing the data afterwards is caught by verify.
    f = data / "observations" / "2023.csv"
    f.write_text(f.read_text("utf-8").replace("90.6", "91.6"), encoding="utf-8")
    check = verify(result.site.parent, 2023, data)
    assert not check.ok and any("two_resident_urbanisation" in m for m in check.mismatches)
    assert check.changed_inputs == ["data/observations/2023.csv: changed since publication"]


def test_a_department_form_and_errors_named_by_sheet(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    form = write_template(load(data), 2023, tmp_path / "form.xlsx", department="区卫生健康局")
    wb = openpyxl.load_workbook(form)
    assert "区卫生健康局" in wb["填表说明"]["A1"].value
    ids = [r[0].value for r in wb["数据"].iter_rows(min_row=2)]
    assert "smart_hospital_coverage" in ids and "two_resident_urbanisation" not in ids
    departments = {r[4].value for r in wb["进展"].iter_rows(min_row=2)}
    assert departments == {"区卫生健康局"}
    ws = wb["进展"]
    ws.cell(row=3, column=7, value="差不多")  # not a status
    ws.cell(row=3, column=9, value="区卫生健康局")
    wb.save(form)
    with pytest.raises(InputError) as err:
        ingest(form, 2023, data)
    [line] = err.value.lines()
    assert "form.xlsx, sheet '进展', row 3, field 'status': '差不多': expected one of done (已完成)" in line
    with pytest.raises(InputError, match="no such department"):
        write_template(load(data), 2023, tmp_path / "x.xlsx", department="区魔法局")
    assert not (tmp_path / "x.xlsx").exists()


def test_ingest_refuses_bad_forms_and_overwrites_only_with_force(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    form = tmp_path / "form.csv"
    form.write_bytes("indicator_id,value（填写数值）,source（填写来源）\ntwo_resident_urbanisation,90.1,\nbal_income_ratio,abc,区统计局\n".encode("gbk"))
    with pytest.raises(InputError) as err:
        ingest(form, 2022, data)
    lines = err.value.lines()
    assert len(lines) == 2 and "row 2, field 'source'" in lines[0] and "row 3, field 'value'" in lines[1]
    before = (data / "observations" / "2022.csv").read_bytes()
    form.write_text("indicator_id,value,source\ntwo_resident_urbanisation,90.1,区统计局\n", encoding="utf-8")
    with pytest.raises(InputError, match="would change: review the list and rerun with --force"):
        ingest(form, 2022, data)
    assert (data / "observations" / "2022.csv").read_bytes() == before
    code, out, err = run_cli("ingest", str(form), "--year", "2022", "--data", str(data), "--force")
    assert code == 0, err
    assert "changed  two_resident_urbanisation" in out and "bal_income_ratio" not in out
    lines = (data / "observations" / "2022.csv").read_text("utf-8").splitlines()
    # The form's value replaces the same indicator's; what the form does not hold is kept.
    assert "two_resident_urbanisation,90.1,区统计局,,official" in lines
    assert any(line.startswith("bal_income_ratio,") for line in lines) and len(lines) == len(before.splitlines())


def test_forms_of_several_departments_add_up(tmp_path):
    """Each department returns its own form: ingesting one never removes what another reported."""
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    for department, iid, value in (("区卫生健康局", "smart_hospital_coverage", 91.0),
                                   ("区统计局", "two_resident_urbanisation", 90.6)):
        form = write_template(load(data), 2023, tmp_path / f"{department}.xlsx", department=department)
        wb = openpyxl.load_workbook(form)
        ws = wb["数据"]
        header = [c.value for c in ws[1]]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == iid)
        row[header.index("value（填写数值）")].value = value
        row[header.index("source（填写来源）")].value = f"{department} 2023 年报告（测试）"
        wb.save(form)
        target, changes, written = ingest(form, 2023, data)  # no --force: nothing of the year changes
        assert written and [c.indicator_id for c in changes] == [iid]
    text = target.read_text("utf-8")
    assert "smart_hospital_coverage,91,区卫生健康局" in text and "two_resident_urbanisation,90.6,区统计局" in text


def test_commentary_appears_only_in_its_own_edition(archive):
    """The fixture's commentary is for 2022: the 2022 pages show it, the 2021 pages show none."""
    site, _ = archive
    written = {"overview": "夹具总体评价", "green": "夹具绿色意见", "two_way": "夹具双向意见"}
    for chapter, words in written.items():
        assert words in (site / "2022" / "chapters" / f"{chapter}.html").read_text("utf-8"), chapter
    for page in pages(site / "2021"):
        text = page.read_text("utf-8")
        assert not any(words in text for words in written.values()), page
        assert "评估意见" not in text and "存在问题及原因" not in text, page
