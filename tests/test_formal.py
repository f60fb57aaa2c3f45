"""What happens to the report after it is built (issue 17): the 公文 PDF for the review meeting and
the people's congress, the Word copy for comment rounds, and the hand-over of the site.

One extra build: the 公文 layout of the session's 2022 edition, in a copy of its output folder (the
executed notebooks come from the cache, so only Sphinx and XeLaTeX run again).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import BOOK_DATA, ROOT, STATS, run_cli
from planbook.project import chapters

MM = 72 / 25.4  # PDF points per millimetre


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """Every word of a page with its box (points): xMin, yMin, xMax, yMax, text."""
    html = run("pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-")
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
            re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]


# --- the 公文 layout ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gongwen(site, tmp_path_factory) -> Path:
    from planbook.build.pipeline import build

    out = tmp_path_factory.mktemp("gongwen") / "out"
    shutil.copytree(site.parent.parent, out, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    [result] = build(year=2022, data_dir=BOOK_DATA, out_dir=out, pdf=True, layout="gongwen")
    assert result.pdf.is_file() and result.docx.is_file()
    return result.pdf


def body_pages(pdf: Path) -> list[int]:
    """Pages of running text: chapter 1 onwards, with at least ten lines of 3号 (16 bp) type."""
    n = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))
    found = []
    for page in range(1, n + 1):
        lines = {round(w[3], 1) for w in words(pdf, page) if abs((w[3] - w[1]) - 16) < 0.3}
        if len(lines) >= 10:
            found.append(page)
        if len(found) >= 6:
            break
    return found


def test_gongwen_body_is_fangsong_on_an_a4_page(gongwen):
    fonts = run("pdffonts", str(gongwen))
    assert "FandolFang-Regular" in fonts  # 仿宋 body
    assert "FandolSong-Bold" in fonts  # titles: bold Song stands in for 小标宋
    assert "Noto Serif" not in fonts  # nothing of the book layout's body
    assert "Page size:       595.28 x 841.89 pts (A4)" in run("pdfinfo", str(gongwen))
    log = (gongwen.parent.parent.parent / "logs" / "latex.log").read_text("utf-8", errors="replace")
    assert re.findall(r"Overfull \\hbox.*", log) == [] and "Missing character" not in log


def test_gongwen_type_area_margins_and_line_grid(gongwen):
    """GB/T 9704-2012: type area 156 x 225 mm, top margin 37 mm, left margin 28 mm; 3号 body on
    22 lines of 28 characters."""
    pages = body_pages(gongwen)
    assert len(pages) >= 3
    punctuation = "，。、；：？！“”‘’（）《》"  # full-width: their boxes are half blank, and that half may sit outside
    for page in pages:
        text = [w for w in words(gongwen, page) if w[1] < (37 + 225) * MM]
        body = [w for w in text if abs((w[3] - w[1]) - 16) < 0.3]
        left = min(w[0] for w in body if w[4][0] not in punctuation) / MM
        right = max(w[2] for w in body if w[4][-1] not in punctuation) / MM
        top = min(w[1] for w in text) / MM
        assert 27.5 <= left <= 28 + 11.5, (page, left)  # 28 mm (an indented first line: two characters in)
        assert right <= 28 + 156 + 0.5, (page, right)
        assert 36.5 <= top <= 48, (page, top)  # the first line's top at 37 mm (a chapter title's a little lower)
        baselines = sorted({round(w[3], 1) for w in body})
        gaps = [round(b - a, 1) for a, b in zip(baselines, baselines[1:])]
        assert max(set(gaps), key=gaps.count) in (28.9, 29.0)  # 225 mm / 22 lines = 28.95 bp
        assert (baselines[-1] - baselines[0]) / 28.95 + 1 <= 22.05  # no more than 22 lines
    left_edges = [min(w[0] for w in words(gongwen, p) if abs((w[3] - w[1]) - 16) < 0.3 and w[4][0] not in punctuation)
                  for p in pages]
    assert min(left_edges) == pytest.approx(28 * MM, abs=1.5)
    tops = [min(w[1] for w in words(gongwen, p)) for p in pages]
    assert min(tops) == pytest.approx(37 * MM, abs=2.5)
    full = []
    for page in pages:
        lines: dict[float, str] = {}
        for w in words(gongwen, page):
            if abs((w[3] - w[1]) - 16) < 0.3:
                lines[round(w[3], 1)] = lines.get(round(w[3], 1), "") + w[4]
        full += [sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "，。；：、（）“”") for text in lines.values()
                 if re.fullmatch(r"[\u4e00-\u9fff，。；：、（）“”]+", text)]
    assert full and max(full) == 28  # a line of Chinese holds 28 characters


def test_gongwen_page_numbers(gongwen):
    """"— 1 —" in 4号 (14 bp) at the foot, 7 mm below the type area; odd pages right, even left."""
    n = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(gongwen))).group(1))
    text = run("pdftotext", "-layout", str(gongwen), "-")
    assert re.search(r"—\s*1\s*—", text) and not re.search(r"—\s*[ivx]+\s*—", text)  # Arabic throughout
    checked = 0
    for page in range(2, min(n, 14)):
        foot = [w for w in words(gongwen, page) if w[1] > (37 + 225) * MM]
        if not foot:
            continue
        assert [w[4] for w in foot][0] == "—" and [w[4] for w in foot][-1] == "—"
        assert all(abs((w[3] - w[1]) - 14) < 0.3 for w in foot)
        assert (min(w[1] for w in foot) / MM) == pytest.approx(37 + 225 + 7, abs=1.0)
        number = int(next(w[4] for w in foot if w[4].isdigit())) if any(w[4].isdigit() for w in foot) else None
        if number is not None:
            centre = (foot[0][0] + foot[-1][2]) / 2 / MM
            assert (centre > 105) == (number % 2 == 1), (page, number, centre)
            checked += 1
    assert checked >= 3



# --- the 公文 PDF measured (issue 25): captions, colour, sizes, page numbers, figures -------------

FOOT = (37 + 225) * MM  # below the type area: the page number
CAPTION = re.compile(r"^(表|图)\s?(\d+)\.(\d+)")


@pytest.fixture(scope="module")
def measured(gongwen):
    """The 公文 PDF's pages as pdfplumber reads them (landscape pages turned upright)."""
    import pdfplumber

    with pdfplumber.open(gongwen) as pdf:
        yield pdf.pages


