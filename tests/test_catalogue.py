"""The catalogue reproduces the plan: table 专栏1 row for row, every quote verbatim."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from planbook.plan.catalogue import load_catalogue
from planbook.errors import InputError

from conftest import FIXTURES, ROOT, STATS

CATALOGUE = ROOT / "data" / "catalogue.yaml"
DIMENSION_HEADINGS = {"一、智慧城镇化": "smart", "二、绿色城镇化": "green", "三、均衡城镇化": "balanced",
                      "四、双向城镇化": "two_way"}


def parse_cell(cell: str, direction: str) -> tuple[float, str] | None:
    """Read a target cell of the printed table: '—', '>90', '[10]', '95', '23.16*'."""
    cell = cell.strip().rstrip("*")
    if cell == "—":
        return None
    if cell.startswith(">"):
        return float(cell[1:]), ">"
    if cell.startswith("["):
        return float(cell.strip("[]")), ">="
    return float(cell), ">=" if direction == "higher" else "<="


def transcription() -> list[dict]:
    """Rows of table 专栏1 as printed in the plan (tests/fixtures/plan-table-1.tsv)."""
    rows, dimension = [], None
    for line in (FIXTURES / "plan-table-1.tsv").read_text("utf-8").splitlines():
        cells = line.split("\t")
        if cells[0].strip() in DIMENSION_HEADINGS:
            dimension = DIMENSION_HEADINGS[cells[0].strip()]
        elif cells[0].strip().isdigit():
            no, name, unit, base, t25, t35 = (c.strip() for c in cells)
            rows.append({"table_no": int(no), "dimension": dimension, "name": name.replace(" ", ""),
                         "unit": unit, "base": base, "t2025": t25, "t2035": t35})
    return rows


@pytest.fixture(scope="module")
def records(request) -> list[dict]:
    from conftest import run_cli

    code, out, err = run_cli("indicators", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_transcription_has_all_22_rows():
    assert [r["table_no"] for r in transcription()] == list(range(1, 23))


def test_indicators_reproduce_table_row_for_row(records):
    table = sorted((r for r in records if r["table_no"] is not None), key=lambda r: r["table_no"])
    rows = transcription()
    assert len(table) == len(rows) == 22
    for rec, row in zip(table, rows):
        assert rec["table_no"] == row["table_no"]
        assert rec["dimension"] == row["dimension"], row
        assert rec["name_zh"].replace(" ", "") == row["name"], row
        assert rec["unit"] == row["unit"], row
        base = parse_cell(row["base"], rec["direction"])
        assert (rec["baseline"] and (rec["baseline"]["year"], rec["baseline"]["value"])) == (
            base and (2020, base[0])), row
        expected = [{"year": y, "value": v[0], "comparison": v[1]}
                    for y, cell in ((2025, row["t2025"]), (2035, row["t2035"]))
                    if (v := parse_cell(cell, rec["direction"])) is not None]
        got = [{k: t[k] for k in ("year", "value", "comparison")} for t in rec["targets"]]
        # The table's ">" is read as "以上" (90 or more), each with the reason recorded.
        for t, e in zip(rec["targets"], expected):
            if e["comparison"] == ">":
                e["comparison"] = ">="
                assert "以上" in t["reading_zh"] and "一千二百五十九" in t["reading_zh"], row
        assert got == expected, row


def test_table_notes_are_recorded(records):
    by_no = {r["table_no"]: r for r in records if r["table_no"]}
    assert by_no[14]["kind"] == "cumulative" and by_no[14]["window"] == {"start": 2021, "end": 2025}
    assert by_no[9]["target_pending"] is True and by_no[9]["targets"] == []
    assert by_no[13]["direction"] == "lower"
    assert {r["direction"] for n, r in by_no.items() if n != 13} == {"higher"}


def test_every_quote_is_verbatim_in_the_plan():
    raw = yaml.safe_load(CATALOGUE.read_text("utf-8"))
    plan = re.sub(r"\s+", "", (ROOT / "data" / raw["plan"]["text"]).read_text("utf-8"))
    quotes = [e["source"]["quote"] for e in raw["indicators"] + raw["context"] if e["source"]["quote"]]
    assert len(quotes) >= 57
    missing = [q for q in quotes if re.sub(r"\s+", "", q) not in plan]
    assert missing == []


def test_text_targets_named_in_the_issue_are_present():
    cat = load_catalogue(CATALOGUE)
    wanted = {  # (value, comparison, year) for targets the plan's text sets
        "smart_gigabit_household_access": (100, ">=", 2025),
        "smart_10g_commercial_building_access": (100, ">=", 2025),
        "smart_digital_economy_share": (40, ">=", 2025),
        "smart_digital_core_share": (40, ">=", 2025),
        "smart_e_licence_use_text": (70, ">", 2025),
        "smart_online_service_availability": (100, ">=", 2025),
        "smart_village_5g_coverage": (100, "~", 2025),
        "green_rural_sewage_treatment": (80, ">=", 2025),
        "green_waste_harmless_treatment": (100, ">=", 2025),
        "green_green_factories": (10, ">=", 2025),
        "green_green_parks": (1, ">=", 2025),
        "green_water_section_compliance": (100, ">=", 2025),
        "green_beautiful_rivers": (100, ">=", 2030),
        "green_coal_consumption_growth": (0, "<=", 2025),
        "bal_beautiful_village_coverage": (40, ">=", 2025),
        "bal_health_centres_provincial_standard": (70, ">=", 2025),
        "bal_health_centres_national_standard": (25, ">=", 2025),
        "bal_village_doctors_qualified": (50, ">=", 2025),
        "bal_quancheng_study_rooms": (5, ">=", 2025),
        "bal_street_elderly_centre_coverage": (60, ">=", 2025),
        "bal_community_day_care_coverage": (100, ">=", 2025),
        "bal_cross_province_chronic_clinics": (1, ">=", 2025),
    }
    for iid, (value, comparison, year) in wanted.items():
        t = cat.by_id[iid].target_for(year)
        assert t is not None and (t.value, t.comparison) == (value, comparison), iid
    reclaimed = cat.by_id["green_reclaimed_water_use_text"]
    assert reclaimed.same_as == "green_reclaimed_water_use"
    assert [(t.year, t.value) for t in reclaimed.targets] == [(2025, 50), (2035, 65)]


def test_only_real_conflicts_between_table_and_text():
    cat = load_catalogue(CATALOGUE)
    conflicts = {(c.table_id, c.year, c.kind) for c in cat.conflicts()}
    # ">80" in the table against "超过70%" in the text: a different target.
    assert conflicts == {("smart_e_licence_use", 2025, "value")}
    # ">90" read as 90 or more agrees with "90%以上"; "95%左右" restates 95 loosely.
    urban = cat.by_id["two_resident_urbanisation"]
    assert urban.target_for(2025).comparison == ">=" and urban.target_for(2025).as_written == ">90"
    assert cat.by_id["two_resident_urbanisation_goal_2035"].target_for(2035).comparison == "~"


def test_every_strict_sign_has_its_reading():
    cat = load_catalogue(CATALOGUE)
    signs = [t for i in cat.indicators for t in i.targets if t.comparison in (">", "<") or ">" in t.as_written]
    assert len(signs) == 5  # four ">" of the table, one "超过" of the text
    assert all(t.reading_zh for t in signs)
    assert cat.by_id["smart_e_licence_use_text"].target_for(2025).comparison == ">"  # 超过: not including 70


def _broken(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(CATALOGUE.read_text("utf-8"))
    edit(raw)
    raw["plan"]["text"] = str((ROOT / "data" / raw["plan"]["text"]).resolve())
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, field, message", [
    (lambda r: r["indicators"][0].update(direction="sideways"), "indicators[0].direction", "expected one of higher, lower"),
    (lambda r: r["indicators"][2]["targets"][0].update(value="ninety"), "indicators[2].targets[0].value", "expected number"),
    (lambda r: r["indicators"][2]["targets"][0].update(comparison="=>"), "indicators[2].targets[0].comparison", "expected one of"),
    (lambda r: r["indicators"][1].pop("unit"), "indicators[1]", "missing 'unit'"),
    (lambda r: r["indicators"][3].update(id=r["indicators"][4]["id"]), "indicators[4].id", "duplicate id"),
    (lambda r: r["indicators"][5]["source"].update(quote="规划里没有这句话"), "indicators[5].source.quote", "not found verbatim"),
    (lambda r: r["indicators"][12]["targets"][0].update(comparison=">="), "indicators[12].targets[0].comparison", "contradicts direction 'lower'"),
    (lambda r: r["indicators"][1]["targets"][0].update(value=120), "indicators[1].targets[0].value", "outside the valid range"),
    (lambda r: r["indicators"][2]["targets"][0].pop("reading_zh"), "indicators[2].targets[0].reading_zh", "say how the sign is read"),
])
def test_broken_catalogue_is_reported_with_field(tmp_path, edit, field, message):
    path = _broken(tmp_path, edit)
    with pytest.raises(InputError) as err:
        load_catalogue(path)
    lines = err.value.lines()
    assert any(field in line and message in line for line in lines), lines
    assert all(line.startswith(str(path)) for line in lines)
    STATS["inputs refused"] += 1
