"""A page per indicator, the landing page with the results, and what readers see around them:
tables as cards on a phone, marks explained under the table, charts as wide as their column,
the ⤓ menu, the theme's words in Chinese. Functions on the fixture data first, then the
session's 2022 edition (tests/conftest.py ``site``)."""

from __future__ import annotations

import csv
import html
import io
import re
from types import SimpleNamespace

import pytest
import yaml

from planbook.book import indicator_pages as pages
from planbook.plan.catalogue import load_catalogue
from planbook.report import views
from planbook.report.charts import PRINT_WIDTH, chart_for, chart_spec, responsive, WEB_FONT
from planbook.report.format import Cell, Table
from planbook.report.report import Report, open_report

from conftest import BOOK_DATA, ROOT


@pytest.fixture(scope="module")
def report() -> Report:
    return open_report(2022, BOOK_DATA)


def editions(report: Report) -> list:
    earlier = [Report(data=report.data, year=y) for y in (2021,)] + [report]
    return [(rep, pages.headline_records(rep)) for rep in earlier]


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# --- an indicator's page --------------------------------------------------------------------------

def test_an_indicator_page_has_the_passage_targets_verdicts_series_and_history(report):
    ind = report.cat.by_id["two_resident_urbanisation"]
    page = pages.indicator_page(report, ind, editions(report))
    words = text_of(page)
    assert page.startswith("(indicator-two-resident-urbanisation)=\n# 常住人口城镇化率\n")
    assert "双向城镇化" in words and "专栏1第19行" in words and "单位：%" in words
    assert "第一章 五、主要目标" in words and "常住人口城镇化率 ｜ \\% ｜ 87\\.2" in page  # the plan's row, escaped
    # Both verdicts with the numbers behind them (fixture: 89.1 in 2022, base 87.2, target >90 in 2025).
    assert "规划基期 2020年 87.2%" in words and "2025年 >90" in words
    assert "绿灯 · 快于序时进度" in words and "完成进度 67.9%，时序进度 40.0%" in words
    assert "进展顺利" in words and "进展比率 1.71" in words
    assert "≥90" in words  # the table's ">90" as the evaluation reads it (以上 includes 90)
    # The series as chart and as table, each value with its source; the CSV; earlier editions.
    assert 'planbookLiteChart("pb-chart-' in page and pages.CHART_SCRIPT in page
    assert "测试夹具（非真实数据）" in words and "89.1%" in words and "2020 87.2%" in words
    assert 'href="../../data/two_resident_urbanisation.csv"' in page
    assert "2021 年度" in words and "2022 年度" in words
    assert "{ref}`双向城镇化 <two-way-scorecard>`" in page  # back to the chapter, checked by Sphinx


def test_values_keep_their_notes_revisions_and_demo_mark(report):
    ind = report.cat.by_id["smart_5g_urban_coverage"]
    revised = {(ind.id, 2021): SimpleNamespace(kind="revised", old=79.0)}
    rows = pages.series_rows(report, ind, revised=revised, notes={(ind.id, 2022): "预计数"})
    assert rows.to_dict("records") == [
        {"year": 2021, "value": 80.0, "kind": "demo", "source": "测试夹具（非真实数据）",
         "note": "较2021年度版发布时修订（原为 79.0%）"},
        {"year": 2022, "value": 86.5, "kind": "demo", "source": "测试夹具（非真实数据）", "note": "预计数"}]
    table = pages.series_table(report, ind, rows)._repr_html_()
    assert table.count('class="pb-demo-mark"') == 2 and "预计数" in table
    page = pages.indicator_page(report, ind, editions(report), rows)
    assert "```{warning}" in page and "演示" in page