def black(colour) -> bool:
    """Black in any colour space pdfplumber reports (gray, RGB, CMYK; none set is black)."""
    values = tuple(colour) if isinstance(colour, (list, tuple)) else (colour,)
    if colour is None or values == ():
        return True
    if len(values) == 4:
        return values == (0, 0, 0, 1)
    return len(values) in (1, 3) and not any(values)


def in_image(page, box) -> bool:
    return any(im["x0"] - 1 <= box["x0"] and box["x1"] <= im["x1"] + 1 and im["top"] - 1 <= box["top"]
               and box["bottom"] <= im["bottom"] + 1 for im in page.images)


def rules(page) -> list[tuple[float, float, float, float]]:
    """The horizontal rules drawn on a page: (y, x0, x1, line width); booktabs' top and bottom
    rules are heavier than its mid rule."""
    found = [(r["top"], r["x0"], r["x1"], r.get("linewidth") or r["height"]) for r in page.lines
             if abs(r["top"] - r["bottom"]) < 0.5 and r["x1"] - r["x0"] > 100]
    found += [(r["top"], r["x0"], r["x1"], r["height"]) for r in page.rects
              if r["height"] < 1.5 and r["x1"] - r["x0"] > 100]
    return sorted(found)


def table_spans(page) -> list[tuple[float, float]]:
    """Each table on a page from its top rule to its bottom rule (or the rule above a page break):
    every mid rule between the heavy rules around it."""
    drawn = rules(page)
    heavy = [y for y, _, _, w in drawn if w > 0.8]
    spans = []
    for y, _, _, w in drawn:
        if w <= 0.8:
            above, below = [h for h in heavy if h < y], [h for h in heavy if h > y]
            spans.append((above[-1] if above else y, below[0] if below else FOOT))
    return spans


def lines(page) -> list[dict]:
    """The page's lines of text, each with its characters ("text" as they are: pdfplumber's own
    would turn the full-width space into a plain one)."""
    found = []
    for line in page.extract_text_lines(return_chars=True):
        chars = sorted((c for c in page.chars if line["top"] - 0.1 <= c["top"] and c["bottom"] <= line["bottom"] + 0.1
                        and line["x0"] - 0.1 <= c["x0"] and c["x1"] <= line["x1"] + 0.1), key=lambda c: c["x0"])
        found.append({**line, "chars": chars, "text": "".join(c["text"] for c in chars)})
    return found


def page_number(page) -> str:
    """The page number's text: below the type area, or (a landscape page) set across the page."""
    if page.rotation:
        return "".join(c["text"] for c in page.chars if not c["upright"]).strip()  # in the order it is set
    return "".join(c["text"] for c in sorted((c for c in page.chars if c["top"] > FOOT), key=lambda c: c["x0"])).strip()


@pytest.mark.slow
def test_gongwen_captions_stand_clear_of_their_tables_rules(measured):
    """A table's caption reads 表2.1　… (a full-width space, not "表 2.1:") and its box ends above
    the table's top rule: it was cut by it (the caption's box ended below the rule)."""
    checked = 0
    for number, page in enumerate(measured, 1):
        drawn = rules(page)
        for line in lines(page):
            if not CAPTION.match(line["text"]) or not line["text"].startswith("表") or "接上页" in line["text"]:
                continue
            top, bottom = line["top"], line["bottom"]
            crossing = [y for y, x0, x1, _ in drawn if top - 0.5 <= y <= bottom + 1.0 and x0 < line["x1"] and x1 > line["x0"]]
            assert not crossing, (number, line["text"], top, bottom, crossing)
            below = [y for y, *_ in drawn if y > bottom]
            assert below and below[0] - bottom < 30, (number, line["text"])  # the caption of that table
            assert re.match(r"表\d+\.\d+\u3000\S", line["text"]), (number, line["text"])
            checked += 1
    assert checked >= 5


@pytest.mark.slow
def test_gongwen_every_text_is_black(measured):
    """GB/T 9704: "文字颜色均为黑色" — links, notices, the lights' symbols and words (● 绿灯,
    ▲ 黄灯, ■ 红灯); only the charts (images) keep their colours. No shaded table rows either."""
    checked = 0
    for number, page in enumerate(measured, 1):
        for char in page.chars:
            if in_image(page, char):
                continue
            assert black(char["non_stroking_color"]), (number, char["text"], char["non_stroking_color"])
            checked += 1
        for span in table_spans(page):
            shaded = [r for r in page.rects if r["fill"] and r["height"] > 3 and span[0] - 1 <= r["top"] <= span[1]
                      and not all(v == 1 for v in (r["non_stroking_color"] or (1,)))]
            assert not shaded, (number, shaded[0]["non_stroking_color"])
    assert checked > 5000
    text = "".join(c["text"] for page in measured for c in page.chars)
    assert "●" in text and "■" in text  # the lights are there, in black


