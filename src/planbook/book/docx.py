"""The Word copy of an edition, for comment rounds (征求意见) in Word or WPS with tracked changes.

It is made with every PDF, from the same pages: Sphinx's LaTeX build assembles the whole book
into one document tree (chapters in order, compact print pages, charts as their print images,
``{only}`` blocks and cross-references resolved); :func:`setup` keeps a copy of that tree, and
:func:`write_docx` turns it into a ``.docx`` with python-docx, after a cover and the meeting
summary made from the edition's :class:`~planbook.report.report.Report`, like the PDF's:

* headings are Word headings (第一章, 一、, （一）, 1．as in the 公文 layout), so Word's
  navigation pane lists the chapters, and a 目录 after the summary is a TOC field of levels
  1–3 that Word and WPS update on opening; the plan's title and edition on the cover;
* tables are Word tables with a repeated header row and rows kept whole, captioned "表 2.1"
  as in the PDF, in the PDF's column widths and type size (a landscape page where the PDF
  has one); charts are pictures captioned "图 3.1" and their title; caption numbers are SEQ
  fields counted in each chapter;
* formulas are Word equations (:mod:`planbook.book.omml`);
* demo values keep their mark (the text of every cell is as on the page), the demo
  statement is on the cover and in the summary;
* page: A4 with the GB/T 9704 margins, body in 仿宋 3号 (fonts named, not embedded: Word and
  WPS use those of the reader's computer), page numbers "— 1 —" in 宋体 4号, odd pages right
  and even pages left, none on the cover.

The file's bytes depend on the inputs only: its dates are the end of the edition year and
the zip members are dated the same (as the XLSX downloads are).
"""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from pathlib import Path

from planbook.report.report import Report
from planbook.words import W

TREE_FILE = "planbook-book.doctree"

# Fonts are named for Word and WPS on the reader's computer (East Asian names as Windows has them).
BODY_FONT, TITLE_FONT, HEI_FONT, KAI_FONT, LATIN_FONT = "FangSong", "SimSun", "SimHei", "KaiTi", "Times New Roman"
BODY_PT, TITLE_PT, TABLE_PT, PAGE_NO_PT = 16, 22, 10.5, 14
# Table cells are in 小五 (9 pt) at most, as in the PDF: the column widths come from the PDF's
# layout (planbook.report.format.Table.layout), in em of the table's type, and fill the line
# with 0.7 em of padding per column (CELL_PAD_EM). Word's cell margins take 0.5 em of it, so
# that an entry sized to its column (序号, 单位, ★ 已达标) keeps a little room and is not broken
# after each character (in 五号, or at 9 pt in the widths of an 8 pt table, the short columns
# broke after every character). The type is 9 pt when the PDF's line holds the table at 9 pt,
# 8 pt when the PDF sets it in 8 pt; a table the PDF turns on a landscape page (with the note
# under it) is on a landscape page here too.
CELL_PT = 9
CELL_MARGIN_EM, PORTRAIT_MM, LANDSCAPE_MM = 0.25, 156, 225
PAGE_NO_INDENT_PT = 14  # 公文: odd page numbers one character in from the right, even from the left


# --- in the LaTeX build (a Sphinx extension) ------------------------------------------------

def setup(app):
    """Keep the resolved tree of the whole book in the LaTeX build's output folder."""
    app.connect("doctree-resolved", _keep_tree)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


def _keep_tree(app, doctree, docname) -> None:
    if app.builder.name != "latex" or docname != app.config.root_doc:
        return
    tree = doctree.deepcopy()
    tree.settings = copy.copy(doctree.settings)
    for name in ("env", "warning_stream", "record_dependencies"):
        setattr(tree.settings, name, None)
    tree.reporter = tree.transformer = None
    tree["planbook_srcdir"] = str(app.srcdir)
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    with open(Path(app.outdir) / TREE_FILE, "wb") as fh:
        pickle.dump(tree, fh, protocol=pickle.HIGHEST_PROTOCOL)


# --- the Word document ------------------------------------------------------------------------