def test_a_text_target_and_a_pending_target(report):
    text = report.cat.by_id["smart_e_licence_use_text"]
    words = text_of(pages.indicator_page(report, text, editions(report)))
    assert "规划正文目标（即专栏1第7行）" in words and "第三章 三、\\(二\\)打造智慧高效的服务政府" in words
    forest = report.cat.by_id["green_forest_coverage"]
    page = pages.indicator_page(report, forest, editions(report))
    assert "规划未给出目标值（待定）" in page and "基期值带\\*" in page  # the * of 23.16* explained


def test_an_indicator_csv_holds_its_values_with_unit_kind_and_source(report):
    ind = report.cat.by_id["two_resident_urbanisation"]
    data = pages.csv_bytes(pages.indicator_frame(report, ind))
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["年份"], r["数值"], r["类别"]) for r in rows] == [("2020", "87.2", "规划基期值"),
                                                               ("2021", "88.2", "官方数据"), ("2022", "89.1", "官方数据")]
    assert all(r["单位"] == "%" and r["指标编号"] == ind.id and r["来源"] for r in rows)


def test_the_landing_page_gives_the_results_on_one_screen(report):
    page = pages.results_page(report)
    total = report.summary.set_index("dimension").loc["all"]
    words = text_of(page)
    assert page.startswith("(results)=\n# 2022年度评估结果（年度评估）")
    for light, word in (("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯")):
        assert f"{int(total[f'light_{light}'])} {LIGHT_SYMBOL[light]} {word}" in words
    for dim in report.cat.dimensions:
        assert f'href="chapters/{dim.id}.html">{dim.name_zh}</a>' in page
    red = report.headline()
    for iid in red[red["light"] == "red"]["id"]:
        assert f'href="generated/indicators/{iid}.html"' in page
    assert f"总分 {total['score']:.1f}" in words


LIGHT_SYMBOL = {"green": "●", "yellow": "▲", "red": "■"}


def test_the_index_lists_every_indicator(report):
    index = pages.indicators_index(report)
    assert len(re.findall(r'href="indicators/[a-z0-9_]+\.html"', index)) == len(report.cat.indicators) == 57


# --- tables, marks, charts ------------------------------------------------------------------------

def test_a_table_is_a_list_of_cards_on_a_phone_and_names_link_to_their_page():
    table = Table(columns=["序号", "指标", "评估值", "状态"], rows=[[Cell("1"), Cell("<甲>", href="../x/a&b.html"),
                                                                  Cell("5%"), Cell("好")]], lead=1, key=(3, 2))
    html = table._repr_html_()
    assert '<td class="pb-lead" data-label="指标"><a href="../x/a&amp;b.html">&lt;甲&gt;</a></td>' in html
    assert 'class="pb-key pb-key-1" data-label="状态"' in html and 'class="pb-key pb-key-2" data-label="评估值"' in html
    assert 'tabindex="0" role="region"' in html  # a table that scrolls can be reached by keyboard
    assert "href" not in table._repr_markdown_()  # the PDF's table is unchanged


def test_scorecards_link_every_row_and_explain_the_marks(report):
    green = views.scorecard(report, "green")
    assert all(row[1].href == f"../generated/indicators/{ind.id}.html"
               for row, ind in zip(green.rows, [i for i in report.cat.table if i.dimension == "green"]))
    assert "森林覆盖率：基期值带*" in green.note and "森林覆盖率：基期值带\\*" in green._repr_markdown_()
    balanced = views.scorecard(report, "balanced")
    assert "加“[]”指标为五年累计数" in balanced.note  # [10]
    smart = views.scorecard(report, "smart")
    assert "基期值带" not in smart.note and "五年累计数" not in smart.note  # only the marks the table shows


