"""The PDF edition, checked with poppler's tools (pdffonts, pdftotext, pdfimages, pdfinfo)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from planbook.project import chapters

from conftest import ROOT


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf(site) -> Path:
    path = site / "licheng-evaluation-2022.pdf"
    assert path.exists()
    return path


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return run("pdftotext", "-layout", str(pdf), "-")


def test_fonts_are_embedded_cjk(pdf):
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows
    assert all(re.search(r"\byes\s+yes\s+(yes|no)\b", row) for row in rows), rows  # embedded, subset
    noto = [row for row in rows if "Noto" in row]
    assert noto and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in noto)  # with a Unicode map
    # CJK fonts have no italic: emphasis in Chinese is set in 楷体 (FandolKai), not faked or dropped.
    assert any("FandolKai" in row for row in rows)


def test_latex_log_has_no_overfull_box_or_missing_shape(site):
    """Every table column fits the page (issue 14: the SHA-256 column ran 86 pt off it) and
    every emphasis has a font shape."""
    log = (site.parent.parent / "logs" / "latex.log").read_text("utf-8", errors="replace")
    assert "Output written on licheng-evaluation-2022" in log
    assert re.findall(r"Overfull \\hbox.*", log) == []
    assert "Font shape" not in log and "Some font shapes were not available" not in log


def test_front_matter_is_numbered_apart_from_the_body(pdf, text):
    """Summary and contents in roman numerals; page 1 is the first page of chapter 1 (and only it)."""
    pages = text.split("\f")
    footers = [([line.strip() for line in p.splitlines() if line.strip()] or [""])[-1] for p in pages]
    summary = next(k for k, p in enumerate(pages) if "会议摘要" in p and "维度得分" in p)
    assert re.search(r"\b[ivx]+$", footers[summary]), footers[summary]
    ones = [k for k, f in enumerate(footers) if re.search(r"(^|\s)1$", f)]
    assert len(ones) == 1 and re.search(r"第\s*1\s*章", pages[ones[0]])
    assert re.search(r"会议摘要\s*\.*\s*i\b", text)  # listed in the contents with its roman number


def test_pdf_keeps_the_long_lists_on_the_website(site, text):
    """Compact PDF (issue 14): departments and areas as summaries, the data appendix one row per
    series; the website keeps every list."""
    departments = (site / "generated" / "departments.html").read_text("utf-8")
    assert "负责的目标、任务和项目（2022年）" in departments
    flat = re.sub(r"\s+", "", text)
    assert "负责的目标、任务和项目（2022年）" not in flat
    assert "逐项清单见网站版" in flat
    appendix = flat[flat.index("数值与来源"):]
    assert "△为演示数据" in appendix


def test_text_has_contents_chapters_and_a_fixture_value(text):
    assert "目录" in text
    for title in ("总体评估", "智慧城镇化", "绿色城镇化", "均衡城镇化", "双向城镇化", "评估方法", "数据附录", "会议摘要"):
        assert title in text, title
    assert re.search(r"第\s*\d+\s*章", text)
    # 常住人口城镇化率 = 89.1% in 2022 (fixture) appears in the summary and the two-way scorecard.
    assert len(re.findall(r"常住人口城镇化率\s+89\.1%", text)) >= 1
    assert "89.1%" in text


def test_cover_and_summary_page(pdf, text):
    first = run("pdftotext", "-f", "1", "-l", "2", "-layout", str(pdf), "-")
    assert "2022 年度评估报告（年度评估）" in first and "数据截至 2022 年" in first
    assert "本报告含演示数据" in first  # the fixture's 5G coverage is demo
    summary = run("pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-")
    assert "会议摘要" in summary and "维度得分" in summary
    assert summary.count("\n") > 20 and "22" in summary  # all 22 rows on the one page


def test_metadata(pdf):
    info = run("pdfinfo", str(pdf))
    assert "Title:" in info and "2022 年度评估报告" in info
    assert re.search(r"Subject:.*含演示数据", info)
    assert re.search(r"Author:\s+\S", info)
    assert "Page size:       595.28 x 841.89 pts (A4)" in info
    assert "CreationDate:    Sat Dec 31 00:00:00 2022 UTC" in info  # from the data, not the clock


def test_a_figure_for_every_chart(pdf, site):
    charts = sum((site / "chapters" / f"{c}.html").read_text("utf-8").count('class="pb-chart"') for c in chapters(ROOT))
    images = [line for line in run("pdfimages", "-list", str(pdf)).splitlines()[2:] if line.split()[2] == "image"]
    assert charts >= 20
    assert len(images) == charts
    assert all(int(line.split()[12]) >= 150 for line in images)  # x-ppi: print resolution


def test_latex_log_has_no_missing_characters(site):
    log = (site.parent.parent / "logs" / "latex.log").read_text("utf-8", errors="replace")
    assert "Output written on licheng-evaluation-2022" in log
    assert "Missing character" not in log


def test_text_from_data_is_literal_in_latex(text):
    # The fixture's source "测试夹具 <script>alert(1)</script> & 100% $x_1$ {a} \ # _" sits in a
    # narrow table column, so it may wrap; every special character must come out as itself.
    flat = re.sub(r"\s+", "", text)
    for piece in ("<script>alert(1)</script>", "&100%$x_1${a}", "\\#_", "注释含|竖线"):
        assert piece in flat, piece


def test_site_links_to_the_pdf(site):
    for page in ("intro.html", "chapters/overview.html", "chapters/smart.html"):
        html = (site / page).read_text("utf-8")
        assert re.search(r'<a href="(\.\./)?licheng-evaluation-2022\.pdf" download>PDF 版</a>', html), page


def test_contents_page_numbers_point_at_the_chapters(text):
    """XeLaTeX ran until its cross-references settled: the contents give each chapter the
    page number printed on the page where the chapter starts."""
    pages = text.split("\f")
    contents = re.findall(r"^第 (\d+) 章 (\S+)\s+(\d+)$", text, re.M)
    assert len(contents) >= 8, contents
    for number, title, page in contents:
        opening = [p for p in pages if re.search(rf"^\s*第\s*{number}\s*章\s+{title}\s*$", p, re.M)]
        assert len(opening) == 1, title
        footer = [line.strip() for line in opening[0].splitlines() if line.strip()][-1]
        assert footer == page, (title, footer, page)