def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (chapters and sections, as the 公文 layout numbers them)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def write_docx(tree_path: Path, report: Report, out: Path, title: str, author: str) -> Path:
    """Write the Word copy of ``report``'s edition to ``out`` from the LaTeX build's tree."""
    from docx import Document

    with open(tree_path, "rb") as fh:
        tree = pickle.load(fh)
    doc = Document()
    _page_and_styles(doc)
    writer = _Writer(doc, Path(tree.get("planbook_srcdir", tree_path.parent)))
    _cover(doc, report, title)
    _summary(doc, report, writer)
    contents = writer.contents_start()
    writer.walk_root(tree)
    writer.contents_fill(contents)
    stamp = datetime(report.year, 12, 31)
    props = doc.core_properties
    from planbook.book.pdf import edition_name

    props.title = W("pdf.title", title=title, edition=edition_name(report.data, report.year))
    props.subject = W("pdf.subject", year=report.year) + (W("demo.pdf_subject") if report.has_demo else "")
    props.author = props.last_modified_by = author
    props.comments = props.keywords = props.category = ""
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    from planbook.book.downloads import _fix_zip_times

    _fix_zip_times(out, stamp)
    return out


def _set_fonts(style_or_run, east_asia: str, latin: str = LATIN_FONT, size: float | None = None,
               bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _page_and_styles(doc) -> None:
    """A4, the GB/T 9704 type area, 仿宋 3号 body on a 28.95 pt line, headings in the 公文 fonts,
    page numbers "— 1 —" at the foot."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(18)
    styles = doc.styles
    normal = styles["Normal"]
    _set_fonts(normal, BODY_FONT, size=BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    for name, east, size, bold, align in (("Title", TITLE_FONT, TITLE_PT, True, WD_ALIGN_PARAGRAPH.CENTER),
                                          ("Heading 1", TITLE_FONT, TITLE_PT, True, WD_ALIGN_PARAGRAPH.CENTER),
                                          ("Heading 2", HEI_FONT, BODY_PT, False, None),
                                          ("Heading 3", KAI_FONT, BODY_PT, False, None),
                                          ("Heading 4", BODY_FONT, BODY_PT, True, None),
                                          ("Heading 5", BODY_FONT, BODY_PT, True, None)):
        style = styles[name]
        _set_fonts(style, east, size=size, bold=bold)
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        pf = style.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(36 if size == TITLE_PT else 28.95)
        pf.space_before, pf.space_after = Pt(12 if size == TITLE_PT else 6), Pt(12 if size == TITLE_PT else 0)
        pf.first_line_indent = None if align is not None else Pt(BODY_PT * 2)
        if align is not None:
            pf.alignment = align
        if name == "Heading 1":
            pf.page_break_before = True
    for name in ("Caption",):
        _set_fonts(styles[name], HEI_FONT, size=TABLE_PT, bold=False)
        styles[name].font.italic = False
        styles[name].font.color.rgb = RGBColor(0, 0, 0)
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        styles[name].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        styles[name].paragraph_format.space_before = Pt(12)  # apart from the text or table above
    # Page numbers as in the 公文 layout: "— 1 —" in 宋体 4号, odd pages right and even pages left,
    # one character in from the edge of the text; the cover has none (a different first page).
    section.different_first_page_header_footer = True
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        para = footer.paragraphs[0]
        para.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            para.paragraph_format.right_indent = Pt(PAGE_NO_INDENT_PT)
        else:
            para.paragraph_format.left_indent = Pt(PAGE_NO_INDENT_PT)
        _set_fonts(para.add_run("— "), TITLE_FONT, size=PAGE_NO_PT)
        for run in _field(para, "PAGE", "1"):
            _set_fonts(run, TITLE_FONT, size=PAGE_NO_PT)
        _set_fonts(para.add_run(" —"), TITLE_FONT, size=PAGE_NO_PT)
    section.first_page_footer.paragraphs[0].text = ""
    settings = doc.settings.element
    # Word and WPS update the fields (the contents, the caption numbers) when the file is opened.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    following = [settings.find(qn(f"w:{tag}")) for tag in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat")]
    following = [el for el in following if el is not None]
    if following:
        following[0].addprevious(update)
    else:
        settings.append(update)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese glyph forms, not the template's Japanese


def _field(para, instr: str, cached: str) -> list:
    """A Word field in ``para`` (begin, instruction, separate, result, end) showing ``cached``
    until Word, WPS or LibreOffice works it out; the runs, to be given fonts."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    runs = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = para.add_run(cached if kind == "result" else None)
        if kind == "instr":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instr} "
            run._r.append(text)
        elif kind != "result":
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
        runs.append(run)
    return runs


