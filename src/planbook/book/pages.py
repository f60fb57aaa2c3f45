"""Pages generated from the data at build time: the data appendix, the colophon, the pages by
department and by area (and, from :mod:`planbook.book.indicator_pages`, the landing page and a
page per indicator).

Both are MyST markdown written into ``book/generated/`` (ignored by git); the
methodology and introduction are hand-written pages that take their numbers
from :func:`substitutions`.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from planbook import __version__
from planbook.assess.progress import (ABOUT_TOLERANCE, LIGHTS, MAX_AGE, NEEDS_ACCELERATION, ON_TRACK, PACES,
                                      STATUS_POINTS, STATUSES)
from planbook.book.edition import Edition
from planbook.inputs.dataset import DataSet
from planbook.report.format import Cell, Table, fmt_value, md_escape
from planbook.report.report import Report
from planbook.words import W


def data_appendix(data: DataSet, year: int) -> str:
    """Every value the edition uses, with its source and kind."""
    cat = data.catalogue
    obs = data.upto(year)
    rows = []
    for rec in obs.sort_values(["year", "indicator_id"], kind="stable").itertuples(index=False):
        meta = cat.series_meta(rec.indicator_id)
        rows.append([Cell(meta.name_zh), Cell(str(rec.year)),
                     Cell(fmt_value(rec.value, meta.decimals, meta.unit), demo=rec.kind == "demo"),
                     Cell(W(f"data_kind.{rec.kind}")), Cell(rec.source), Cell(rec.note)])
    table = Table(columns=[W("col.indicator"), W("col.year"), W("col.number"), W("col.kind"), W("col.source"),
                           W("col.note")], rows=rows)
    n_demo = int((obs["kind"] == "demo").sum())
    lines = [
        "(data-appendix)=",
        f"# {W('appendix.title')}",
        "",
        W("appendix.intro" if n_demo else "appendix.intro_official", year=year, n=len(obs),
          official=len(obs) - n_demo, demo=n_demo),
        "",
    ]
    if n_demo:
        lines += ["```{warning}", W("demo.appendix"), "```", ""]
    lines += ["(data-appendix-values)=", f"## {W('appendix.values')}", "", table._repr_markdown_(), ""]
    return "\n".join(lines)


def reader_name(path: Path, data_dir: Path) -> str:
    """An input file as a page names it: ``data/…`` inside the data folder whatever that folder is
    called (the page must not change with a folder's name), else relative to the project, else its
    file name."""
    from planbook.project import project_root

    path = Path(path).resolve()
    try:
        return "data/" + path.relative_to(Path(data_dir).resolve()).as_posix()
    except ValueError:
        pass
    try:
        return path.relative_to(project_root()).as_posix()
    except ValueError:
        return path.name


def colophon(data: DataSet, year: int) -> str:
    """Package and tool versions and the checksums of every input file."""
    rows = [[Cell(reader_name(f.path, data.source_dir)), Cell(f.sha256)] for f in data.inputs(year)]
    files = Table(columns=[W("colophon.file"), "SHA-256"], rows=rows)
    tools = Table(columns=[W("colophon.software"), W("colophon.version")], rows=[
        [Cell(name), Cell(version(dist))] for name, dist in (
            ("planbook", "planbook"), ("Jupyter Book", "jupyter-book"), ("Sphinx", "sphinx"),
            ("MyST-NB", "myst-nb"), ("papermill", "papermill"), ("pandas", "pandas"),
            ("Altair", "altair"), ("vl-convert", "vl-convert-python"))])
    return "\n".join([
        "(colophon)=",
        f"# {W('colophon.title')}",
        "",
        W("colophon.intro", year=year, version=md_escape(__version__)),
        "",
        "(colophon-inputs)=",
        f"## {W('colophon.inputs')}",
        "",
        files._repr_markdown_(),
        "",
        "(colophon-tools)=",
        f"## {W('colophon.tools')}",
        "",
        tools._repr_markdown_(),
        "",
    ])


def web_table(table: Table) -> str:
    """A table for a page of the website only (the PDF has its own print version of the page,
    :data:`planbook.book.pdf.PRINT_PAGES`): its HTML, a card per row on a phone, which Sphinx
    passes through instead of parsing a list-table cell by cell (a second per page of 30 tables)."""
    from planbook.book.indicator_pages import raw

    return "\n".join(raw(table._repr_html_()))


def departments_page(report: Report) -> str:
    """What each department leads (indicators and commitments) and how it stands; who has not reported."""
    from planbook.report import views

    data, year = report.data, report.year
    lines = ["(departments)=", f"# {W('pages.departments.title')}", "", W("pages.departments.intro", year=year), "",
             web_table(views.by_department(report)), ""]
    lines += missing_section(report)
    for dep in data.register.departments:
        own = report.commitments[report.commitments["department"] == dep.name_zh]
        if own.empty:
            continue
        lines += [f"## {md_escape(dep.name_zh)}", "",
                  web_table(views.commitments_table(report, own, W("pages.departments.caption", name=dep.name_zh,
                                                                                     year=year), department=False)), ""]
    return "\n".join(lines)


def missing_section(report: Report) -> list[str]:
    """Who has not reported, item by item (the list ``planbook status`` prints)."""
    from planbook.assess.reporting import missing_reports

    year = report.year
    found = missing_reports(report.data, year)
    lines = ["(departments-missing)=", f"## {W('pages.departments.missing_title', year=year)}", ""]
    if not found:
        return lines + [W("pages.departments.missing_none", year=year), ""]
    columns = list(found[0].row())
    rows = [[Cell(v) for v in m.row().values()] for m in found]
    table = Table(columns=columns, rows=rows, caption=W("pages.departments.missing_caption", year=year),
                  wide=frozenset({2}), lead=2, key=(0, 4))
    return lines + [W("pages.departments.missing_intro", year=year), "", web_table(table), ""]


def areas_page(report: Report) -> str:
    """The plan's spatial frame: each zone, 片区 and 街道 with its commitments and how they stand."""
    from planbook.report import views

    lines = ["(areas)=", f"# {W('pages.areas.title')}", "", W("pages.areas.intro"), "",
             web_table(views.by_area(report)), ""]
    return "\n".join(lines)


def amendments_page(data: DataSet, year: int) -> str:
    """Targets set or changed after the plan's approval, and which editions they apply to."""
    lines = ["(amendments)=", f"# {W('pages.amendments.title')}", ""]
    if not data.amendments:
        return "\n".join(lines + [W("pages.amendments.none"), ""])
    cat = data.catalogue
    rows = []
    for a in data.amendments:
        ind = cat.by_id[a.indicator]
        before = W("enum_sep").join(f"{t.year}: {t.as_written}" for t in ind.targets) or W("pending_target")
        after = W("enum_sep").join(f"{t.year}: {t.as_written}" for t in a.targets)
        applies = W("pages.amendments.applies" if a.effective_from <= year else "pages.amendments.later",
                    year=a.effective_from)
        rows.append([Cell(ind.name_zh), Cell(before), Cell(after), Cell(W("year_label", year=a.effective_from)),
                     Cell(a.document), Cell(a.date), Cell(applies), Cell(a.note_zh or "")])
    table = Table(columns=[W("col.indicator"), W("pages.amendments.before"), W("pages.amendments.after"),
                           W("pages.amendments.from"), W("pages.amendments.document"), W("pages.amendments.date"),
                           W("pages.amendments.this_edition"), W("col.note")], rows=rows,
                  caption=W("pages.amendments.caption"), wide=frozenset({0, 4, 7}))
    return "\n".join(lines + [W("pages.amendments.intro", n=len(rows)), "", table._repr_markdown_(), ""])


def methodology_rules(values: dict[str, str] | None = None) -> str:
    """The rules every evaluation follows (the package's text, with this plan's numbers filled in
    from ``values``, :func:`substitutions`); a project's methodology page includes it."""
    from importlib import resources

    text = resources.files("planbook.book").joinpath("methodology-rules.md").read_text("utf-8")
    return fill_values(text, values, "planbook/book/methodology-rules.md") if values is not None else text


# ``{{ name }}`` in a hand-written page: a value planbook fills in (see substitutions). Nothing else
# between double braces is touched — MyST's own substitutions (Jinja2, which can run code) are off.
_VALUE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def fill_values(text: str, values: dict[str, str], name: str) -> str:
    """``text`` with each ``{{ name }}`` replaced by its value; BuildError naming the page and line
    for a name planbook does not know."""
    unknown = [(text[:m.start()].count("\n") + 1, m.group(1)) for m in _VALUE.finditer(text) if m.group(1) not in values]
    if unknown:
        from planbook.errors import BuildError

        line, key = unknown[0]
        raise BuildError(f"{name}, line {line}: {{{{ {key} }}}} is not a value planbook fills in "
                         f"(known: {', '.join(sorted(values))})")
    return _VALUE.sub(lambda m: values[m.group(1)], text)


def fill_pages(book: Path, values: dict[str, str]) -> None:
    """Fill in the values of every hand-written page of a staged ``book`` folder (not the executed
    chapters nor the generated pages, which hold data as text)."""
    for path in sorted(book.rglob("*.md")):
        rel = path.relative_to(book)
        if rel.parts[0] in ("chapters", "generated", "_build"):
            continue
        text = path.read_text("utf-8")
        filled = fill_values(text, values, f"book/{rel.as_posix()}")
        if filled != text:
            path.write_text(filled, encoding="utf-8")


def omitted_pages(data: DataSet) -> frozenset[str]:
    """The generated pages this plan has nothing for, left out of the book and its menu: by
    department without departments, by area without areas, the amendments without an
    amendments file (with one that lists none, the page says there are none)."""
    from planbook.plan.amendments import AMENDMENTS_FILE

    left = set()
    if not data.register.departments:
        left.add("generated/departments")
    if not data.register.areas:
        left.add("generated/areas")
    if not data.amendments and not any(Path(f.path).name == AMENDMENTS_FILE for f in data.plan_files):
        left.add("generated/amendments")
    return frozenset(left)


def toc_without(toc: dict, left: frozenset[str]) -> dict:
    """``toc`` without the entries of the pages ``left`` (:func:`omitted_pages`)."""
    def keep(entry) -> bool:
        return not (isinstance(entry, dict) and entry.get("file") in left)

    parts = [{**part, "chapters": [e for e in part.get("chapters", []) if keep(e)]} for part in toc.get("parts", [])]
    return {**toc, "parts": [p for p in parts if p["chapters"]]}


def write_generated_pages(edition: Edition, folder: Path, files: dict[str, str] | None = None) -> list[Path]:
    """Write the generated pages of ``edition`` into ``folder`` (the book's ``generated/``): these,
    and the landing page, a page per indicator and their data (:mod:`planbook.book.indicator_pages`).
    The landing page links to those of the edition's output ``files`` ({key: name}) that ask for it."""
    from planbook.book.indicator_pages import write_indicator_pages
    from planbook.book.outputs import OUTPUTS

    data, year, report = edition.data, edition.year, edition.report  # the edition's assessments, shared
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"methodology-rules.md": lambda: methodology_rules(substitutions(data, year)),
             "data-appendix.md": lambda: data_appendix(data, year),
             "colophon.md": lambda: colophon(data, year), "departments.md": lambda: departments_page(report),
             "areas.md": lambda: areas_page(report), "amendments.md": lambda: amendments_page(data, year)}
    written = []
    left = omitted_pages(data)
    for name, text in pages.items():
        if f"generated/{name[:-3]}" in left:
            continue
        path = folder / name
        path.write_text(text(), encoding="utf-8")
        written.append(path)
    links = tuple((files[o.key], W(o.landing)) for o in OUTPUTS if o.landing and o.key in (files or {}))
    return written + write_indicator_pages(report, folder, links)


