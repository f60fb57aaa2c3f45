"""The Word copy of an edition, for comment rounds (征求意见) in Word or WPS with tracked changes.

It is made with every PDF, from the same pages: Sphinx's LaTeX build assembles the whole book
into one document tree (chapters in order, compact print pages, charts as their print images,
``{only}`` blocks and cross-references resolved); :func:`setup` keeps a copy of that tree, and
:func:`write_docx` turns it into a ``.docx`` with python-docx, after a cover and the meeting
summary made from the edition's :class:`~planbook.report.report.Report`, like the PDF's:

* headings are Word headings (第一章, 一、, （一）, 1．as in the 公文 layout), so Word's
  navigation pane lists the chapters; the plan's title and edition on the cover;
* tables are Word tables with a repeated header row; charts are pictures;
* demo values keep their mark (the text of every cell is as on the page), the demo
  statement is on the cover and in the summary;
* page: A4 with the GB/T 9704 margins, body in 仿宋 3号 (fonts named, not embedded: Word and
  WPS use those of the reader's computer), page numbers "— 1 —" at the foot.

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
# Table cells are in 小五 (9 pt) with 3 pt of margin on each side, as in the PDF: the column
# widths, which come from the PDF's layout (planbook.report.format.Table.layout), then fit the
# same entries unbroken (a status, a year, a unit); in 五号 the short columns broke after every
# character.
CELL_PT, CELL_MARGIN_TWIPS = 9, 60


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
    writer.walk_root(tree)
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
    # Page numbers: "— 1 —" in 宋体 4号 at the foot (a PAGE field).
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run("— ")
    _set_fonts(run, TITLE_FONT, size=PAGE_NO_PT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    para._p.append(field)
    run = para.add_run(" —")
    _set_fonts(run, TITLE_FONT, size=PAGE_NO_PT)


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


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


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
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            self.listing(node, target, depth, level=1)
        elif isinstance(node, (nodes.literal_block, nodes.math_block, nodes.doctest_block)):
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
        self.doc.add_heading(prefix + text, level=level)

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
            elif isinstance(child, nodes.image):
                continue
            elif child.__class__.__name__ in ("raw", "comment", "target", "index"):
                continue
            elif isinstance(child, nodes.Element):
                self.inline(para, child, bold, italic, size)

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
        if title is not None:
            para = target.add_paragraph(style="Caption")
            self.inline(para, title)
        group = next(c for c in node.children if isinstance(c, nodes.tgroup))
        widths = [int(c.get("colwidth", 1)) for c in group.children if isinstance(c, nodes.colspec)]
        head = [r for part in group.children if isinstance(part, nodes.thead) for r in part.children]
        body = [r for part in group.children if isinstance(part, nodes.tbody) for r in part.children]
        self.word_table(None, None, widths, rows_nodes=(head, body), target=target)

    def word_table(self, columns, rows, widths, rows_nodes=None, target=None) -> None:
        """A Word table (style Table Grid, header row repeated on every page, 小五 text)."""
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
        table = target.add_table(rows=0, cols=n_cols)
        table.style = "Table Grid"
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        table._tbl.tblPr.append(margins)
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
                        self.inline(p, child, bold=k < len(head), size=CELL_PT) if child.children else None
                else:
                    run = para.add_run(str(entry))
                    run.font.size = Pt(CELL_PT)
                    run.bold = k < len(head) or None
            if k < len(head):
                trpr = table.rows[-1]._tr.get_or_add_trPr()
                mark = OxmlElement("w:tblHeader")
                mark.set(qn("w:val"), "true")
                trpr.append(mark)
        if widths:
            # The widths go both on each cell (what Word reads) and on the table's grid (what
            # LibreOffice and WPS read; without it they give every column the same width).
            table.autofit = False
            for j, column in enumerate(table.columns):
                column.width = Mm(156 * widths[j] / total)
                for cell in column.cells:
                    cell.width = Mm(156 * widths[j] / total)

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

    def image(self, node, target) -> None:
        from docx.shared import Mm

        uri = node.get("candidates", {}).get("image/png") or node.get("uri", "")
        path = Path(uri) if Path(uri).is_absolute() else self.srcdir / uri
        if not path.is_file():
            return
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

        para = target.add_paragraph()
        # The body's exact 28.95 pt line (the 公文 grid) would cut a picture to one line's height:
        # Word and WPS showed only the bottom strip of each chart, its legend.
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.first_line_indent = Mm(0)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run()
        run.add_picture(str(path), width=Mm(120))
        alt = node.get("alt")
        if alt:
            para = target.add_paragraph(alt, style="Caption")
            para.paragraph_format.keep_together = True

    def admonition(self, node, name: str, depth: int, target) -> None:
        """A boxed, shaded cell with the admonition's word (警告, 注意 …) and its text."""
        from docutils import nodes

        box = target.add_table(rows=1, cols=1)
        box.style = "Table Grid"
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