def _cover(doc, report: Report, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from planbook.book.pdf import edition_name

    plan = report.cat.plan
    doc.add_paragraph(style="Title").add_run(f"{plan['short_title_zh']}{W('pdf.evaluation')}")
    for text in (edition_name(report.data, report.year), W("pdf.subject_line", title=plan["title_zh"]),
                 *([f"（{plan['document_no']}）"] if plan.get("document_no") else []),
                 W("pdf.data_until", year=report.year)):
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.has_demo:
        box = doc.add_table(rows=1, cols=1)
        box.style = "Table Grid"
        _keep_whole(box.rows[0])
        cell = box.rows[0].cells[0]
        _shade(cell, "FFF4CC")
        run = cell.paragraphs[0].add_run(W("demo.cover"))
        run.bold = True
    para = doc.add_paragraph(W("pdf.made_by", year=report.year))
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run().add_break(WD_BREAK.PAGE)


def _summary(doc, report: Report, writer: "_Writer") -> None:
    """The PDF's meeting summary (:func:`planbook.book.pdf.summary_page`) as Word text and a table."""
    from planbook.book.pdf import summary_lines, summary_rows

    columns, rows, _ = summary_rows(report)
    lines, scores, red = summary_lines(report)
    doc.add_heading(W("pdf.summary"), level=1).paragraph_format.page_break_before = False
    writer.plain_paragraph(" ".join(lines))
    writer.plain_paragraph(W("pdf.scores") + "；".join(scores))
    if red:
        writer.plain_paragraph(W("pdf.red_items") + red)
    if report.has_demo:
        writer.plain_paragraph(W("demo.notice"))
    from planbook.report.format import Table

    widths, _ = Table(columns=columns, rows=rows, wide=frozenset({2})).layout()  # as in the PDF's summary
    writer.word_table(columns, [[c.as_markdown().replace("\\", "") for c in row] for row in rows], widths=widths)
    legend = W("pdf.legend_lead") + "　".join(f"{sym} {W('light.' + k)}" for k, sym in
                                              (("green", "●"), ("yellow", "▲"), ("red", "■"))) + W("pdf.legend_rest")
    writer.plain_paragraph(legend, size=TABLE_PT)


def _keep_whole(row):
    """The row is never broken across two pages (``w:cantSplit``); its properties."""
    from docx.oxml import OxmlElement

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    return trpr


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _type_size(widths: list[int], line_mm: float) -> float:
    """The type size at which a table laid out by the PDF (``widths`` in tenths of an em) fills
    a line of ``line_mm``: 9 pt at most, in half points (8 pt for the PDF's small tables)."""
    import math

    return min(CELL_PT, math.floor(line_mm / 25.4 * 72 / (sum(widths) / 10) * 2) / 2)


def _bookmark(para, n: int) -> str:
    """A bookmark around the paragraph's text (the contents link to it), named as Word names them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    name = f"_Toc{n:08d}"
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(n))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(n))
    ppr = para._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        para._p.insert(0, start)
    para._p.append(end)
    return name


def _chart_titles(folder: Path) -> dict[str, str]:
    """Each chart's title by the name of its print image: myst-nb names the images of the
    executed notebooks (in ``folder``, with the notebooks) by their bytes' SHA-256, and the
    notebooks hold each image with its chart's spec."""
    import base64
    import hashlib
    import json

    from planbook.report import PRINT_MIME

    titles: dict[str, str] = {}
    for notebook in sorted(folder.rglob("*.ipynb")):
        for cell in json.loads(notebook.read_text("utf-8")).get("cells", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if PRINT_MIME in data and "image/png" in data:
                    title = data[PRINT_MIME].get("title")
                    title = title.get("text") if isinstance(title, dict) else title
                    if title:
                        key = hashlib.sha256(base64.b64decode(data["image/png"])).hexdigest()
                        titles[key] = "".join(title) if isinstance(title, list) else str(title)
    return titles


class _Writer:
    """Walks the book's document tree and writes Word paragraphs, headings, tables and pictures."""

    SKIP = {"comment", "raw", "target", "index", "substitution_definition", "system_message", "toctree",
            "only", "meta", "pending", "glossary"}
    ADMONITIONS = {"attention", "caution", "danger", "error", "hint", "important", "note", "tip", "warning",
                   "admonition", "seealso"}

    def __init__(self, doc, srcdir: Path):
        self.doc = doc
        self.srcdir = srcdir
        self.numbers = [0] * 6
        self.captions = {"table": 0, "figure": 0}  # within the chapter
        self.landscape = False  # in a landscape section, as the PDF's \begin{landscape}
        self.headings: list[tuple[int, str, str]] = []  # level, text, bookmark (for the contents)
        self.chart_titles: dict[Path, dict[str, str]] = {}  # by the images' folder

    # -- structure

    def walk_root(self, tree) -> None:
        from docutils import nodes

        root = next((n for n in tree.children if isinstance(n, nodes.section)), None)
        for child in (root.children if root is not None else tree.children):
            if isinstance(child, nodes.title):
                continue  # the book's title is on the cover
            self.block(child, depth=1)

    def block(self, node, depth: int, container=None) -> None:
        from docutils import nodes

        name = node.__class__.__name__
        target = container if container is not None else self.doc
        if name == "raw" and container is None and node.get("format") == "latex":
            self.turn(node.astext().strip())
        if name in self.SKIP:
            return
        if isinstance(node, nodes.section):
            title = next((c for c in node.children if isinstance(c, nodes.title)), None)
            if title is not None:
                self.heading(title.astext(), depth)
            for child in node.children:
                if child is not title:
                    self.block(child, depth + 1, container)
        elif isinstance(node, nodes.paragraph):
            para = target.add_paragraph()
            self.inline(para, node)
        elif isinstance(node, nodes.table):
            self.table(node, target)
        elif isinstance(node, nodes.image):
            self.image(node, target)
        elif isinstance(node, nodes.figure) and node.next_node(nodes.image) is not None:
            # A chart as the PDF prints it: the picture, then its caption numbered "图 3.1　title".
            self.image(node.next_node(nodes.image), target, node.next_node(nodes.caption))
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            self.listing(node, target, depth, level=1)
        elif isinstance(node, nodes.math_block):
            self.equation(target.add_paragraph(), node.astext(), display=True)
        elif isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            para = target.add_paragraph()
            run = para.add_run(node.astext())
            _set_fonts(run, BODY_FONT, latin="Consolas", size=TABLE_PT)
        elif name in self.ADMONITIONS:
            self.admonition(node, name, depth, target)
        elif isinstance(node, nodes.rubric):
            para = target.add_paragraph()
            para.add_run(node.astext()).bold = True
        elif isinstance(node, nodes.definition_list):
            for item in node.children:
                for part in item.children:
                    if isinstance(part, nodes.term):
                        para = target.add_paragraph()
                        self.inline(para, part, bold=True)
                    else:
                        for child in part.children:
                            self.block(child, depth, container)
        elif isinstance(node, nodes.caption):
            para = target.add_paragraph(style="Caption")
            self.inline(para, node)
        elif isinstance(node, nodes.transition):
            target.add_paragraph()
        elif isinstance(node, (nodes.title, nodes.subtitle)):
            para = target.add_paragraph()
            self.inline(para, node, bold=True)
        elif isinstance(node, nodes.Text):
            if node.astext().strip():
                target.add_paragraph(node.astext())
        elif isinstance(node, nodes.Element):  # containers: cells, outputs, figures, compounds …
            for child in node.children:
                self.block(child, depth, container)

    def heading(self, text: str, depth: int) -> None:
        """第一章 … for chapters, then 一、（一）1．as the 公文 layout numbers sections."""
        level = min(depth, 5)
        self.numbers[level - 1] += 1
        for k in range(level, len(self.numbers)):
            self.numbers[k] = 0
        n = self.numbers[level - 1]
        prefix = {1: f"第{chinese_number(n)}章　", 2: f"{chinese_number(n)}、", 3: f"（{chinese_number(n)}）",
                  4: f"{n}．"}.get(level, "")
        para = self.doc.add_heading(prefix + text, level=level)
        if level == 1:
            self.captions = dict.fromkeys(self.captions, 0)
        if level <= 3:
            self.headings.append((level, prefix + text, _bookmark(para, len(self.headings) + 1)))

    # -- the contents: a TOC field, with the headings as its result until Word works it out

    def contents_start(self):
        """The 目录 page after the summary (filled in by :meth:`contents_fill`)."""
        self.doc.add_paragraph(W("docx.contents"), style="TOC Heading")
        return self.doc.add_paragraph()

    def contents_fill(self, para) -> None:
        """A ``TOC \\o "1-3"`` field (levels 1–3, linked, with page numbers) whose shown result,
        until Word or WPS updates it on opening, lists the headings (without page numbers: only
        the program that lays out the pages knows them)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        runs = _field(para, 'TOC \\o "1-3" \\h \\z \\u', "")
        result, end = runs[3], runs[4]
        result._r.getparent().remove(result._r)
        end._r.getparent().remove(end._r)
        last = para
        for level, text, bookmark in self.headings:
            entry = OxmlElement("w:p")
            last._p.addnext(entry)
            from docx.text.paragraph import Paragraph

            last = Paragraph(entry, para._parent)
            fmt = last.paragraph_format
            fmt.left_indent, fmt.first_line_indent = Pt(BODY_PT * (level - 1)), Pt(0)
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bookmark)
            link.set(qn("w:history"), "1")
            run = last.add_run(text)
            link.append(run._r)
            entry.append(link)
        last._p.append(end._r)

    def inline(self, para, node, bold: bool = False, italic: bool = False, size: float | None = None) -> None:
        from docutils import nodes

        for child in node.children:
            if isinstance(child, nodes.Text):
                run = para.add_run(child.astext().replace("\n", " "))
                run.bold, run.italic = bold or None, italic or None
                if size:
                    from docx.shared import Pt

                    run.font.size = Pt(size)
            elif isinstance(child, nodes.strong):
                self.inline(para, child, True, italic, size)
            elif isinstance(child, nodes.emphasis):
                self.inline(para, child, bold, True, size)
            elif isinstance(child, nodes.literal):
                run = para.add_run(child.astext())
                _set_fonts(run, BODY_FONT, latin="Consolas")
            elif isinstance(child, (nodes.subscript, nodes.superscript, nodes.footnote_reference)):
                run = para.add_run(child.astext())
                if isinstance(child, nodes.subscript):
                    run.font.subscript = True
                else:
                    run.font.superscript = True
            elif isinstance(child, nodes.math):
                self.equation(para, child.astext(), display=False)
            elif isinstance(child, nodes.image):
                continue
            elif child.__class__.__name__ in ("raw", "comment", "target", "index"):
                continue
            elif isinstance(child, nodes.Element):
                self.inline(para, child, bold, italic, size)

    def equation(self, para, latex: str, display: bool) -> None:
        """A formula as a Word equation (:mod:`planbook.book.omml`), centred on its own line
        when ``display``."""
        from planbook.book.omml import omath, omath_para

        if display:
            from docx.enum.text import WD_LINE_SPACING
            from docx.shared import Pt

            # The body's exact line would cut a fraction in half, as it cut the charts.
            para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            para.paragraph_format.first_line_indent = Pt(0)
            para.paragraph_format.space_before = para.paragraph_format.space_after = Pt(6)
        para._p.append(omath_para(latex) if display else omath(latex))

    def plain_paragraph(self, text: str, size: float | None = None):
        para = self.doc.add_paragraph()
        run = para.add_run(text)
        if size:
            from docx.shared import Pt

            run.font.size = Pt(size)
        return para

    # -- tables, lists, pictures

    def table(self, node, target) -> None:
        from docutils import nodes

        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        group = next(c for c in node.children if isinstance(c, nodes.tgroup))
        widths = [int(c.get("colwidth", 1)) for c in group.children if isinstance(c, nodes.colspec)]
        head = [r for part in group.children if isinstance(part, nodes.thead) for r in part.children]
        body = [r for part in group.children if isinstance(part, nodes.tbody) for r in part.children]
        # The PDF's own widths (in em of its type); a table of the prose has equal columns.
        sized = "colwidths-given" in node.get("classes", [])
        if title is not None:  # numbered as in the PDF: 表 2.1 is chapter 2's first captioned table
            para = self.caption("table", target)
            self.inline(para, title)
            para.paragraph_format.keep_with_next = True
        self.word_table(None, None, widths, rows_nodes=(head, body), target=target, sized=sized,
                        landscape=self.landscape and target is self.doc)

    def caption(self, kind: str, target):
        """A caption paragraph begun with its number: "表 2.1　" (a SEQ field, counted in the
        chapter: Word's ``\\s 1`` starts it again at each chapter heading, ``\\r 1`` at the first)."""
        self.captions[kind] += 1
        word = W(f"docx.{kind}")
        para = target.add_paragraph(style="Caption")
        para.add_run(f"{word} {self.numbers[0]}.")
        # \r 1 restarts the count at the chapter's first caption too: LibreOffice ignores \s.
        restart = " \\r 1" if self.captions[kind] == 1 else ""
        _field(para, f"SEQ {word} \\* ARABIC \\s 1{restart}", str(self.captions[kind]))
        para.add_run("　")
        return para

    def turn(self, latex: str) -> None:
        """Where the PDF turns to a landscape page (a table too wide for the line, with its
        note) and back, so does the Word copy."""
        if latex in (r"\begin{landscape}", r"\end{landscape}") and self.landscape != (latex == r"\begin{landscape}"):
            self.landscape = not self.landscape
            self.orientation(self.landscape)

    def orientation(self, landscape: bool) -> None:
        """A new section on a new page, landscape or back to portrait (page numbers go on)."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False  # only the cover has no number
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
            section.top_margin, section.bottom_margin = Mm(28), Mm(26)
            section.left_margin, section.right_margin = Mm(37), Mm(35)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)

    def word_table(self, columns, rows, widths, rows_nodes=None, target=None, sized: bool = True,
                   landscape: bool = False) -> None:
        """A Word table (style Table Grid, header row repeated on every page, rows kept whole on
        a page, 小五 text; ``sized``: ``widths`` are the PDF's, in tenths of an em of its type;
        ``landscape``: on a landscape page)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        target = target if target is not None else self.doc
        if rows_nodes is not None:
            head, body = rows_nodes
            n_cols = max([len(r.children) for r in head + body] or [1])
        else:
            head, body = [columns], rows
            n_cols = len(columns)
        line_mm = LANDSCAPE_MM if landscape else PORTRAIT_MM
        size = _type_size(widths, line_mm) if sized and widths else CELL_PT
        table = target.add_table(rows=0, cols=n_cols)
        table.style = "Table Grid"
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(round(CELL_MARGIN_EM * size * 20)))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        total = sum(widths) if widths else n_cols
        for k, row in enumerate([*head, *body]):
            cells = table.add_row().cells
            entries = list(row.children) if rows_nodes is not None else row
            for j, entry in enumerate(entries[:n_cols]):
                cell = cells[j]
                para = cell.paragraphs[0]
                para.paragraph_format.line_spacing_rule = None
                para.paragraph_format.line_spacing = 1.0
                if rows_nodes is not None:
                    first = True
                    for child in entry.children:
                        p = para if first else cell.add_paragraph()
                        first = False
                        p.paragraph_format.line_spacing = 1.0
                        self.inline(p, child, bold=k < len(head), size=size) if child.children else None
                else:
                    run = para.add_run(str(entry))
                    run.font.size = Pt(size)
                    run.bold = k < len(head) or None
            trpr = _keep_whole(table.rows[-1])
            if k < len(head):
                mark = OxmlElement("w:tblHeader")
                mark.set(qn("w:val"), "true")
                trpr.append(mark)
        if widths:
            # The widths go both on each cell (what Word reads) and on the table's grid (what
            # LibreOffice and WPS read; without it they give every column the same width).
            table.autofit = False
            for j, column in enumerate(table.columns):
                column.width = Mm(line_mm * widths[j] / total)
                for cell in column.cells:
                    cell.width = Mm(line_mm * widths[j] / total)
        # The table's properties in the order of the schema (Word refuses others): the margins
        # before w:tblLook.
        tblpr = table._tbl.tblPr
        look = tblpr.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(margins)
            layout = tblpr.find(qn("w:tblLayout"))
            if layout is not None:
                margins.addprevious(layout)
        else:
            tblpr.append(margins)

    def listing(self, node, target, depth: int, level: int) -> None:
        from docutils import nodes

        style = "List Number" if isinstance(node, nodes.enumerated_list) else "List Bullet"
        style += "" if level == 1 else f" {min(level, 3)}"
        for item in node.children:
            for child in item.children:
                if isinstance(child, nodes.paragraph):
                    para = target.add_paragraph(style=style)
                    self.inline(para, child)
                elif isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
                    self.listing(child, target, depth, level + 1)
                else:
                    self.block(child, depth, target if target is not self.doc else None)

    def image(self, node, target, caption=None) -> None:
        from docx.shared import Mm

        uri = node.get("candidates", {}).get("image/png") or node.get("uri", "")
        path = Path(uri) if Path(uri).is_absolute() else self.srcdir / uri
        if not path.is_file():
            return
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Pt

        para = target.add_paragraph()
        # The body's exact 28.95 pt line (the 公文 grid) would cut a picture to one line's height:
        # Word and WPS showed only the bottom strip of each chart, its legend.
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.first_line_indent = Mm(0)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True  # the picture with its caption
        run = para.add_run()
        run.add_picture(str(path), width=Mm(120))
        para = self.caption("figure", target)  # 图 3.1, counted in the chapter
        if caption is not None and caption.astext().strip():  # the figure's own caption (its title)
            self.inline(para, caption)
        else:
            if path.parent not in self.chart_titles:
                self.chart_titles[path.parent] = _chart_titles(path.parent)
            para.add_run(node.get("alt") or self.chart_titles[path.parent].get(path.stem, ""))
        para.paragraph_format.space_before, para.paragraph_format.space_after = 0, Pt(12)

    def admonition(self, node, name: str, depth: int, target) -> None:
        """A boxed, shaded cell with the admonition's word (警告, 注意 …) and its text."""
        from docutils import nodes

        box = target.add_table(rows=1, cols=1)
        box.style = "Table Grid"
        _keep_whole(box.rows[0])
        cell = box.rows[0].cells[0]
        _shade(cell, "FFF4CC" if name in ("warning", "caution", "danger", "error", "attention") else "EEF3FA")
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        label = title.astext() if title is not None else W(f"docx.admonition.{name}") \
            if name in ("warning", "note", "tip", "important", "caution", "attention", "danger", "error", "hint", "seealso") else ""
        para = cell.paragraphs[0]
        if label:
            para.add_run(label).bold = True
        for child in node.children:
            if child is title:
                continue
            self.block(child, depth, cell)
