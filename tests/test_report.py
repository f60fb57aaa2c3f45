"""What the report says, on the shipped data: verdicts a review meeting can sign."""

from __future__ import annotations

import pytest

from planbook.assess.progress import is_met
from planbook.book.pdf import summary_page
from planbook.report import sentences as say, views
from planbook.report.report import open_report

from conftest import ROOT


@pytest.fixture(scope="module")
def mid_term():
    return open_report(2025, ROOT / "data")


def test_no_missed_2025_target_is_shown_as_on_track(mid_term):
    report = mid_term
    head = report.headline()
    due = head[head["milestone"] == 2025]
    assert len(due) == 21  # every table row but the forest cover (no target)
    missed = []
    for rec in due.itertuples(index=False):
        ind = report.cat.by_id[rec.id]
        t = ind.target_for(2025)
        if rec.value_year == 2025 and not is_met(rec.value, t.value, t.comparison, ind.direction):
            missed.append(ind)
            assert (rec.status, rec.pace, rec.light) == ("not_achieved", "not_achieved", "red"), rec.id
    assert missed, "the shipped 2025 data miss some 2025 targets"
    assert not ({"on_track", "needs_acceleration", "limited_progress"} & set(due["status"]))
    # Tables of the site and the PDF.
    for dimension in ("smart", "green", "balanced", "two_way"):
        table = views.scorecard(report, dimension)
        for iid, row in _by_name(report, table):
            if report.cat.by_id[iid] in missed:
                assert "未完成" in row[-1].text and "到期未完成" in row[-2].text, iid
        assert "进展顺利" not in table._repr_html_() and "进展顺利" not in table._repr_markdown_()
    overview = views.status_overview(report)
    assert "进展顺利" not in overview._repr_html_()
    # Sentences, scores and the PDF's meeting summary.
    sentences = [say.status_sentence(report, head, "专栏1"), say.pace_sentence(report, head, "专栏1")]
    assert not any("进展顺利" in s for s in sentences)
    assert f"未完成 {len(missed)} 项" in sentences[1]
    summary = report.summary.set_index("dimension")
    assert summary.loc["all", "on_track"] == 0 and summary.loc["all", "not_achieved"] == len(missed)
    page = summary_page(report)
    assert "进展顺利" not in page and "到期未完成" in page


def _by_name(report, table):
    names = {i.name_zh: i.id for i in report.cat.table}
    for row in table.rows:
        yield names[row[1].text], row


def test_milestone_verdicts_are_not_steps_back(mid_term):
    sentence, table = views.changes(mid_term)
    moves = [row[-1].text for row in table.rows]
    assert "退步" not in moves and "2025年目标到期" in moves
    assert "因目标年已到而按当年数值判定完成与否" in sentence


def test_the_overview_opens_in_the_reviewers_idiom(mid_term):
    sentence = say.pace_sentence(mid_term, mid_term.headline(), "专栏1")
    assert sentence.startswith("专栏1 22 项指标按序时进度衡量，")
    assert "亮绿灯" in sentence and "亮红灯" in sentence and "对照已到期的 2025 年目标，已完成" in sentence


def test_a_missed_milestone_stays_missed_in_later_editions(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    # 2026: physicians per 1,000 reach 4.6 (above the 2025 target of 4.5) a year late.
    rows = "indicator_id,value,source,note,kind\nbal_doctors_per_1000,4.6,测试,,demo\n"
    (data / "observations" / "2026.csv").write_text(rows, encoding="utf-8")
    report = open_report(2026, data)
    rec = report.frame[(report.frame["id"] == "bal_doctors_per_1000") & (report.frame["milestone"] == 2025)].iloc[0]
    assert (rec["status"], rec["reason"], rec["met_year"]) == ("not_achieved", "reached_late", 2026)
    table = views.scorecard(report, "balanced")
    row = next(r for r in table.rows if r[1].text == "每千人口拥有执业（助理）医师")
    # The 2035 target is the one judged now; the missed 2025 target stays visible in its column.
    assert row[5].text == "4.5（未完成，2026年达到）"
    # A target of 2025 only stays judged by its 2025 value (99.5 against 100) in the 2026 edition.
    campus = next(r for r in views.status_overview(report).rows if r[2].text == "智慧校园建设覆盖率")
    assert campus[-1].text == "未完成" and campus[4].text.startswith("2025年")