@pytest.mark.slow
def test_gongwen_body_text_is_3hao_fangsong(measured):
    """Outside tables (and their captions), charts and page numbers every line is in 3号 (16 bp),
    the text's own lines in 仿宋 (FandolFang): the meeting summary too (it was 14 bp, its scores
    9 bp). Chapter titles are 2号 (22 bp); tables may be smaller."""
    fonts, sizes_seen = {}, 0
    for number, page in enumerate(measured, 1):
        spans = table_spans(page)
        for line in lines(page):
            middle = (line["top"] + line["bottom"]) / 2
            if (line["top"] > FOOT or page.rotation or in_image(page, line) or CAPTION.match(line["text"])
                    and line["text"].startswith("表") or "续下页" in line["text"] or "接上页" in line["text"]
                    or any(a - 2 <= middle <= b + 2 for a, b in spans)
                    or any(c["fontname"].split("+")[-1].startswith("CM") for c in line["chars"])
                    or re.fullmatch(r"[0-9A-Za-z ]{1,8}", line["text"]) and max(c["size"] for c in line["chars"]) < 16):
                continue  # ... and formulas (TeX's math fonts), their subscripts a line of their own (v₀, Y₀)
            for char in line["chars"]:
                font = char["fontname"].split("+")[-1]
                size = round(char["size"], 1)
                if font.startswith("FandolSong-Bold") and size == 22.0:
                    continue  # a title
                assert size == 16.0, (number, line["text"], font, size)
                fonts[font] = fonts.get(font, 0) + 1
                sizes_seen += 1
    assert sizes_seen > 3000
    assert fonts.get("FandolFang-Regular", 0) > 0.8 * sizes_seen, fonts
    summary = next(page for page in measured if "会议摘要" in page.extract_text())
    paragraph = [c for c in summary.chars if c["top"] < FOOT and "Fandol" in c["fontname"] and round(c["size"]) != 22]
    assert {c["fontname"].split("+")[-1] for c in paragraph[:200]} == {"FandolFang-Regular"}
    assert {round(c["size"], 1) for c in paragraph[:200]} == {16.0}


@pytest.mark.slow
def test_gongwen_page_numbers_are_arabic_throughout(measured):
    """"— N —" with Arabic N on every page but the cover, counting on from the meeting summary (1)
    through the contents into the body; the standard has no roman numbers."""
    numbers = []
    for number, page in enumerate(measured, 1):
        text = page_number(page)
        if number == 1:
            assert text == "", text  # the cover
            continue
        match = re.fullmatch(r"—\s*(\d+)\s*—", text)
        assert match, (number, text)
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, len(measured)))


@pytest.mark.slow
def test_gongwen_every_chart_has_a_numbered_caption(measured, site):
    """Each chart (an image) has its caption 图2.1　… under it, numbered by chapter, each number once."""
    captions = []
    for number, page in enumerate(measured, 1):
        for image in page.images:
            # two charts may stand side by side: the caption under this one, not under its neighbour
            beside = [im for im in page.images if im is not image and im["top"] < image["bottom"] and image["top"] < im["bottom"]]
            under = [c for c in page.chars if 0 <= c["top"] - image["bottom"] < 40
                     and not any(im["x0"] <= (c["x0"] + c["x1"]) / 2 <= im["x1"] for im in beside)]
            first = [c for c in under if under and abs(c["top"] - min(u["top"] for u in under)) < 2]
            text = "".join(c["text"] for c in sorted(first, key=lambda c: c["x0"]))
            assert re.match(r"图\d+\.\d+\u3000\S", text), (number, text)
            captions.append(CAPTION.match(text).group(0))
    charts = sum((site / "chapters" / f"{c}.html").read_text("utf-8").count('class="pb-chart"') for c in chapters(ROOT))
    assert len(captions) == charts >= 20
    assert len(set(captions)) == len(captions)


@pytest.mark.slow
def test_gongwen_chart_labels_print_at_6pt_or_more(measured):
    """The charts' labels (12 px on paper) print at 6 pt or more: the coverage chart, 620 px wide
    squeezed into 62 % of the line, had its 11 px labels at 4.9 pt."""
    from planbook.site.vega import PNG_SCALE, PRINT_LABEL_PX

    sizes = [PRINT_LABEL_PX * image["width"] / (image["srcsize"][0] / PNG_SCALE) for page in measured for image in page.images]
    assert len(sizes) >= 20 and min(sizes) >= 6.0, sorted(sizes)[:3]


@pytest.mark.slow
def test_gongwen_no_page_holds_only_a_few_charts(measured):
    """Charts two to a row where they are narrow: a page holds only charts (with their captions)
    only when a chapter's run of charts fills it, five or six of them; pages held two charts one
    above the other and nothing else."""
    pages_with_charts = 0
    for number, page in enumerate(measured, 1):
        if not page.images:
            continue
        pages_with_charts += 1
        captions = [(im["bottom"], im["bottom"] + 60) for im in page.images]  # a caption may take two lines
        text = [line for line in lines(page) if line["top"] < FOOT and not in_image(page, line)
                and not any(a <= line["top"] <= b for a, b in captions)]
        assert text or len(page.images) >= 5, (number, len(page.images))
    assert pages_with_charts >= 5


