"""Observation files: what is read correctly, and what fails with file, row and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from planbook.plan.catalogue import load_catalogue
from planbook.errors import InputError
from planbook.inputs.observations import load_observations, parse_number

from conftest import FIXTURES, ROOT, STATS, run_cli

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
    shutil.copytree(BROKEN / case, obs, symlinks=True)
    with pytest.raises(InputError) as err:
        load_observations(obs, cat)
    problems = err.value.problems
    assert len(problems) == len(EXPECTED[case]), [str(p) for p in problems]
    for problem, want in zip(problems, EXPECTED[case]):
        assert problem.row == want["row"], str(problem)
        assert problem.field == want["field"], str(problem)
        assert want["says"] in problem.message, str(problem)
        assert Path(problem.file).parent.name == "observations"  # names the file
    STATS["inputs refused"] += 1


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_file_through_the_command_line(case, tmp_path):
    """What a user sees: one line per problem, exit code 2, never a traceback."""
    shutil.copytree(BROKEN / case, tmp_path / "observations", symlinks=True)
    code, out, err = run_cli("check", "--data", str(tmp_path))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == len(EXPECTED[case]) and all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in err


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


READABLE = FIXTURES / "readable"
READ_EXPECTED = yaml.safe_load((READABLE / "expected.yaml").read_text("utf-8"))


def test_every_readable_case_has_an_expectation():
    assert sorted(p.name for p in READABLE.iterdir() if p.is_dir()) == sorted(READ_EXPECTED)


@pytest.mark.parametrize("case", sorted(READ_EXPECTED))
def test_unambiguous_input_is_read_as_documented(case, tmp_path, cat):
    obs = tmp_path / "observations"
    shutil.copytree(READABLE / case, obs)
    frame = load_observations(obs, cat).set_index("indicator_id")
    want = READ_EXPECTED[case]
    assert frame["value"].to_dict() == want["values"]
    if "source" in want:
        assert set(frame["source"]) == {want["source"]}
    assert set(frame["kind"]) == {want.get("kind", "official")}
    STATS["inputs read"] += 1


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
    later = frame[frame["year"] > 2020].query("not indicator_id.str.startswith('ctx_')")
    found = later[later["kind"] == "official"]  # the one value on the table's basis found so far (issue 27)
    assert list(zip(found["indicator_id"], found["year"], found["value"])) == [("two_resident_population", 2022, 112.54)]
    assert (later.drop(found.index)["kind"] == "demo").all()