def test_charts_take_their_columns_width_and_link_to_the_page(report):
    ind = report.cat.by_id["green_good_air_days"]
    out = chart_for(report, ind)
    assert out.print_spec["width"] == PRINT_WIDTH  # the PDF's image keeps its size
    web = responsive(chart_spec(out.print_spec, WEB_FONT))
    assert web["width"] == "container" and web["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert "containerSize()" in out.html  # the compiled chart measures its container
    assert 'href="../generated/indicators/green_good_air_days.html"' in out.html
    assert "指标详情" not in chart_for(report, ind, link=False).html


# --- the site's furniture --------------------------------------------------------------------------

def test_the_download_menu_offers_the_pdf_and_the_pages_data():
    from planbook.site.sphinx_ext import download_menu

    pdf = {"key": "pdf", "file": "book-2022.pdf", "text": "PDF 版", "tooltip": "PDF 版", "icon": "fas fa-file-pdf"}
    menu = download_menu("generated/indicators/x", [pdf],
                         {"assessment": {"csv": "a.csv", "xlsx": "a.xlsx"}}, ("data/x.csv", "本指标数据（CSV）"))
    urls = [b["url"] for b in menu["buttons"]]
    assert urls == ["../../book-2022.pdf", "../../data/x.csv", "../../downloads/a.csv", "../../downloads/a.xlsx"]
    assert all(b["type"] == "link" for b in menu["buttons"]) and menu["label"] == "download-buttons"


def test_the_theme_speaks_chinese():
    from planbook.site.sphinx_ext import theme_words

    page = ('<button title="Toggle primary sidebar"><input placeholder="Search..." aria-label="Search...">'
            '<nav aria-label="Main"></nav><summary><span class="toctree-toggle" role="presentation">')
    out = theme_words(page)
    assert "Toggle" not in out and "Search..." not in out and 'aria-label="Main"' not in out
    assert 'title="显示或隐藏目录栏"' in out and '<summary aria-label="展开或收起本节">' in out


def test_the_pdf_leaves_out_the_web_pages():
    from planbook.book.pdf import PDF_ROOT, pdf_toc

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    latex = pdf_toc(toc)
    files = [c["file"] for part in latex["parts"] for c in part["chapters"]]
    assert latex["root"] == PDF_ROOT and files[0] == "intro" and "generated/indicators" not in files
    assert "generated/indicators" in [c["file"] for part in toc["parts"] for c in part["chapters"]]


# --- the built edition ----------------------------------------------------------------------------

def test_every_indicator_has_its_page_and_data_and_the_chapters_link_to_them(site):
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    for ind in cat.indicators:
        assert (site / "generated" / "indicators" / f"{ind.id}.html").is_file(), ind.id
        assert (site / "data" / f"{ind.id}.csv").is_file(), ind.id
    for dim in cat.dimensions:
        page = (site / "chapters" / f"{dim.id}.html").read_text("utf-8")
        for ind in (i for i in cat.indicators if i.dimension == dim.id):
            assert f'href="../generated/indicators/{ind.id}.html"' in page, ind.id  # a table row links it
        assert (site / "data" / f"{dim.id}.csv").is_file()


def test_the_edition_opens_on_its_results(site):
    landing = (site / "index.html").read_text("utf-8")
    assert 'http-equiv="Refresh"' not in landing  # the page itself, not a redirect to 关于本评估
    assert "<h1>2022年度评估结果（年度评估）" in landing and "亮红灯的指标" in landing
    assert 'href="intro.html"' in landing  # 关于本评估 is the first chapter


def test_footer_menu_and_tooltips_in_chinese(site):
    for name in ("index.html", "chapters/green.html", "generated/indicators/green_forest_coverage.html"):
        page = (site / name).read_text("utf-8")
        assert "© 2023–2035" in page and "Copyright" not in page
        assert "本评估由 planbook 生成" in page  # _config.yml's extra_footer is shown
        for english in ("Toggle primary sidebar", "Toggle secondary sidebar", "Search...", "System Settings",
                        "Color mode", "Print to PDF", "window.print()", "_sources/"):
            assert english not in page, (name, english)
    green = (site / "chapters" / "green.html").read_text("utf-8")
    menu = green[green.index("dropdown-download-buttons"):]
    assert 'href="../licheng-evaluation-2022.pdf"' in menu and 'href="../data/green.csv"' in menu
