"""The researchers' commentary: per edition and chapter, scaffolded, checked for staleness, shown
on the page and in the PDF of its own edition only; the overview's skeleton; --final; --draft.

The 2022 fixture (tests/fixtures/book-data/commentary/2022) holds a current commentary on green,
one on two_way written against a status the data no longer give (stale), and the overview's
sections; the session's `site` fixture is built from it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planbook.errors import InputError
from planbook.inputs.dataset import load
from planbook.report.commentary import chapter_state, required_sections, stale, stale_note
from planbook.report.report import Report

from conftest import BOOK_DATA, run_cli


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the fixture data without its commentary."""
    dest = tmp_path / "data"
    shutil.copytree(BOOK_DATA, dest)
    shutil.rmtree(dest / "commentary")
    return dest


def page_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", "", path.read_text("utf-8"))


# --- the scaffold ---------------------------------------------------------------------

def test_scaffold_writes_what_is_missing_and_never_overwrites(data):
    mine = data / "commentary" / "2022" / "green.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("## 存在问题及原因\n\n研究人员已写的意见。\n", encoding="utf-8")
    before = mine.read_bytes()
    code, out, _ = run_cli("commentary", "--year", "2022", "--data", str(data))
    assert code == 0 and f"kept {mine}" in out
    assert mine.read_bytes() == before
    written = sorted(p.name for p in mine.parent.iterdir())
    assert written == ["balanced.md", "green.md", "overview.md", "smart.md", "two_way.md"]
    # A second run writes nothing: every file is kept as it is.
    texts = {p: p.read_bytes() for p in mine.parent.iterdir()}
    code, out, _ = run_cli("commentary", "--year", "2022", "--data", str(data))
    assert code == 0 and out.count("kept ") == 5 and "wrote" not in out
    assert {p: p.read_bytes() for p in mine.parent.iterdir()} == texts


def test_scaffold_records_the_chapter_and_lists_the_facts_as_comments(data):
    run_cli("commentary", "--year", "2022", "--data", str(data))
    ds = load(data)
    report = Report(data=ds, year=2022)
    green = ds.commentary_for(2022, "green")
    assert green.record == chapter_state(report, "green") and stale(report, green) == []
    assert len(green.record["indicators"]) == 17 and len(green.record["commitments"]) == 86
    text = green.file.data.decode("utf-8")
    # The red indicator of the fixture (air quality, 52.0 after 53.6) is named with its glue key …
    assert re.search(r"^% 【红灯指标】环境空气质量优良天数比例：.*`green_good_air_days_value`", text, re.M)
    # … a status change since 2021 and the chapter's headings; comments never reach the page.
    assert "% 【状态变化】" in text and "## 存在问题及原因" in text and "## 对策建议" in text
    assert green.empty and all("%" not in s.body for s in green.sections)
    overview = ds.commentary_for(2022, "overview")
    assert [s.key for s in overview.sections[1:]] == ["verdict", "problems", "suggestions"]  # annual: no adjustment


def test_mid_term_and_final_editions_add_the_adjustment_section():
    from planbook.inputs.dataset import load as load_project
    from planbook.report.commentary import scaffold

    ds = load_project()
    assert ds.catalogue.edition_kind(2025) == "mid_term"
    assert required_sections(Report(data=ds, year=2025), "overview") == ["verdict", "problems", "suggestions",
                                                                          "adjustment"]
    assert "## 规划实施调整建议" in scaffold(Report(data=ds, year=2025), "overview")
    assert "adjustment" not in required_sections(Report(data=ds, year=2024), "overview")
    assert "规划实施调整建议" not in scaffold(Report(data=ds, year=2024), "overview")


# --- stale commentary -------------------------------------------------------------------

