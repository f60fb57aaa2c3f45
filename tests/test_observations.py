"""Observation files: what is read correctly, and what fails with file, row and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from planbook.catalogue import load_catalogue
from planbook.errors import InputError
from planbook.observations import load_observations, parse_number

from conftest import FIXTURES, ROOT

BROKEN = FIXTURES / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text("utf-8"))
HEADER = "indicator_id,value,source,note,kind\n"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(ROOT / "data" / "catalogue.yaml")


def test_every_broken_case_has_an_expectation():
    cases = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
    assert len(cases) >= 20
    assert cases == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_file_fails_with_expected_message(case, tmp_path, cat):
    obs = tmp_path / "observations"
    shutil.copytree(BROKEN / case, obs)
    with pytest.raises(InputError) as err:
        load_observations(obs, cat)
    problems = err.value.problems
    assert len(problems) == len(EXPECTED[case]), [str(p) for p in problems]
    for problem, want in zip(problems, EXPECTED[case]):
        assert problem.row == want["row"], str(problem)
        assert problem.field == want["field"], str(problem)
        assert want["says"] in problem.message, str(problem)
        assert Path(problem.file).parent.name == "observations"  # names the file


def test_all_problems_are_reported_at_once(tmp_path, cat):
    obs = tmp_path / "observations"
    obs.mkdir()
    for case in ("unknown-id", "missing-source", "not-a-year"):
        for f in (BROKEN / case).iterdir():
            (obs / f.name).write_bytes(f.read_bytes()) if not (obs / f.name).exists() else None
    (obs / "2023.csv").write_bytes((BROKEN / "missing-source" / "2024.csv").read_bytes())
    with pytest.raises(InputError) as err:
        load_observations(obs, cat)
    text = "\n".join(err.value.lines())
    assert "2023.csv, row 2, field 'source'" in text
    assert "2024.csv, row 3, field 'indicator_id'" in text
    assert "report-2024.csv: file name is not a year" in text


def write(obs: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (obs / name).write_bytes(text.encode(encoding))


def test_gbk_csv_from_chinese_excel_is_read(obs_dir, cat):
    write(obs_dir, "2024.csv", HEADER + "smart_5g_urban_coverage,95.5,区工业和信息化局统计年报,初步数,official\n", "gbk")
    frame = load_observations(obs_dir, cat)
    assert frame.loc[0, "source"] == "区工业和信息化局统计年报"
    assert frame.loc[0, "value"] == 95.5


def test_utf8_bom_and_missing_kind_column(obs_dir, cat):
    write(obs_dir, "2024.csv", "\ufeffindicator_id,value,source,note\nsmart_5g_urban_coverage,95,区工信局,\n")
    frame = load_observations(obs_dir, cat)
    assert frame.loc[0, "kind"] == "official"


def test_unambiguous_spellings_are_read(obs_dir, cat):
    write(obs_dir, "2024.csv", HEADER + "\n".join([
        "smart_5g_urban_coverage ,９５．５,区工信局,,official",      # trailing space in id, full-width digits
        "two_resident_population,\"1,234.5\",区统计局,,official",   # thousands separator
        "smart_campus_coverage,98%,区教体局,,official",             # % sign on a % indicator
        "",                                                        # blank line
        "green_zero_landfill,1,区城管局,,演示",                     # Chinese kind word
    ]) + "\n")
    frame = load_observations(obs_dir, cat).set_index("indicator_id")
    assert frame.loc["smart_5g_urban_coverage", "value"] == 95.5
    assert frame.loc["two_resident_population", "value"] == 1234.5
    assert frame.loc["smart_campus_coverage", "value"] == 98.0
    assert frame.loc["green_zero_landfill", "kind"] == "demo"


def test_xlsx_is_read_like_csv(obs_dir, cat):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["indicator_id", "value", "source", "note", "kind"])
    ws.append(["smart_5g_urban_coverage", 97.25, "区工信局", None, "official"])
    ws.append(["bal_income_ratio", "abc", "区统计局", None, "official"])
    wb.save(obs_dir / "2024.xlsx")
    with pytest.raises(InputError) as err:
        load_observations(obs_dir, cat)
    assert [str(p).split("/")[-1] for p in err.value.problems] == [
        "2024.xlsx, row 3, field 'value': 'abc' is not a number: expected digits like 87.2"]
    ws.delete_rows(3)
    wb.save(obs_dir / "2024.xlsx")
    frame = load_observations(obs_dir, cat)
    assert frame.loc[0, "value"] == 97.25


def test_two_files_for_one_year_are_refused(obs_dir, cat):
    write(obs_dir, "2024.csv", HEADER)
    import openpyxl

    openpyxl.Workbook().save(obs_dir / "2024.xlsx")
    with pytest.raises(InputError) as err:
        load_observations(obs_dir, cat)
    assert "two files for 2024" in err.value.lines()[0]


@pytest.mark.parametrize("text, percent, value", [
    ("87.2", False, 87.2), (" 87 ", False, 87.0), ("１２３", False, 123.0), ("1,234.5", False, 1234.5),
    ("85%", True, 85.0), ("-3.5", False, -3.5), ("1e3", False, 1000.0),
])
def test_parse_number_accepts(text, percent, value):
    assert parse_number(text, percent_unit=percent) == value


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("#N/A", "Excel error"), ("1,23", "not a number"), ("12,34.5", "not a number"),
    ("85%", "% sign"), ("九十", "not a number"), ("1.2.3", "not a number"),
])
def test_parse_number_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text, percent_unit=False)


def test_shipped_2020_file_holds_the_plans_baselines(cat):
    frame = load_observations(ROOT / "data" / "observations", cat)
    base = frame[frame["year"] == 2020].set_index("indicator_id")
    table_baselines = {i.id: i.baseline.value for i in cat.table if i.baseline}
    assert len(table_baselines) == 9
    for iid, value in table_baselines.items():
        assert base.loc[iid, "value"] == value
        assert base.loc[iid, "kind"] == "official" and "规划专栏1" in base.loc[iid, "source"]
    assert (frame[frame["year"] > 2020].query("not indicator_id.str.startswith('ctx_')")["kind"] == "demo").all()