def substitutions(data: DataSet, year: int) -> dict[str, str]:
    """Values the hand-written pages refer to as ``{{ name }}``: from code, not typed by hand."""
    cat = data.catalogue
    subs = {
        "edition_year": str(year),
        "edition_name": W("pdf.edition_name", year=year, kind=W(f"edition_kind.{data.catalogue.edition_kind(year)}")),
        "on_track": f"{ON_TRACK:g}",
        "needs_acceleration": f"{NEEDS_ACCELERATION:g}",
        "about_tolerance": f"{ABOUT_TOLERANCE * 100:g}%",
        "about_tolerance_lower": f"{(1 - ABOUT_TOLERANCE) * 100:g}%",
        "about_tolerance_upper": f"{(1 + ABOUT_TOLERANCE) * 100:g}%",
        "n_table": str(len(cat.table)),
        "n_text": str(len(cat.text_targets)),
        # The plan's targets in a sentence: its table, and the text's targets only when it has some.
        "plan_targets": md_escape(W("intro.targets_text" if cat.text_targets else "intro.targets",
                                    n_table=len(cat.table), n_text=len(cat.text_targets))),
        "n_conflicts": str(len(cat.conflicts())),
        "first_year": str(min(data.years)),
        "plan_title": md_escape(cat.plan["title_zh"]),  # text from the catalogue: shown as written
        # The document number in brackets, when the plan has one (many have none).
        "plan_document": W("intro.document", no=md_escape(cat.plan["document_no"])) if cat.plan.get("document_no")
        else "",
        # Demo wording only where demo values are shown.
        "demo_warning": W("intro.demo_warning", base_year=cat.base_year) if data.has_demo(year) else "",
        "data_kinds": W("methodology.data_kinds_demo" if data.has_demo(year) else "methodology.data_kinds"),
    }
    pace = cat.pace_settings
    subs["threshold_on_pace"] = f"{pace.on_pace:g}"
    subs["threshold_red"] = f"{pace.red:g}"
    subs["threshold_on_pace_points"] = f"{pace.on_pace * 100:g}"
    subs["threshold_red_points"] = f"{pace.red * 100:g}"
    subs["max_age"] = str(MAX_AGE)
    subs["word_pending_yes_no"] = W("status_pending_yes_no")
    for status, points in STATUS_POINTS.items():
        subs[f"points_{status}"] = str(points)
    for status in STATUSES:
        subs[f"word_{status}"] = W(f"status.{status}")
    for pace_key in PACES:
        subs[f"pace_{pace_key}"] = W(f"pace.{pace_key}")
    for light in LIGHTS:
        subs[f"light_{light}"] = W(f"light.{light}")
    for key in ("place", "table", "table_title", "plan_short", "base_year"):
        subs[key] = md_escape(cat.phrase_context()[key])
    subs["edition_kinds"], subs["clause_reference"] = edition_kinds(cat)
    subs["nearly_met_rule"] = W("methodology.nearly_met", share=f"{pace.nearly_met * 100:g}%",
                                word=W("status.nearly_achieved"), points=STATUS_POINTS["nearly_achieved"]) \
        if pace.nearly_met is not None else ""
    return subs


def edition_kinds(cat) -> tuple[str, str]:
    """What the editions are called and why (the plan's evaluation clause, when it has one: a plan
    without one gets no sentence about it), and the clause as a reference (or nothing)."""
    *mid, final = cat.milestones
    clause = cat.plan.get("evaluation_clause") or {}
    parts = [W("methodology.clause", section=md_escape(clause["section_zh"]), quote=md_escape(clause["quote"]))
             ] if clause else []
    parts.append(W("methodology.kinds_mid" if mid else "methodology.kinds_final", mid="、".join(map(str, mid)),
                   final=final))
    reference = W("methodology.clause_reference", title=md_escape(cat.plan["title_zh"]),
                  section=md_escape(clause["section_zh"])) if clause else ""
    return "".join(parts), reference