def test_a_data_change_that_flips_a_discussed_status_makes_check_warn(data):
    run_cli("commentary", "--year", "2022", "--data", str(data))
    code, _, err = run_cli("check", "--data", str(data))
    assert code == 0 and "warning" not in err
    # 户籍人口城镇化率 2022: 75.6 (on track) → 73.0, below the 2020 base of 73.8: deterioration.
    csv = data / "observations" / "2022.csv"
    csv.write_text(csv.read_text("utf-8").replace("two_registered_urbanisation,75.6", "two_registered_urbanisation,73.0"),
                   encoding="utf-8")
    code, _, err = run_cli("check", "--data", str(data))
    assert code == 0  # a warning does not change the exit code
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert lines and all("two_way.md" in line or "overview.md" in line for line in lines)
    assert any("two_way.md" in line and "two_registered_urbanisation (户籍人口城镇化率) at on_track/ahead, now "
               "deterioration/" in line for line in lines)
    # The page's note names the indicator, what it was and what it is.
    report = Report(data=load(data), year=2022)
    note = stale_note(report, report.data.commentary_for(2022, "two_way"))
    assert "评估意见早于最新数据" in note and "户籍人口城镇化率：撰写时为“进展顺利，快于序时进度”，现为“出现倒退" in note
    assert stale_note(report, report.data.commentary_for(2022, "green")) is None
    # Once reviewed, --refresh records the current state; the text stays as it was.
    body = (data / "commentary" / "2022" / "two_way.md").read_text("utf-8").split("\n---\n", 1)[1]
    code, out, _ = run_cli("commentary", "--year", "2022", "--refresh", "--data", str(data))
    assert code == 0 and "refreshed" in out
    assert (data / "commentary" / "2022" / "two_way.md").read_text("utf-8").split("\n---\n", 1)[1] == body
    code, _, err = run_cli("check", "--data", str(data))
    assert code == 0 and "warning" not in err


# --- --final ----------------------------------------------------------------------------

def test_final_lists_missing_sections_and_exits_2(data):
    folder = data / "commentary" / "2022"
    folder.mkdir(parents=True)
    (folder / "overview.md").write_text("## 总体评价\n\n总体平稳。\n\n## 存在问题及原因\n\n% 尚未撰写\n",
                                        encoding="utf-8")
    (folder / "green.md").write_text("## 对策建议\n\n加强治理。\n", encoding="utf-8")
    code, out, err = run_cli("check", "--year", "2022", "--final", "--data", str(data))
    assert code == 2
    assert "overview.md: section '## 存在问题及原因' is missing or empty" in err
    assert "overview.md: section '## 对策建议' is missing or empty" in err
    assert "section '## 总体评价'" not in err and "green.md" not in err
    assert re.search(r"smart\.md: no commentary", err) and "department 区大数据局" in err
    assert "not ready to be final" in err
    # Without --final the same data pass.
    assert run_cli("check", "--year", "2022", "--data", str(data))[0] == 0


# --- bad commentary: one line naming file and line ----------------------------------------

@pytest.mark.parametrize("name, text, expected", [
    ("gren.md", "x\n", "not a chapter: name the file after one of overview, smart, green, balanced, two_way"),
    ("green.md", "---\nwritten_against: [1\n---\ntext\n", "front matter is not valid YAML"),
    ("green.md", "# 标题\n\ntext\n", "row 1: a level-1 heading"),
    ("overview.md", "## 总体评价\n\nx\n\n## 其他意见\n\ny\n", "row 5: unknown section '## 其他意见'"),
    ("green.md", "---\nwritten_against:\n  indicators:\n    x: 1\n---\n", "field 'written_against.indicators'"),
    ("green.md", "bad \x0b char\n", "row 1: holds the control character U+000B"),
])
def test_bad_commentary_is_refused_with_file_and_line(data, name, text, expected):
    path = data / "commentary" / "2022" / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli("check", "--data", str(data))
    assert code == 2 and err.startswith("error: ") and expected in err and f"2022/{name}" in err
    assert "Traceback" not in err


def test_an_unknown_glue_key_names_the_file_and_line(data):
    from planbook.book.notebook import Chapter

    path = data / "commentary" / "2022" / "green.md"
    path.parent.mkdir(parents=True)
    path.write_text("## 存在问题及原因\n\n数值 {glue:text}`green_good_air_days_value`，\n"
                    "完成 {glue:text}`green_no_such_number:.1f`。\n", encoding="utf-8")
    chapter = Chapter("green", 2022, data)
    with pytest.raises(InputError, match=r"commentary/2022/green\.md, row 4: \{glue:text\}`green_no_such_number`"):
        chapter.commentary()


def test_run_refuses_a_year_without_data():
    code, _, err = run_cli("run", "green", "--year", "2026", "--data", str(BOOK_DATA))
    assert code == 2 and "no observations for 2026" in err and "Traceback" not in err


# --- the built edition (the session's 2022 site with its PDF) ---------------------------------

