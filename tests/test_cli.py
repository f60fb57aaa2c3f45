"""The command line on the shipped data and on broken data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from planbook.assess.progress import LIGHTS, PACES, STATUSES
from planbook.plan.catalogue import load_catalogue

from conftest import FIXTURES, ROOT


def test_check_passes_on_shipped_data_and_lists_conflicts(cli):
    code, out, err = cli("check")
    assert code == 0, err
    assert "57 entries (22 rows of the plan's table, 35 text targets)" in out
    assert "1 conflict(s)" in out  # e-licence ">80" against "超过70%"; ">90" vs "90%以上" is not one
    assert "smart_e_licence_use 2025: table row 7 says >=80, smart_e_licence_use_text says >70" in out
    assert "超过70%" in out
    for year in range(2020, 2026):
        assert f"observations {year}:" in out


def test_check_reports_every_problem_and_exits_2(cli, tmp_path):
    obs = tmp_path / "data" / "observations"
    obs.mkdir(parents=True)
    shutil.copy(FIXTURES / "broken" / "unknown-id" / "2024.csv", obs / "2024.csv")
    shutil.copy(FIXTURES / "broken" / "missing-source" / "2024.csv", obs / "2023.csv")
    code, out, err = cli("check", "--data", str(tmp_path / "data"))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert "2023.csv, row 2, field 'source'" in lines[0]
    assert "2024.csv, row 3, field 'indicator_id': unknown indicator 'smart_6g_coverage'" in lines[1]
    assert "Traceback" not in err


def test_command_line_entry_point_exit_code(tmp_path):
    (tmp_path / "observations").mkdir()
    (tmp_path / "observations" / "2024.csv").write_text("garbage\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "planbook", "check", "--data", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "missing column 'indicator_id'" in proc.stderr and "Traceback" not in proc.stderr


def test_indicators_csv_has_a_row_per_entry(cli):
    code, out, _ = cli("indicators", "--format", "csv")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("id,table_no,dimension,name_zh,name_en,unit,direction")
    assert len(lines) == 1 + 57


def test_assess_json_has_every_indicator_and_milestone(cli):
    code, out, err = cli("assess", "--year", "2025", "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    expected = {(i.id, t.year) for i in cat.indicators for t in i.targets}
    expected |= {(i.id, None) for i in cat.indicators if not i.targets}
    assert {(r["id"], r["milestone"]) for r in records} == expected
    fields = {"id", "dimension", "year", "value", "value_year", "data_kind", "milestone", "target", "comparison",
              "status", "pace", "light", "reason", "ratio", "completion", "time_elapsed", "milestone_value",
              "met_year", "projected_value", "projected_year", "required_annual_change", "base_year",
              "base_value", "base_from"}
    assert all(set(r) == fields for r in records)
    assert {r["status"] for r in records} <= set(STATUSES) and {r["pace"] for r in records} <= set(PACES)
    assert {r["light"] for r in records} <= set(LIGHTS)
    # 2025 is the milestone year of most targets: each is achieved or not, never "on track".
    due = [r for r in records if r["milestone"] == 2025]
    assert {r["status"] for r in due} <= {"achieved", "not_achieved", "insufficient_data"}
    assert {"achieved", "not_achieved"} <= {r["status"] for r in due}
    later = [r for r in records if r["milestone"] == 2035]
    assert {"on_track", "no_target"} & {r["status"] for r in records} and any(r["light"] == "green" for r in later)


def test_assess_table_and_csv(cli):
    code, out, _ = cli("assess", "--year", "2023", "--format", "table")
    assert code == 0 and "two_resident_urbanisation" in out
    code, out, _ = cli("assess", "--year", "2023", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("id,dimension,year,value")
