"""The edition as one value, its outputs declared once, and the leaders' brief (issue 24)."""

from __future__ import annotations

import json
import re
import time

import pdfplumber
import pytest

from planbook.book.edition import Edition
from planbook.inputs.dataset import load
from planbook.project import book_config

from conftest import BOOK_DATA, ROOT, run_cli

BRIEF = "licheng-evaluation-2022-brief.pdf"


def edition(year: int = 2022) -> Edition:
    return Edition.of(load(BOOK_DATA), year, book_config(ROOT))


def brief_text(path) -> tuple[int, str]:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages), "\n".join(page.extract_text() or "" for page in pdf.pages)


def assess_light_counts(year: int) -> dict[str, int]:
    """The table's indicators by light, from ``planbook assess --format json`` (its headline rows)."""
    from planbook.assess.progress import headline_milestone

    code, out, _ = run_cli("assess", "--year", str(year), "--data", str(BOOK_DATA), "--format", "json")
    assert code == 0
    cat = load(BOOK_DATA).catalogue_in_force(year)
    rows = {}
    for rec in json.loads(out):
        ind = cat.by_id[rec["id"]]
        if ind.table_no is not None and rec["milestone"] in (None, headline_milestone(ind, year)):
            rows[rec["id"]] = rec["light"] or "none"
    assert len(rows) == len(cat.table) > 0
    return {k: sum(v == k for v in rows.values()) for k in ("green", "yellow", "red", "none")}


# --- the built edition ------------------------------------------------------------------------

def test_the_brief_is_built_recorded_and_linked(site):
    assert (site / BRIEF).is_file()
    record = json.loads((site / "edition.json").read_text("utf-8"))
    assert record["files"] == {"pdf": "licheng-evaluation-2022.pdf", "docx": "licheng-evaluation-2022.docx",
                               "brief": BRIEF}
    assert f'href="{BRIEF}">' in (site / "index.html").read_text("utf-8")  # the landing page
    assert f'href="2022/{BRIEF}">简报</a>' in (site.parent / "index.html").read_text("utf-8")  # the root page
    smart = (site / "chapters" / "smart.html").read_text("utf-8")
    assert f'href="../{BRIEF}" download>简报</a>' in smart  # edition bar
    assert "download-brief-button" in smart  # the ⤓ menu


def test_the_brief_has_at_most_two_pages_and_the_counts_of_planbook_assess(site):
    pages, text = brief_text(site / BRIEF)
    assert 1 <= pages <= 2
    text = re.sub(r"\s+", "", text)
    found = re.search(r"绿灯(\d+)项、黄灯(\d+)项、红灯(\d+)项、不亮灯(\d+)项", text)
    assert found, text[:400]
    assert dict(zip(("green", "yellow", "red", "none"), map(int, found.groups()))) == assess_light_counts(2022)
    record = json.loads((site / "edition.json").read_text("utf-8"))
    assert dict(zip(("green", "yellow", "red", "none"), map(int, found.groups()))) == record["light_counts"]
    # The commentary's problems and recommendations, the red item with its department, the scores.
    assert "夹具问题" in text and "夹具建议" in text and "工作稿" not in text
    assert "环境空气质量优良天数比例指标区生态环境分局" in text
    assert "合计67.1分" in text


def test_publish_hands_over_the_brief(site, tmp_path):
    from planbook.build.publish import publish

    publish(site.parent, to=tmp_path / "handed")
    assert (tmp_path / "handed" / "2022" / BRIEF).read_bytes() == (site / BRIEF).read_bytes()


# --- the brief on its own ---------------------------------------------------------------------

def test_the_brief_is_the_same_bytes_whenever_it_is_made(tmp_path):
    from planbook.book.brief import write_brief

    first = write_brief(edition(), tmp_path / "a" / BRIEF, tmp_path / "logs")
    time.sleep(1.1)  # the build clock moves on: the dates in the file must not
    second = write_brief(edition(), tmp_path / "b" / BRIEF, tmp_path / "logs")
    assert first.read_bytes() == second.read_bytes()
    assert not list((tmp_path / "a").glob(".*"))  # its LaTeX is removed


