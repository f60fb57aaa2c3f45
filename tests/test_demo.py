"""The demo data: made from a written-down scenario, labelled, plausible, and what is shipped is what it makes."""

from __future__ import annotations

import shutil

import pytest
import yaml

from planbook.assess.commitments import judge_all
from planbook.assess.progress import assess
from planbook.errors import InputError
from planbook.inputs.dataset import load
from planbook.inputs.demo import write_demo

from conftest import ROOT, STATS


def test_shipped_demo_files_are_the_generators_output(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    written = write_demo(dest)
    assert len(written) == 10  # observations and progress of 2021–2025
    for path in written:
        name = path.relative_to(dest)
        assert path.read_bytes() == (ROOT / "data" / name).read_bytes(), name


def test_official_rows_are_kept_and_demo_rows_labelled(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    write_demo(dest)
    data = load(dest)
    later = data.observations[data.observations["year"] > 2020]
    official = later["indicator_id"].str.startswith("ctx_") | (
        (later["indicator_id"] == "two_resident_population") & (later["year"] == 2022))
    assert official.sum() == 9 and set(later[official]["kind"]) == {"official"}
    demo = later[~official]
    assert set(demo["kind"]) == {"demo"} and demo["source"].str.contains("演示数据").all()
    assert demo["note"].str.startswith("演示情景：").all()
    reported = data.progress[data.progress["kind"] == "demo"]
    assert reported["source"].str.contains("演示数据").all()
    assert not data.progress[data.progress["kind"] == "official"]["source"].str.contains("演示").any()


def test_every_kind_of_verdict_shows_up():
    data = load(ROOT / "data")
    before = assess(data.catalogue, data.observations, 2024)
    head = before[before["headline"] & before["table_no"].notna()]
    assert {"on_track", "needs_acceleration", "achieved"} <= set(head["status"])
    assert {"green", "yellow", "red"} <= set(before["light"])
    assert "deterioration" in set(assess(data.catalogue, data.observations, 2023)["status"])
    due = assess(data.catalogue, data.observations, 2025)
    head = due[due["headline"] & due["table_no"].notna() & due["milestone"].eq(2025)]
    assert {"achieved", "not_achieved"} <= set(head["status"])
    for year, wanted in ((2024, {"done", "on_schedule", "behind", "not_reported"}),
                         (2025, {"done", "not_achieved", "behind", "on_schedule"})):
        judged = judge_all(data.register, data.progress, year)
        assert wanted <= set(judged["status"]), year
    obs = data.observations
    own = [i.id for i in data.catalogue.table if i.kind != "cumulative" and i.id != "green_forest_coverage"]
    gaps = [i for i in own if set(range(2021, 2026)) - set(obs[obs["indicator_id"] == i]["year"])]
    assert len(gaps) >= 3  # some indicators have missing years


def test_series_change_plausibly_year_by_year():
    """No demo series jumps: each year's change stays near the average its scenario needs."""
    scenario = yaml.safe_load((ROOT / "data" / "demo.yaml").read_text("utf-8"))
    data = load(ROOT / "data")
    checked = 0
    for iid, spec in scenario["indicators"].items():
        if "path" in spec or "end" not in spec:
            continue
        ind = data.catalogue.by_id[iid]
        start = ind.baseline.value if ind.baseline else spec["start"]
        last = int(spec.get("by", 2025))
        step = abs(spec["end"] - start) / (last - 2020)
        rows = data.observations[data.observations["indicator_id"] == iid].set_index("year")["value"]
        values = {2020: start, **rows.to_dict()}
        years = sorted(values)
        for a, b in zip(years, years[1:]):
            change = abs(values[b] - values[a]) / (b - a)
            assert change <= 2.5 * step + 10 ** -ind.decimals, (iid, a, b, values)
        checked += 1
    assert checked >= 30
    # The park area no longer leaps from 5.4 to 12.3 m² in four years.
    park = data.observations[data.observations["indicator_id"] == "green_park_area_per_capita"]["value"]
    assert park.min() > 11 and park.max() < 13.5


@pytest.mark.parametrize("edit, message", [
    (lambda s: s["indicators"]["smart_campus_coverage"].update(scenario="achieved"), "does not meet its target in 2025"),
    (lambda s: s["indicators"]["two_resident_urbanisation"].update(end=88.0, scenario="achieved"), "does not meet"),
    (lambda s: s["indicators"].pop("bal_income_ratio"), "no scenario for this indicator"),
    (lambda s: s["commitments"].update({next(iter(s["commitments"])): "done soon"}), "unknown scenario 'done soon'"),
])
def test_a_scenario_that_the_numbers_contradict_is_refused(tmp_path, edit, message):
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    raw = yaml.safe_load((dest / "demo.yaml").read_text("utf-8"))
    edit(raw)
    (dest / "demo.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    before = (dest / "observations" / "2025.csv").read_bytes()
    with pytest.raises(InputError) as err:
        write_demo(dest)
    assert any(message in line and "demo.yaml" in line for line in err.value.lines()), err.value.lines()
    assert (dest / "observations" / "2025.csv").read_bytes() == before  # nothing written
    STATS["inputs refused"] += 1