# --- the Word copy -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def word(site):
    from docx import Document

    path = site / "licheng-evaluation-2022.docx"
    assert path.is_file()
    return Document(str(path))


def test_word_copy_has_the_chapters_as_headings(word, site):
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    chapters = [text for style, text in headings if style == "Heading 1"]
    for title in ("会议摘要", "关于本评估", "总体评估", "智慧城镇化", "绿色城镇化", "均衡城镇化", "双向城镇化",
                  "评估方法", "数据附录", "版本说明"):
        assert any(title in c for c in chapters), (title, chapters)
    assert any(c.startswith("第一章") for c in chapters)
    assert sum(1 for style, _ in headings if style == "Heading 2") >= 20  # sections: 一、二、…
    # Word's heading styles carry the outline level the navigation pane lists.
    for level in (1, 2):
        assert word.styles[f"Heading {level}"].element.xpath("./w:pPr/w:outlineLvl/@w:val") == [str(level - 1)]


def test_word_copy_has_the_indicator_tables_and_the_charts(word, site):
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in word.tables]
    overview = [t for t in tables if t and t[0][:3] == ["维度", "序号", "指标"]]
    assert overview and len(overview[0]) == 23  # 22 indicators of 专栏1 and the header row
    assert any("89.1%" in cell for row in overview[0] for cell in row)  # a fixture value
    scorecards = [t for t in tables if t and "完成进度 / 时序进度" in t[0]]
    assert len(scorecards) == 4
    # Demo values keep their mark in the tables, and the cover says so.
    assert any("（演示）" in cell for t in tables for row in t for cell in row)
    assert any("本报告含演示数据" in cell for t in tables for row in t for cell in row)
    # One picture per chart of the site.
    charts = sum((site / "chapters" / f"{c}.html").read_text("utf-8").count('class="pb-chart"') for c in chapters(ROOT))
    assert len(word.inline_shapes) == charts >= 20


def test_word_charts_are_not_cut_to_one_line(word):
    """A picture in a paragraph of exact line height (the body's 公文 grid) is cut to that
    height: Word, WPS and LibreOffice showed only each chart's legend."""
    from docx.enum.text import WD_LINE_SPACING

    pictures = [p for p in word.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) == len(word.inline_shapes) >= 20
    for para in pictures:
        rule = para.paragraph_format.line_spacing_rule  # SINGLE is 0: test for None, not falsehood
        rule = para.style.paragraph_format.line_spacing_rule if rule is None else rule
        assert rule != WD_LINE_SPACING.EXACTLY, para.style.name


def test_word_tables_take_the_pdfs_column_widths(word):
    """LibreOffice and WPS read a table's grid, not its cells' widths: without the grid every
    column was as wide as the next, the short ones broke after each character and the
    commitments' tables ran to twice their length."""
    from docx.shared import Mm, Pt

    table = next(t for t in word.tables if [c.text for c in t.rows[0].cells][:3] == ["维度", "序号", "指标"])
    grid = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert len(grid) == len(table.columns)
    assert sum(grid) == pytest.approx(Mm(156).twips, abs=len(grid))  # the text's width, in twips
    assert grid[1] < grid[0] < grid[2]  # 序号 narrowest, the indicator's name widest
    cells = [tc.width for tc in table.rows[1].cells]
    assert [c.twips for c in cells] == pytest.approx(grid, abs=1)
    sizes = {run.font.size for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs}
    assert len(sizes) == 1 and Pt(7) <= next(iter(sizes)) <= Pt(9)  # one size, as the PDF's fit gives it
    # The meeting summary's table is laid out as in the PDF's summary page too.
    summary = next(t for t in word.tables if [c.text for c in t.rows[0].cells][:3] == ["序号", "维度", "指标"])
    grid = [int(w) for w in summary._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert grid[0] < grid[2] and max(grid) == grid[2]


# The Word copy as Word and WPS read it: its OOXML (issue 25).
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


@pytest.fixture(scope="module")
def ooxml(site) -> dict:
    """The Word copy's XML parts, parsed, by their names in the package."""
    from lxml import etree

    path = site / "licheng-evaluation-2022.docx"
    with zipfile.ZipFile(path) as zf:
        parts = {name: etree.fromstring(zf.read(name)) for name in zf.namelist() if name.endswith(".xml")}
    return parts


def book_tree(site):
    import pickle

    from planbook.book.docx import TREE_FILE

    tree = site.parent.parent / "cache" / "sphinx" / "2022" / "latex" / "out" / "_build" / "latex" / TREE_FILE
    with open(tree, "rb") as fh:
        return pickle.load(fh)


def fields(element) -> list[str]:
    """The instructions of the complex fields in ``element``, in order."""
    return [(t.text or "").strip() for t in element.iter(f"{W_NS}instrText")]


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W_NS}t"))