def test_without_the_teams_commentary_the_brief_is_a_working_draft():
    from planbook.book.brief import brief_points, brief_tex

    assert brief_points(edition(2021)) == ([], [])  # the fixture has commentary for 2022 only
    tex = brief_tex(edition(2021))
    assert "工作稿" in tex and tex.count("（评估组意见待补充）") == 2
    assert brief_points(edition(2022)) == (["夹具问题：部分指标数据不足，难以判断进展。"], ["夹具建议：完善统计报送制度。"])
    assert "工作稿" not in brief_tex(edition(2022)) and "征求意见稿" not in brief_tex(edition(2022))
    draft = Edition.of(load(BOOK_DATA), 2022, book_config(ROOT), draft=True)
    assert "征求意见稿" in brief_tex(draft) and "工作稿" not in brief_tex(draft)


def test_the_briefs_points_are_the_lists_items_at_most_five():
    from planbook.book.brief import commentary_items

    body = "引言不算。\n\n" + "\n".join(f"{k}. 第{k}条，值 {{glue:text}}`x_value`。" for k in range(1, 8))
    items = commentary_items(body, {"x_value": "86.5%"})
    assert items == [f"第{k}条，值 86.5%。" for k in range(1, 6)]
    assert commentary_items("第一段\n续行。\n\n第二段。", {}) == ["第一段 续行。", "第二段。"]


# --- one Report per edition -------------------------------------------------------------------

def test_the_writers_share_the_editions_report(tmp_path, monkeypatch):
    from planbook.book import editions, pages, pdf
    from planbook.report import report as report_module

    made = []
    original = report_module.Report.__init__

    def counted(self, data, year):
        made.append(year)
        original(self, data, year)

    monkeypatch.setattr(report_module.Report, "__init__", counted)
    ed = edition()
    pages.write_generated_pages(ed, tmp_path / "generated")
    pdf.write_print_pages(ed, tmp_path / "print")
    pdf.latex_overrides(ed)
    editions.edition_record(ed, {}, {})
    assert made.count(2022) == 1  # (earlier editions' reports are made for the indicator pages' history)


# --- the registry -----------------------------------------------------------------------------

def test_a_record_published_before_the_registry_is_read():
    from planbook.book.outputs import output_files, recorded_files

    assert recorded_files({"pdf": "a-2022.pdf", "docx": "a-2022.docx"}) == {"pdf": "a-2022.pdf", "docx": "a-2022.docx"}
    assert recorded_files({"pdf": None, "docx": None}) == {}
    assert recorded_files({"files": {"brief": "b.pdf"}, "pdf": "ignored.pdf"}) == {"brief": "b.pdf"}
    assert output_files(edition()) == {"pdf": "licheng-evaluation-2022.pdf", "docx": "licheng-evaluation-2022.docx",
                                       "brief": BRIEF}


def test_the_root_page_and_publish_follow_the_record(tmp_path):
    from planbook.book.editions import root_index
    from planbook.build.publish import check_site
    from planbook.errors import BuildError

    old = {"year": 2022, "kind_zh": "年度评估", "has_demo": False, "status_counts": {}, "light_counts": {},
           "score": None, "pdf": "a-2022.pdf", "docx": "a-2022.docx"}
    page = root_index([old], "评估", load(BOOK_DATA).catalogue)
    assert '<a href="2022/a-2022.pdf">PDF</a> · <a href="2022/a-2022.docx">Word</a>' in page and "简报" not in page
    site = tmp_path / "site"
    (site / "2022").mkdir(parents=True)
    for name in ("index.html", "2022/index.html", "2022/a-2022.pdf", "2022/a-2022.docx"):
        (site / name).write_text("x", encoding="utf-8")
    (site / "2022" / "edition.json").write_text(json.dumps(old), encoding="utf-8")
    assert [r["year"] for r in check_site(site)] == [2022]  # an old edition is not asked for a brief
    new = {**old, "files": {"pdf": "a-2022.pdf", "brief": "a-2022-brief.pdf"}}
    (site / "2022" / "edition.json").write_text(json.dumps(new), encoding="utf-8")
    with pytest.raises(BuildError, match="a-2022-brief.pdf missing"):
        check_site(site)
