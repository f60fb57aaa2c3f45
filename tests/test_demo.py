"""The demo generator: seeded, labelled, varied, and what is shipped is what it makes."""

from __future__ import annotations

import shutil

from planbook.assess.progress import assess
from planbook.inputs.dataset import load
from planbook.inputs.demo import write_demo

from conftest import ROOT


def test_shipped_demo_files_are_the_generators_output(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    write_demo(dest, seed=20231)
    for year in range(2021, 2026):
        name = f"observations/{year}.csv"
        assert (dest / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name


def test_official_rows_are_kept_and_demo_rows_labelled(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    write_demo(dest, seed=7)
    data = load(dest)
    later = data.observations[data.observations["year"] > 2020]
    ctx = later[later["indicator_id"].str.startswith("ctx_")]
    assert len(ctx) == 9 and set(ctx["kind"]) == {"official"}
    demo = later[~later["indicator_id"].str.startswith("ctx_")]
    assert set(demo["kind"]) == {"demo"} and demo["source"].str.contains("演示数据").all()


def test_demo_panel_shows_every_kind_of_progress():
    data = load(ROOT / "data")
    before = assess(data.catalogue, data.observations, 2024)
    head = before[before["headline"] & before["table_no"].notna()]
    assert {"on_track", "needs_acceleration", "deterioration"} <= set(head["status"])
    assert {"green", "yellow", "red"} <= set(head["light"])
    due = assess(data.catalogue, data.observations, 2025)
    head = due[due["headline"] & due["table_no"].notna() & due["milestone"].eq(2025)]
    assert {"achieved", "not_achieved"} <= set(head["status"])
    obs = data.observations
    own = [i.id for i in data.catalogue.table if i.kind != "cumulative" and i.id != "green_forest_coverage"]
    gaps = [i for i in own if set(range(2021, 2026)) - set(obs[obs["indicator_id"] == i]["year"])]
    assert len(gaps) >= 3  # some indicators have missing years
    training = obs[obs["indicator_id"] == "bal_skills_training"].sort_values("year")
    assert list(training["year"]) == [2021, 2022, 2023, 2024, 2025]
    running = training["value"].cumsum()
    assert running.is_monotonic_increasing and 9 < running.iloc[-1] < 12