def test_commentary_shows_in_its_chapter_with_numbers_from_glue(site):
    green = page_text(site / "chapters" / "green.html")
    section = green[green.index("评估意见"):]
    assert "本节为评估组撰写的评估意见" in section
    assert "2022 年环境空气质量优良天数比例为 52.0%，完成进度 -23.9%（出现倒退）。夹具绿色意见" in section
    assert "夹具绿色建议" in section and "分项说明" in section
    assert "夹具提示行" not in green and "夹具空标题" not in green  # comments and empty sections are left out
    assert "评估意见早于最新数据" not in green  # written against the data as they are
    html = (site / "chapters" / "green.html").read_text("utf-8")
    assert 'id="green-commentary"' in html and "{glue" not in html
    for chapter in ("smart", "balanced"):  # no commentary: no 评估意见 section, no empty heading
        assert "评估意见" not in page_text(site / "chapters" / f"{chapter}.html")


def test_stale_commentary_shows_a_note(site):
    page = page_text(site / "chapters" / "two_way.html")
    note = page[page.index("评估意见早于最新数据"):]
    assert "常住人口城镇化率：撰写时为“需加快，慢于序时进度”，现为“进展顺利，快于序时进度”" in note
    assert note.index("常住人口城镇化率：撰写时") < note.index("夹具双向意见")


def test_overview_follows_the_reviewers_order(site):
    page = page_text(site / "chapters" / "overview.html")
    body = page[page.index("本章是 2022 年度评估的总览"):]
    order = ["总体评价#", "评估组意见", "夹具总体评价", "主要指标完成情况#", "重点任务与项目进展#", "存在问题及原因#",
             "夹具问题", "对策建议#", "夹具建议", "规划内部一致性核查#", "背景数据#"]  # (# ends a heading)
    positions = [body.index(word) for word in order]
    assert positions == sorted(positions)
    assert "规划实施调整建议" not in body[body.index("总体评价"):]  # an annual edition


def test_commentary_is_in_the_pdf(site):
    text = subprocess.run(["pdftotext", "-layout", str(site / "licheng-evaluation-2022.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for words in ("评估意见", "夹具绿色意见", "夹具绿色建议", "评估意见早于最新数据", "夹具总体评价", "夹具问题", "夹具建议"):
        assert words in flat, words
    assert "完成进度-23.9%" in flat.replace("‑", "-")
    assert "夹具提示行" not in flat and "夹具空标题" not in flat


# --- --draft ------------------------------------------------------------------------------

def test_a_draft_has_a_banner_and_a_pdf_watermark(tmp_path):
    from planbook.build.pipeline import draft_watermark, edition_config

    from conftest import ROOT

    from planbook.book.edition import Edition

    ds = load(BOOK_DATA)
    config = edition_config(ROOT, Edition.of(ds, 2022, {}, draft=True))["sphinx"]["config"]
    assert config["html_theme_options"]["announcement"].startswith("征求意见稿")
    assert "本评估含演示数据" in config["html_theme_options"]["announcement"]  # both banners
    assert "draftwatermark" in config["latex_elements"]["preamble"]
    plain = edition_config(ROOT, Edition.of(ds, 2022, {}))["sphinx"]["config"]
    assert "征求意见稿" not in plain["html_theme_options"]["announcement"]
    assert "draftwatermark" not in plain["latex_elements"]["preamble"]
    # The watermark is on every page of a document typeset with the book's fonts.
    doc = tmp_path / "w.tex"
    doc.write_text("\\documentclass{article}\\usepackage{fontspec}\\usepackage[fontset=none]{ctex}"
                   "\\setCJKmainfont{Noto Serif CJK SC}\\setCJKsansfont{Noto Sans CJK SC}"
                   + draft_watermark("征求意见稿") + "\\begin{document}一\\newpage 二\\end{document}\n", encoding="utf-8")
    subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", doc.name], cwd=tmp_path,
                   capture_output=True, check=True)
    for page in (1, 2):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "w.pdf", "-"], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout
        assert set("征求意见稿") <= set(text), page  # (rotated: its characters come out of order)


def test_draft_is_part_of_the_edition_key():
    from planbook.build import cache

    from conftest import ROOT

    ds = load(BOOK_DATA)
    keys = {"overview": "k"}
    assert cache.edition_key(ROOT, keys, 2022, False, ds) != cache.edition_key(ROOT, keys, 2022, False, ds, draft=True)