def test_word_copy_has_a_contents_field_that_updates_on_opening(ooxml, word):
    body = ooxml["word/document.xml"].find(f"{W_NS}body")
    marks = [(el.get(f"{W_NS}fldCharType"), None) if el.tag == f"{W_NS}fldChar" else (None, (el.text or "").strip())
             for el in body.iter(f"{W_NS}fldChar", f"{W_NS}instrText")]
    start = marks.index((None, 'TOC \\o "1-3" \\h \\z \\u'))
    assert marks[start - 1] == ("begin", None) and marks[start + 1] == ("separate", None)
    assert ("end", None) in marks[start + 2:]
    assert ooxml["word/settings.xml"].find(f"{W_NS}updateFields").get(f"{W_NS}val") == "true"
    # The contents page comes after the summary, before chapter 1; its title is not itself listed.
    paras = [(p.style.name, p.text) for p in word.paragraphs]
    toc = paras.index(("TOC Heading", "目　录"))
    first = next(k for k, (style, text) in enumerate(paras) if style == "Heading 1" and text.startswith("第一章"))
    summary = paras.index(("Heading 1", "会议摘要"))
    assert summary < toc < first
    # Until it is updated it shows the headings of levels 1-3 (no page numbers: only Word knows them).
    listed = [text for _, text in paras[toc + 1:first]]
    headings = [text for style, text in paras[first:] if style in ("Heading 1", "Heading 2", "Heading 3")]
    assert listed[-len(headings):] == headings and len(headings) > 40
    assert word.styles["TOC Heading"].element.xpath("./w:pPr/w:outlineLvl/@w:val") == ["9"]


def test_word_page_numbers_are_gongwen(ooxml, word):
    """No number on the cover (a different first page); "— N —" in 4号 宋体, odd pages right and
    even pages left (even and odd footers), as the 公文 PDF numbers its pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    assert ooxml["word/settings.xml"].find(f"{W_NS}evenAndOddHeaders") is not None
    first, *rest = word.sections
    assert first._sectPr.find(f"{W_NS}titlePg") is not None
    assert all(s._sectPr.find(f"{W_NS}titlePg") is None for s in rest)  # only the cover is unnumbered
    assert all(s.footer.is_linked_to_previous and s.even_page_footer.is_linked_to_previous for s in rest)
    assert "PAGE" not in fields(first.first_page_footer._element)
    for footer, align in ((first.footer, WD_ALIGN_PARAGRAPH.RIGHT), (first.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        [para] = footer.paragraphs
        assert para.alignment == align
        assert fields(footer._element) == ["PAGE"]
        assert para.text == "— 1 —"  # the field's shown result between the dashes
        fonts = {(r.font.size.pt, r._r.rPr.rFonts.get(f"{W_NS}eastAsia")) for r in para.runs if r.text}
        assert fonts == {(14, "SimSun")}


def test_word_tables_and_charts_have_numbered_captions(ooxml, word, site):
    """Each captioned table is "表 N.M" and each chart "图 N.M" (chapter N, a SEQ field counting
    within it), the table numbers as the PDF's."""
    from docutils import nodes

    body = ooxml["word/document.xml"].find(f"{W_NS}body")
    blocks = list(body)
    chapter, found = 0, {"表": [], "图": []}
    for k, el in enumerate(blocks):
        style = el.find(f"{W_NS}pPr/{W_NS}pStyle")
        style = style.get(f"{W_NS}val") if style is not None else None
        if style == "Heading1" and text_of(el).startswith("第"):
            chapter += 1
        if el.tag == f"{W_NS}p" and el.find(f".//{W_NS}drawing") is not None:
            caption = blocks[k + 1]
            assert caption.find(f"{W_NS}pPr/{W_NS}pStyle").get(f"{W_NS}val") == "Caption"
            assert re.fullmatch(r"图 \d+\.\d+　\S.*", text_of(caption)), text_of(caption)  # with the chart's title
        if style != "Caption":
            continue
        seq = [f for f in fields(el) if f.startswith("SEQ")]
        assert len(seq) == 1, text_of(el)
        word_ = seq[0].split()[1]
        match = re.match(rf"{word_} (\d+)\.(\d+)　", text_of(el))
        assert match and int(match.group(1)) == chapter, text_of(el)
        found[word_].append((chapter, int(match.group(2))))
        if word_ == "表":
            assert blocks[k + 1].tag == f"{W_NS}tbl"  # the caption is above its table
    for word_, numbers in found.items():  # 1, 2, 3 … in each chapter
        for (c, n), previous in zip(numbers, [(0, 0), *numbers]):
            assert n == (previous[1] + 1 if previous[0] == c else 1), (word_, numbers)
    # Every chart and every captioned table of the book has one.
    assert len(found["图"]) == len(word.inline_shapes) >= 20
    tree = book_tree(site)
    assert len(found["表"]) == sum(1 for t in tree.findall(nodes.table) if t.next_node(nodes.title)) >= 20
    # The same numbers as the PDF's: LaTeX numbers captions within each \chapter.
    tex = (site.parent.parent / "cache" / "sphinx" / "2022" / "latex" / "out" / "_build" / "latex"
           / "licheng-evaluation-2022.tex").read_text("utf-8")
    pdf, c, n, env = [], 0, 0, ""
    for token, begun in re.findall(r"(\\chapter\{|\\begin\{(\w+)\}|\\caption\{)", tex):
        if token.startswith("\\chapter"):
            c, n = c + 1, 0
        elif begun:
            env = begun
        elif env in ("longtable", "table", "tabulary", "tabular"):  # a table's caption, not a figure's
            n += 1
            pdf.append((c, n))
    assert found["表"] == pdf


