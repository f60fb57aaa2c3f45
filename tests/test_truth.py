"""Issue 22, "every sentence true" and "change and coverage told straight": hand-worked numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from planbook.report import sentences as say, views
from planbook.report.report import open_report

from conftest import ROOT


@pytest.fixture(scope="module")
def stage():
    return open_report(2025, ROOT / "data")


def _with(report, **cached):
    """A copy of the report with some cached properties replaced by hand-made frames."""
    other = open_report(report.year, ROOT / "data")
    other.__dict__.update(cat=report.cat, frame=report.frame, **cached)
    return other


def test_unchanged_statuses_are_not_counted_as_changes(stage):
    # Last year's assessment is this year's, but for one table row: 1 change, not 1 + every row
    # whose reason is empty on both sides (NaN != NaN).
    now = stage.frame.copy()
    now["reason"] = [r if isinstance(r, str) else float("nan") for r in now["reason"]]  # as pandas reads them
    before = now.copy()
    row = (before["id"] == "smart_campus_coverage") & (before["milestone"] == 2025)
    before.loc[row, "status"] = "needs_acceleration"
    report = _with(stage, previous=before)
    report.__dict__["frame"] = now
    sentence, table = views.changes(report)
    assert sentence.startswith("与 2024 年评估相比，1 项指标（含正文目标）的状态发生变化")
    assert [r[0].text for r in table.rows] == ["智慧校园建设覆盖率"]


def test_each_change_is_listed_once_restatements_by_their_table_row(stage):
    # 2024 → 2025: 37 rows moved, of which four are text targets restating a table row
    # (e-licences, reclaimed water, resident and registered urbanisation, 2025): 33 remain, each once.
    sentence, table = views.changes(stage)
    names = [r[0].text for r in table.rows]
    assert len(names) == len(set(names)) == 33
    assert "33 项指标" in sentence and "电子证照在政务服务中的使用率" not in names


def test_tied_dimensions_are_named_together(stage):
    summary = pd.DataFrame({"dimension": ["smart", "green", "balanced", "two_way", "all"],
                            "score": [71.42857, 50.0, 40.0, 40.0, 52.4]})
    report = _with(stage, summary=summary)
    assert say.dimension_sentence(report) == \
        "4 个维度中，智慧城镇化得分最高（71.4 分），均衡城镇化、双向城镇化得分最低（40.0 分）。"
    summary["score"] = [40.0, 40.0, 40.0, 40.0, 40.0]
    assert say.dimension_sentence(_with(stage, summary=summary)) == \
        "4 个维度中，智慧城镇化、绿色城镇化、均衡城镇化、双向城镇化得分相同（40.0 分）。"


def test_a_restated_text_target_is_judged_and_counted_once_by_its_table_row(stage):
    # 35 text targets in the 2025 headline: 26 met, 2 on track, 7 missed. Five restate table rows
    # (e-licences met against 超过70% but missed against the row's >80; resident urbanisation 2025 met;
    # reclaimed water and registered urbanisation missed; resident urbanisation 2035 on track):
    # 30 are the text's own, 24 met, 1 on track, 5 missed.
    frame = stage.frame
    text = frame[frame["table_no"].isna() & frame["headline"]]
    assert say.text_sentence(stage, text, "规划正文") == (
        "规划正文 30 项指标中，24 项已达到目标，1 项进展顺利，5 项到期未完成。"
        "另有 5 项重申专栏1中的指标，按表中指标判定，不重复计数。")
    row = next(r for r in views.text_targets(stage, "smart").rows if r[0].text.startswith("电子证照"))
    assert row[4].text == "未完成"  # the table row's verdict (76.5% against >80), not 已达标 against 超过70%
    assert views.text_targets(stage, "smart").note.startswith(
        "标“即专栏1第某行”的目标重申专栏1中的指标，序时进度与状态按专栏1该行的目标判定。")


def test_a_window_sum_is_called_cumulative_wherever_it_is_shown(stage):
    # Skills training: 2021–2025 window; the shipped yearly values sum to 10.60 万人次.
    from planbook.book import indicator_pages
    from planbook.book.pdf import summary_rows

    ind = stage.cat.by_id["bal_skills_training"]
    rec = stage.frame[stage.frame["id"] == ind.id].iloc[0]
    lines = dict(indicator_pages.verdict_lines(stage, ind, rec))
    assert "（2021–2025年累计 10.60 万人次）" in lines["状态"] and "年数值" not in lines["状态"]
    row = next(r for r in views.scorecard(stage, "balanced").rows if r[1].text == ind.name_zh)
    assert row[4].text == "10.60 万人次（2021–2025年累计）"
    _, text_rows, _ = summary_rows(stage)
    assert next(r for r in text_rows if r[2].text == ind.name_zh)[3].text.startswith("10.60 万人次（2021–2025年累计）")


def test_the_score_never_falls_when_a_value_improves(stage):
    from planbook.assess.progress import assess, summarise

    # By hand, 2025 智慧城镇化: five rows met (100 each), smart campuses 99.5 against 100 from 97 in
    # 2020 (share 2.5 / 3 = 83.3) and e-licences missed at share 87.7: (500 + 83.3 + 87.7) / 7 = 95.9,
    # not (500 + 0 + 0) / 7 = 71.4.
    assert stage.summary.set_index("dimension").loc["smart", "score"] == pytest.approx(95.86, abs=0.01)
    # Almost every value improved from 2024 to 2025: the total rises (67.6 → 88.0), not falls to 52.4.
    before = open_report(2024, ROOT / "data").summary.set_index("dimension").loc["all", "score"]
    assert round(before, 1) == 67.6 and round(stage.summary.set_index("dimension").loc["all", "score"], 1) == 88.0
    for year in (2022, 2024, 2025):
        report = open_report(year, ROOT / "data")
        obs, cat = report.data.observations, report.cat

        def scores(o):
            return summarise(cat, assess(cat, o, year)).set_index("dimension")["score"].fillna(-1)

        start = scores(obs)
        for ind in cat.table:
            at = (obs["indicator_id"] == ind.series_id) & (obs["year"] == year)
            t = ind.target_for(year) or (ind.targets[-1] if ind.targets else None)
            if not at.any() or t is None:
                continue
            value = float(obs.loc[at, "value"].iloc[0])
            sign = 1 if ind.direction == "higher" else -1
            last = start
            for step in (0.1, 0.5, 0.9, 0.99, 1.0, 1.5):  # toward the target and beyond it
                better = obs.copy()
                better.loc[at, "value"] = value + sign * step * (abs(t.value - value) + 1)
                now = scores(better)
                assert (now >= last - 1e-9).all(), (year, ind.id, step, dict(last), dict(now))
                last = now


def test_every_share_shows_its_base_and_one_time_share_serves_every_row():
    from io import StringIO

    from planbook.assess.progress import assess

    report = open_report(2024, ROOT / "data")
    # Smart hospitals: no 2020 value in the plan, 50 in 2021, 80 in 2024, target 100 in 2025:
    # (80 − 50) / (100 − 50) = 60.0%, measured from 2021 (said); time from the plan's 2020:
    # (2024 − 2020) / (2025 − 2020) = 80.0%, not (2024 − 2021) / (2025 − 2021) = 75.0%.
    # Smart campuses: 97 in 2020 (the plan's), 98.5 in 2024: 1.5 / 3 = 50.0%, the same 80.0% of time.
    obs = pd.read_csv(StringIO("year,indicator_id,value,kind\n2021,smart_hospital_coverage,50,demo\n"
                               "2024,smart_hospital_coverage,80,demo\n2024,smart_campus_coverage,98.5,demo\n"))
    report.__dict__["frame"] = assess(report.cat, obs, 2024)
    rows = {r[1].text: r for r in views.scorecard(report, "smart").rows}
    assert rows["智慧医院覆盖率"][7].text == "60.0% / 80.0%（基期：2021年）"
    assert rows["智慧校园建设覆盖率"][7].text == "50.0% / 80.0%"


@pytest.fixture(scope="module")
def thin_2026(tmp_path_factory):
    """2026 with 7 of the 57 indicators reported; the rest carried forward from 2025."""
    import shutil

    data = tmp_path_factory.mktemp("thin") / "data"
    shutil.copytree(ROOT / "data", data)
    ids = ["smart_5g_base_stations", "smart_5g_urban_coverage", "smart_fibre_household_coverage",
           "smart_campus_coverage", "green_good_air_days", "bal_income_ratio", "two_resident_population"]
    last = pd.read_csv(data / "observations" / "2025.csv").set_index("indicator_id")
    rows = "".join(f"{i},{last.loc[i, 'value']},测试,,demo\n" for i in ids)
    (data / "observations" / "2026.csv").write_text("indicator_id,value,source,note,kind\n" + rows, "utf-8")
    return open_report(2026, data)


def test_carried_forward_values_are_counted_and_dated(thin_2026):
    from planbook.book.indicator_pages import results_page
    from planbook.book.pdf import summary_lines, summary_rows

    report = thin_2026
    assert say.reported(report) == (7, 57)
    first = "2026 年数值仅报送 7/57 项，多数指标沿用以前年份的数值（注明年份），本版判断主要反映以前年份的情况。"
    assert say.coverage_sentence(report) == first
    lines, _, _ = summary_lines(report)
    assert lines[0] == first  # the PDF summary opens with it
    page = results_page(report)
    assert page.split("\n\n")[1].replace("\\/", "/").startswith(first)  # the landing page's first sentence, under its title
    assert "数值已报送 7/57" in views.score_table(report).caption
    # On paper, a carried-forward value says its year: 15 of the table's 22 rows were not reported for
    # 2026 (the 7 reported are all table rows); the skills-training sum says its years (2021–2025).
    _, text_rows, _ = summary_rows(report)
    dated = [r[3].text for r in text_rows if "（2025年）" in r[3].text or "（2021–2025年累计）" in r[3].text]
    assert len(dated) == 22 - 7


def test_an_overdue_commitment_stays_red_a_year_later_without_a_report(stage, thin_2026):
    # 11 commitments are overdue (到期未完成) in 2025; nobody reports in 2026: the same 11 stay red,
    # none becomes 未报送 — and each is still listed as a report owed for 2026.
    from planbook.assess.reporting import missing_reports

    red_2025 = set(stage.commitments.loc[stage.commitments["light"] == "red", "id"])
    later = thin_2026.commitments.set_index("id")
    assert len(red_2025) == 11
    assert set(later.index[later["light"] == "red"]) == red_2025
    assert set(later.loc[sorted(red_2025), "status"]) == {"not_achieved"}
    owed = {m.id for m in missing_reports(thin_2026.data, 2026) if m.kind == "commitment"}
    assert red_2025 <= owed


def test_a_column_shared_by_most_rows_is_said_once_whatever_the_others_hold():
    from planbook.report.format import Cell, Table

    source = "演示数据（演示数据生成器，随机种子 1），非官方统计"
    # Four commitments: three with the demo source, one not reported ("—"), one with its own report.
    cells = [source, source, "—", source, "区统计局 2025 年报"]
    rows = [[Cell(f"项目{k}"), Cell("● 绿灯"), Cell(c)] for k, c in enumerate(cells)]
    table = Table(columns=["名称", "进展", "来源"], rows=rows, wide=frozenset({0, 2}), key=(1,))
    md = table._repr_markdown_()
    assert md.count(source) == 1  # was 3: one 未报送 row broke the rule
    assert md.count("见表注") == 3 + 1 and "区统计局 2025 年报" in md and "- —" in md
    assert md.rstrip().endswith("“来源”标“见表注”的各行均为：演示数据（演示数据生成器，随机种子 1），非官方统计。")
    assert table._repr_html_().count(source) == 3  # the website keeps every row's own


def test_the_shipped_register_prints_its_one_source_once_per_table(thin_2026):
    # 2026: no commitment reported; the done and the eleven overdue carry their earlier report's
    # source (91 rows), the rest show "—": whatever the mix, the demo source is printed once.
    from planbook.report.format import md_escape

    table = views.commitments_table(thin_2026, thin_2026.commitments, "目标、任务和项目")
    sources = [row[5].text for row in table.rows]
    demo = next(s for s in sources if s.startswith("演示数据"))
    assert sources.count(demo) == 91 and "—" in sources
    md = table._repr_markdown_()
    assert md.count(md_escape(demo)) == 1 and md.count("见表注") == 91 + 1
