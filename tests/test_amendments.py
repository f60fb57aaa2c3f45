"""Plan amendments: a target set after approval changes the editions from its year on, not earlier ones."""

from __future__ import annotations

import shutil

import pytest
import yaml

from planbook.book.pages import amendments_page
from planbook.errors import InputError
from planbook.report import views
from planbook.report.report import open_report

from conftest import ROOT, STATS

FOREST = {"id": "forest_cover_target", "indicator": "green_forest_coverage", "effective_from": 2024,
          "document": "（测试）区人民政府关于森林覆盖率目标的批复", "date": "2024-06-30",
          "targets": [{"year": 2025, "value": 24.0, "comparison": ">=", "as_written": "24.0"}],
          "note_zh": "按专栏1注②制定（测试）"}


@pytest.fixture
def amended(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "amendments.yaml").write_text(yaml.safe_dump({"amendments": [FOREST]}, allow_unicode=True),
                                          encoding="utf-8")
    return data


def forest(report):
    return report.frame[report.frame["id"] == "green_forest_coverage"]


def test_a_target_set_later_changes_that_edition_and_later_ones_only(amended):
    before = open_report(2023, amended)
    assert list(forest(before)["status"]) == ["no_target"]  # the plan's own: target pending
    for year in (2024, 2025):
        after = open_report(year, amended)
        rec = forest(after).iloc[0]
        assert (rec["milestone"], rec["target"]) == (2025, 24.0), year
        assert rec["status"] != "no_target"
        row = next(r for r in views.scorecard(after, "green").rows if r[1].text == "森林覆盖率")
        assert row[5].text == "24.0"  # the 2025 target column shows the amended target
    # The shipped plan (no amendment) is untouched by any of this.
    assert list(forest(open_report(2025, ROOT / "data"))["status"]) == ["no_target"]


def test_the_site_lists_the_amendments_or_says_there_are_none(amended):
    from planbook.inputs.dataset import load

    page = amendments_page(load(amended), 2023)
    assert "（测试）区人民政府关于森林覆盖率目标的批复" in page and "不适用（2024 年起生效）" in page
    assert "尚无经批准设定或调整的目标" in amendments_page(load(ROOT / "data"), 2025)


def test_each_indicator_page_shows_its_target_history(amended):
    import html
    import re

    from planbook.book.indicator_pages import headline_records, indicator_page

    def page_of(year):
        rep = open_report(year, amended)
        page = indicator_page(rep, rep.cat.by_id["green_forest_coverage"], [(rep, headline_records(rep))])
        return page, re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))

    page, words = page_of(2025)
    assert "(green-forest-coverage-amendments)=" in page and "目标的修订" in words
    # The plan's own (pending) first, then the amendment with its document and date; 2025 applies the amendment.
    plan_row = words.index("规划批准（2023-09-21）")
    amended_row = words.index("2024年 2025年：24.0")
    assert plan_row < amended_row
    assert "待定" in words[plan_row:amended_row] and "规划原定 不适用" in words[plan_row:amended_row]
    assert "2024年 2025年：24.0 （测试）区人民政府关于森林覆盖率目标的批复（2024-06-30）；按专栏1注②制定（测试） 适用" \
        in words
    # In 2023 the amendment is not yet in force: the plan's own target applies.
    _, words = page_of(2023)
    assert "规划原定 适用" in words and "2024-06-30）；按专栏1注②制定（测试） 不适用" in words
    # An indicator never amended has no such section.
    rep = open_report(2025, amended)
    other = indicator_page(rep, rep.cat.by_id["green_park_area_per_capita"], [(rep, headline_records(rep))])
    assert "目标的修订" not in other


@pytest.mark.parametrize("edit, field, message", [
    (lambda a: a.update(indicator="green_trees"), "amendments[0].indicator", "unknown indicator"),
    (lambda a: a.update(effective_from=2040), "amendments[0].effective_from", "outside the plan's period"),
    (lambda a: a["targets"][0].update(comparison="<="), "amendments[0].targets[0].comparison", "contradicts"),
    (lambda a: a["targets"][0].update(value=140), "amendments[0].targets[0].value", "outside the valid range"),
    (lambda a: a.pop("document"), None, "'document' is a required property"),
])
def test_a_bad_amendment_is_refused(amended, edit, field, message):
    raw = dict(FOREST, targets=[dict(FOREST["targets"][0])])
    edit(raw)
    (amended / "amendments.yaml").write_text(yaml.safe_dump({"amendments": [raw]}, allow_unicode=True),
                                             encoding="utf-8")
    with pytest.raises(InputError) as err:
        open_report(2025, amended)
    assert any((field is None or field in line) and message in line and "amendments.yaml" in line
               for line in err.value.lines()), err.value.lines()
    STATS["inputs refused"] += 1