def test_word_table_rows_are_kept_whole(ooxml):
    body = ooxml["word/document.xml"].find(f"{W_NS}body")
    rows = list(body.iter(f"{W_NS}tr"))
    assert len(rows) > 300
    assert all(r.find(f"{W_NS}trPr/{W_NS}cantSplit") is not None for r in rows)
    headers = [t for t in body.iter(f"{W_NS}tbl") if t.find(f"{W_NS}tr/{W_NS}trPr/{W_NS}tblHeader") is not None]
    assert len(headers) >= 25  # the header row repeats on every page (kept)


def test_word_columns_hold_what_the_pdfs_hold(word, site):
    """A column is never narrower, for its type, than the PDF's: a status, a unit or a header the
    PDF keeps on one line ("★ 已达标", "单位", "序号") is not broken after every character. The
    scorecards, on landscape pages in the PDF, are on landscape pages here."""
    from docutils import nodes
    from planbook.report.format import CELL_PAD_EM

    tables = {}
    for t in word.tables:
        tables.setdefault(tuple(c.text for c in t.rows[0].cells), []).append(t)
    checked = landscape = 0
    for node in book_tree(site).findall(nodes.table):
        if "colwidths-given" not in node["classes"]:
            continue
        group = node.next_node(nodes.tgroup)
        pdf = [int(c["colwidth"]) / 10 - CELL_PAD_EM for c in group.findall(nodes.colspec)]  # em, less padding
        head = tuple(e.astext() for e in group.next_node(nodes.thead).next_node(nodes.row).children)
        table = tables[head].pop(0)
        size = {r.font.size.pt for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs}
        assert len(size) == 1 and min(size) >= 7, size  # 7 pt where the PDF sets a short table in 7 pt
        margins = sum(int(m) for m in table._tbl.xpath("./w:tblPr/w:tblCellMar/*/@w:w"))
        grid = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
        room = [(w - margins) / 20 / min(size) for w in grid]  # em of the table's type
        assert all(r >= p for r, p in zip(room, pdf)), (head, room, pdf)
        checked += 1
        # A table the PDF sets on a landscape page is in a landscape section (the next sectPr).
        wide = any(r.astext() == "\\begin{landscape}" for r in node.parent.children[:node.parent.index(node)]
                   if isinstance(r, nodes.raw))
        sect = next(el for el in table._tbl.itersiblings() if el.find(f"{W_NS}pPr/{W_NS}sectPr") is not None
                    or el.tag == f"{W_NS}sectPr")
        sect = sect if sect.tag == f"{W_NS}sectPr" else sect.find(f"{W_NS}pPr/{W_NS}sectPr")
        assert (sect.find(f"{W_NS}pgSz").get(f"{W_NS}orient") == "landscape") == wide, head
        landscape += wide
    assert checked >= 20 and landscape >= 1  # the scorecards are 7 pt portrait tables now, as in the PDF


def test_word_formulas_are_equations(ooxml, site):
    """The method's formulas are Word equations (OMML), not their LaTeX."""
    from docutils import nodes

    document = ooxml["word/document.xml"]
    text = text_of(document)
    assert "\\frac" not in text and "\\text{" not in text and "\\qquad" not in text
    formulas = list(book_tree(site).findall(nodes.math_block))
    equations = list(document.iter(f"{M_NS}oMathPara"))
    assert len(equations) == len(formulas) >= 2
    assert all(e.find(f".//{M_NS}f") is not None for e in equations)  # each has its fraction
    assert "completion" in "".join(t.text or "" for t in equations[0].iter(f"{M_NS}t"))
    # In the method chapter: the last chapter heading before the first equation.
    chapter = None
    for para in document.find(f"{W_NS}body").iter(f"{W_NS}p"):
        style = para.find(f"{W_NS}pPr/{W_NS}pStyle")
        if style is not None and style.get(f"{W_NS}val") == "Heading1":
            chapter = text_of(para)
        if para.find(f"{M_NS}oMathPara") is not None:
            break
    assert chapter.endswith("评估方法"), chapter


def test_word_copy_is_deterministic_and_linked(site):
    from planbook.book.docx import TREE_FILE, write_docx
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    published = site / "licheng-evaluation-2022.docx"
    tree = site.parent.parent / "cache" / "sphinx" / "2022" / "latex" / "out" / "_build" / "latex" / TREE_FILE
    again = write_docx(tree, Report(data=load(BOOK_DATA), year=2022), site.parent.parent / "again.docx",
                       "济南市历城区新型城镇化规划实施评估", "历城区新型城镇化规划评估工作组（planbook）")
    assert again.read_bytes() == published.read_bytes()
    with zipfile.ZipFile(published) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2022, 12, 31, 0, 0, 0)}
        assert b"2022-12-31T00:00:00Z" in zf.read("docProps/core.xml")
    assert 'href="licheng-evaluation-2022.docx"' in (site / "intro.html").read_text("utf-8")
    assert 'href="2022/licheng-evaluation-2022.docx"' in (site.parent / "index.html").read_text("utf-8")
    assert '"docx": "licheng-evaluation-2022.docx"' in (site / "edition.json").read_text("utf-8")


# --- the hand-over --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def handed_over(site, tmp_path_factory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("handover")
    code, out, err = run_cli("publish", "--site", str(site.parent), "--zip", str(where / "评估网站.zip"),
                             "--to", str(where / "copy"))
    assert code == 0, err
    assert "1 edition(s)" in out
    return where / "评估网站.zip", where / "copy"


def test_publish_copies_everything_without_links(handed_over, site):
    archive, copy = handed_over
    assert not any(p.is_symlink() for p in copy.rglob("*"))
    for name in ("index.html", "editions.js", "使用说明.txt", "2022/index.html", "2022/licheng-evaluation-2022.pdf",
                 "2022/licheng-evaluation-2022.docx", "2022/edition.json", "2022/downloads/assessment-2022.xlsx",
                 "2022/downloads/observations-2022.csv", "2022/chapters/smart.html", "2022/_static/planbook.css"):
        assert (copy / name).is_file(), name
    published = {p.relative_to(site.parent) for p in site.parent.rglob("*")
                 if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site.parent).parts)}
    assert published <= {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert {f"评估网站/{p.as_posix()}" for p in published} <= names
    # Deterministic: the same site gives the same archive.
    again = archive.parent / "again" / archive.name
    assert run_cli("publish", "--site", str(site.parent), "--zip", str(again))[0] == 0
    assert again.read_bytes() == archive.read_bytes()
    # A copy planbook made may be replaced; any other folder is refused, in Chinese when asked.
    assert run_cli("publish", "--site", str(site.parent), "--to", str(copy))[0] == 0
    other = copy.parent / "someone-else"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    code, out, err = run_cli("publish", "--site", str(site.parent), "--to", str(other), "--lang", "zh")
    assert code == 2 and str(other) in err and "不是空文件夹" in err and "Traceback" not in err
    assert (other / "notes.txt").read_text("utf-8") == "keep me"


def test_published_archive_opens_from_disk_offline(handed_over, tmp_path):
    from test_browser import CHROMIUM, open_offline
    from playwright.sync_api import sync_playwright

    archive, _ = handed_over
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    root = tmp_path / "评估网站"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--no-first-run", "--disable-background-networking"])
        try:
            for page_path, check in ((root / "index.html", "a[href='2022/index.html']"),
                                     (root / "2022" / "chapters" / "smart.html", ".pb-chart svg"),
                                     (root / "2022" / "intro.html", "#pb-editions a")):
                context, page, outside, errors = open_offline(browser, page_path.as_uri())
                try:
                    page.wait_for_selector(check, timeout=20000)
                    assert outside == [] and errors == [], (page_path, outside, errors)
                    STATS["pages checked"] += 1
                finally:
                    context.close()
            # The root page's links lead to files inside the unpacked archive.
            html = (root / "index.html").read_text("utf-8")
            for href in re.findall(r'href="([^"#?]+)"', html):
                if not href.startswith(("http:", "https:", "mailto:")):
                    assert (root / href).is_file(), href
        finally:
            browser.close()


# --- tables that fit the page (issue 14's PDF) ----------------------------------------------------

@pytest.fixture(scope="module")
def report():
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    return Report(data=load(BOOK_DATA), year=2022)


def content_em(table) -> list[float]:
    from planbook.report.format import LANDSCAPE_EM, TABLE_EM, cell_pad_em

    widths, fit = table.layout()
    line = {"normal": TABLE_EM, "small": TABLE_EM * 9 / 8, "tiny": TABLE_EM * 9 / 7, "landscape": LANDSCAPE_EM}[fit]
    assert sum(widths) == pytest.approx(line * 10, abs=len(widths))  # the columns fill the line
    return [w / 10 - cell_pad_em(fit) for w in widths]


def test_short_entries_are_never_broken(report):
    """Statuses, paces, values with units and headers keep their line: the columns that were
    squeezed ("2025 年 目 标", "平 方 米", statuses wrapping) get their widest entry."""
    from planbook.report import views
    from planbook.report.format import text_em

    tables = [views.status_overview(report), views.score_table(report), views.by_department(report),
              *(views.scorecard(report, d.id) for d in report.cat.dimensions)]
    for table in tables:
        widths = content_em(table)
        tiny = table.layout()[1] == "tiny"  # 7 pt: a header may take two lines, "2025年" on the first
        for k, name in enumerate(table.columns):
            if name in ("序时进度", "状态", "单位", "2025年目标", "维度", "绿灯", "红灯", "得分"):
                header = max(text_em(w) for w in re.split(r"(?<=\d年)", name)) if tiny else text_em(name)
                longest = max([header] + [text_em(row[k].as_markdown()) for row in table.rows])
                assert widths[k] >= longest - 0.01, (table.caption, name, widths[k], longest)


def test_a_table_too_wide_for_the_line_is_set_smaller_or_turned():
    from planbook.report.format import Cell, Table

    status = "● 绿灯 · 快于序时进度"
    narrow = Table(columns=["指标", "状态"], rows=[[Cell("城镇新增就业人数"), Cell(status)]])
    assert narrow.layout()[1] == "normal" and "landscape" not in narrow._repr_markdown_()
    crowded = Table(columns=[f"第{k}项" for k in range(11)], rows=[[Cell("进展顺利")] * 11])
    assert crowded.layout()[1] == "small" and r"\pbtablesmall" in crowded._repr_markdown_()
    wide = Table(columns=[f"第{k}项" for k in range(8)], rows=[[Cell(status)] * 8])
    assert wide.layout()[1] == "landscape"
    md = wide._repr_markdown_()
    assert md.startswith("```{raw} latex\n\\begin{landscape}") and md.rstrip().endswith("\\end{landscape}\n```")


def test_a_short_table_is_set_in_7pt_rather_than_turned(report):
    """A dimension's scorecard (5-7 rows, ten columns) sat alone on a landscape page: it is set in
    7 pt, its headers on two lines if need be; a long table as wide still goes on a landscape page."""
    from planbook.report import views
    from planbook.report.format import SHORT_ROWS

    for dimension in report.cat.dimensions:
        table = views.scorecard(report, dimension.id)
        assert len(table.rows) <= SHORT_ROWS and table.layout()[1] in ("normal", "small", "tiny"), dimension.id
        assert "landscape" not in table._repr_markdown_()
    scorecard = views.scorecard(report, report.cat.dimensions[0].id)
    assert replace(scorecard, rows=scorecard.rows * 3).layout()[1] == "landscape"


def test_a_date_keeps_its_year_and_character_together():
    """xeCJK sets a space between digits and CJK characters: counted in, "2025年" (a 期限) is
    never broken into "2025" and "年"."""
    from planbook.report.format import Cell, Table, cell_pad_em, text_em

    assert text_em("2025年") == pytest.approx(4 * 0.55 + 0.3 + 1.0)
    table = Table(columns=["目标、任务或项目", "类别", "期限", "进展情况", "责任单位"],
                  rows=[[Cell("新型基础设施建设水平全市领先" * 2), Cell("目标"), Cell("2025年"), Cell("（演示）滞后" * 6),
                         Cell("区大数据局")]] * 3, wide=frozenset({0, 3}))
    widths, fit = table.layout()
    assert widths[2] / 10 - cell_pad_em(fit) >= text_em("2025年") - 0.01


def test_a_column_the_same_on_every_row_is_said_once_on_paper(report):
    """On paper a long text repeated on every row (the demo values' one source) is said once
    under the table; the website keeps the column, and a column that differs is kept."""
    from planbook.report.format import Cell, Table

    source = "演示数据（演示数据生成器，随机种子 1），非官方统计"
    rows = [[Cell(f"项目{k}"), Cell("● 绿灯", markdown="● 绿灯"), Cell(source), Cell(f"说明{k}", demo=True)]
            for k in range(3)]
    table = Table(columns=["名称", "进展", "来源", "进展情况"], rows=rows, wide=frozenset({0, 2, 3}), key=(1,),
                  note="责任单位为分工安排。")
    md = table._repr_markdown_()
    header = md.split("* - ", 2)[1]
    assert "来源" not in header and "进展情况" in header and md.count(source) == 1
    assert md.rstrip().endswith("各行的“来源”均为：演示数据（演示数据生成器，随机种子 1），非官方统计。责任单位为分工安排。")
    assert md.count("说明1（演示）") == 1  # the varying column keeps its cells and their marks
    assert table._repr_html_().count(source) == 3  # the website: a card per row, each with its source
    short = Table(columns=table.columns, rows=rows[:2], wide=table.wide)
    assert short._repr_markdown_().count(source) == 2  # two rows: nothing to gain
    rows[2][2] = Cell("区统计局 2025 年报")
    assert table._repr_markdown_().count(source) == 2

    dashes = Table(columns=table.columns, rows=[[*row[:2], Cell("—"), row[3]] for row in rows], wide=table.wide)
    assert "- 来源" in dashes._repr_markdown_()  # nothing reported: the column stays, no "均为：—"

    # The shipped data's commitments (demo progress, one source for all): said once on paper.
    from planbook.inputs.dataset import load
    from planbook.report import views
    from planbook.report.format import md_escape
    from planbook.report.report import Report

    shipped = Report(data=load(ROOT / "data"), year=2025)
    commitments = views.commitments_table(shipped, views.commitments_of(shipped, "smart"), "目标、任务和项目")
    sources = {row[5].text for row in commitments.rows}
    assert len(sources) == 1 and len(commitments.rows) >= 3
    md = commitments._repr_markdown_()
    assert md.count(md_escape(sources.pop())) == 1 and "- 来源" not in md and "- 进展情况" in md


def test_checksums_get_a_column_wide_enough(report):
    """The SHA-256 column ran 74-86 pt off the page: an unbreakable run gets its width."""
    from planbook.report.format import Cell, Table, text_em

    sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    table = Table(columns=["文件", "SHA-256"], rows=[[Cell("observations/2022.csv"), Cell(sha)]])
    assert table.layout()[1] == "normal"
    assert content_em(table)[1] >= text_em(sha)


def test_the_print_appendix_has_one_row_per_series(report):
    from planbook.book.pdf import appendix_print, pdf_toc, PRINT_PAGES

    obs = report.data.upto(2022)
    text = appendix_print(report.data, 2022)
    rows = [line for line in text.splitlines() if line.startswith("* -")]
    assert len(rows) == 1 + obs["indicator_id"].nunique() < len(obs)  # header + one row per series
    assert "△" in text and "△ 为演示数据" in text  # demo values keep a mark, explained under the table
    toc = yaml_toc()
    assert {c["file"] for p in pdf_toc(toc)["parts"] for c in p["chapters"]} >= set(PRINT_PAGES.values())


def yaml_toc() -> dict:
    import yaml

    return yaml.safe_load((Path(__file__).resolve().parents[1] / "_toc.yml").read_text("utf-8"))
