"""The book: notebooks run by papermill, compiled into an offline website.

One site is built from the fixture data (tests/fixtures/book-data) into a
temporary folder, and its pages are checked as a reader would see them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from planbook.build.pipeline import build
from planbook.project import chapters
from planbook.build.worker import execute_notebook, read_notebook
from planbook.errors import BuildError, InputError, NotebookError

from conftest import BOOK_DATA, ROOT, STATS
# Hosts that serve code or fonts. (The vega bundle also names vega.github.io as the id of its
# JSON schema and as the target of the "open in editor" action, which the site switches off;
# neither is ever requested, which test_browser.py checks with the network cut.)
CDN_HOSTS = ("unpkg.com", "jsdelivr", "cdnjs", "googleapis", "gstatic", "bootstrapcdn", "mathjax.org")


class Rows(HTMLParser):
    """Table rows of a page as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: Path) -> list[list[str]]:
    parser = Rows()
    parser.feed(page.read_text("utf-8"))
    return parser.rows


def row_for(page: Path, name: str) -> list[str]:
    rows = [r for r in table_rows(page) if name in r]
    assert rows, f"no row for {name} in {page.name}"
    return rows[0]


def test_known_value_status_and_target_in_the_right_chapter(site):
    # 常住人口城镇化率 2022 = 89.1 (fixture), base 87.2, target >90:
    # ratio (89.1/87.2)^(1/2)-1 = 1.0836% over (90/87.2)^(1/5)-1 = 0.6341% = 1.71 → 进展顺利
    row = row_for(site / "chapters" / "two_way.html", "常住人口城镇化率")
    assert row[0] == "19" and "89.1%" in row[4] and row[5] == ">90" and row[6] == "95"
    assert "进展顺利" in row[-1]
    # 序时进度: (89.1 − 87.2)/(90 − 87.2) = 67.9% done after 40% of the time → ahead, green
    assert row[7] == "67.9% / 40.0%" and row[8] == "● 绿灯 · 快于序时进度"
    assert "常住人口城镇化率" not in (site / "chapters" / "smart.html").read_text("utf-8")
    # 5G coverage is demo in the fixture: the value carries the demo mark.
    smart = row_for(site / "chapters" / "smart.html", "城市5G覆盖率")
    assert smart[4] == "86.5%演示"


def test_overview_shows_every_indicator_scores_changes_and_conflicts(site):
    page = site / "chapters" / "overview.html"
    rows = table_rows(page)
    numbered = [r for r in rows if len(r) == 7 and r[1].isdigit()]
    assert [int(r[1]) for r in numbered] == list(range(1, 23))
    text = page.read_text("utf-8")
    assert "与 2021 年评估相比" in text
    assert "超过70%" in text and "&gt;80" in text  # the e-licence conflict
    assert any(r[0] == "合计" for r in rows)


def test_prose_numbers_come_from_glue(site):
    page = (site / "chapters" / "two_way.html").read_text("utf-8")
    assert "双向城镇化 5 项指标中（对照 2025 年目标）" in page
    assert "2022 年常住人口城镇化率与户籍人口城镇化率相差 13.5 个百分点" in page  # 89.1 − 75.6
    for chapter in chapters(ROOT):
        html = (site / "chapters" / f"{chapter}.html").read_text("utf-8")
        assert "{glue" not in html and "injected-parameters" not in html and "data_dir" not in html


def test_demo_banner_and_data_appendix(site):
    for page in ("intro.html", "chapters/green.html", "generated/data-appendix.html"):
        assert "本评估含演示数据" in (site / page).read_text("utf-8"), page
    appendix = table_rows(site / "generated" / "data-appendix.html")
    values = [r for r in appendix if len(r) == 6 and r[1].isdigit()]
    # every value of 2020-2022 with its source (the 2020 population once: the context series of the
    # same measure is the indicator's, issue 27)
    assert len(values) == 15 + 8 + 8
    assert all(r[4] for r in values)


def test_text_from_data_is_escaped(site):
    page = (site / "generated" / "data-appendix.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 100% $x_1$ {a} \\ # _" in page


def test_search_index_holds_chinese_terms(site):
    text = (site / "searchindex.js").read_text("utf-8")
    index = json.loads(text[text.index("(") + 1: text.rindex(")")])
    for term in ("城镇化率", "常住人口", "评估", "演示"):
        assert term in index["terms"], term  # words segmented by jieba, not single characters


def external_references(site: Path) -> tuple[int, list[str]]:
    """Files checked, and every place a page or script would load something from outside."""
    loads = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//|import\s*\(\s*["']https?://""", re.I)
    found, checked = [], 0
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".js", ".css"):
            continue
        checked += 1
        text = path.read_text("utf-8", errors="replace")
        for m in loads.finditer(text):
            snippet = text[max(0, m.start() - 40): m.end() + 60]
            if path.suffix == ".html" and re.search(r"<a\s[^>]*$", text[max(0, m.start() - 200): m.start()]):
                continue  # a plain hyperlink the reader may click; nothing is loaded
            found.append(f"{path.relative_to(site)}: {snippet!r}")
        for host in CDN_HOSTS:
            if host in text:
                found.append(f"{path.relative_to(site)}: mentions {host}")
    return checked, found


def test_no_page_or_script_loads_from_outside(site):
    checked, found = external_references(site)
    assert checked > 20
    assert found == []


def test_vega_bundle_is_one_shared_file(site):
    bundles = list(site.rglob("planbook-vega.js"))
    assert len(bundles) == 1
    page = (site / "chapters" / "green.html").read_text("utf-8")
    assert '<script src="../_static/planbook-vega.js' in page
    for chapter in chapters(ROOT):
        ids = re.findall(r'class="pb-chart" id="([^"]+)"', (site / "chapters" / f"{chapter}.html").read_text("utf-8"))
        assert len(ids) == len(set(ids)), chapter  # a repeated id would leave a chart undrawn


def test_notebooks_match_toc_and_have_one_parameters_cell():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    in_toc = sorted(f.split("/")[1] for f in files if f.startswith("chapters/"))
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.md"))
    assert in_toc == notebooks == sorted(chapters(ROOT))
    for name in notebooks:
        nb = read_notebook(ROOT / "notebooks" / f"{name}.md")
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, name
        assert "year = " in params[0].source and "data_dir = " in params[0].source
        assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in nb.cells if c.cell_type == "code")


def glued_keys(nb) -> set[str]:
    return {o.get("metadata", {}).get("scrapbook", {}).get("name")
            for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])} - {None}


@pytest.mark.parametrize("chapter", chapters(ROOT))
def test_every_glue_reference_is_glued(chapter, tmp_path):
    source = (ROOT / "notebooks" / f"{chapter}.md").read_text("utf-8")
    referenced = set(re.findall(r"\{glue:text\}`([^`:]+)", source))
    assert referenced
    out = execute_notebook(chapter, 2022, BOOK_DATA, tmp_path / f"{chapter}.ipynb")
    nb = nbformat.read(out, as_version=4)
    assert referenced <= glued_keys(nb)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    injected = [t for t in tags if "injected-parameters" in t]
    assert len(injected) == 1 and "remove-cell" in injected[0]
    assert "year = 2022" in next(c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_cell_stops_the_build_and_keeps_the_last_good_site(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(site.parent, out / "html")
    before = digest(out / "html")
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    # A copy of the project whose green chapter has a cell that fails.
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "node_modules", "tests"))
    chapter = project / "notebooks" / "green.md"
    chapter.write_text(chapter.read_text("utf-8").replace(
        "chapter.analysis_outputs()", "chapter.analysis_outputs()\nraise KeyError('green_good_air_days')"), encoding="utf-8")
    monkeypatch.chdir(project)
    with pytest.raises(NotebookError) as err:
        build(year=2022, data_dir=data, out_dir=out)
    message = str(err.value)
    assert "notebooks/green.md" in message and "year 2022" in message and "KeyError" in message
    assert digest(out / "html") == before
    assert not list(out.glob(".stage-*"))
    STATS["failures forced"] += 1


def test_unknown_year_is_refused(tmp_path):
    with pytest.raises(InputError, match="no observations for 2024"):
        build(year=2024, data_dir=BOOK_DATA, out_dir=tmp_path)
    assert not (tmp_path / "html").exists()


@pytest.mark.parametrize("command", ["run smart", "build", "assess"])
@pytest.mark.parametrize("year", ["2019", "0", "2030"])
def test_an_edition_year_without_data_is_refused_by_every_command(cli, tmp_path, command, year):
    code, out, err = cli(*command.split(), "--year", year, "--data", str(BOOK_DATA),
                         *(["--out", str(tmp_path)] if command == "build" else []),
                         *(["--output", str(tmp_path / "x.ipynb")] if command.startswith("run") else []))
    assert code == 2 and "Traceback" not in err, err
    if 2020 <= int(year) <= 2035:  # inside the plan's horizon, but no data of its own
        assert f"no observations for {year}" in err and "years with data: 2020, 2021, 2022" in err
    else:
        assert f"--year {year}: outside the plan's horizon 2020–2035" in err
    assert not list(tmp_path.iterdir())
    STATS["inputs refused"] += 1


def test_methodology_states_the_rules_and_thresholds_the_code_uses(site):
    from planbook.assess.progress import ABOUT_TOLERANCE, MAX_AGE, NEEDS_ACCELERATION, ON_TRACK, STATUS_POINTS
    from planbook.plan.catalogue import load_catalogue

    import html

    text = re.sub(r"<[^>]+>", "", (site / "methodology.html").read_text("utf-8"))
    text = html.unescape(re.sub(r"\s+", " ", text))
    pace = load_catalogue(ROOT / "data" / "catalogue.yaml").pace_settings
    assert "{{" not in text
    assert f"不低于 {ON_TRACK:g} 为“进展顺利”" in text and f"不低于 {NEEDS_ACCELERATION:g} 而低于" in text
    assert f"0 < d ≤ {pace.on_pace:g}" in text and f"{pace.on_pace:g} < d ≤ {pace.red:g}" in text
    assert f"d > {pace.red:g}" in text
    assert f"完成进度 × 100，在 {STATUS_POINTS['not_achieved']} 至 100 分之间" in text and f"早 {MAX_AGE} 年以上" in text
    assert f"不低于目标值的 {(1 - ABOUT_TOLERANCE) * 100:g}%" in text
    assert "第一千二百五十九条" in text and "本项目的理解" in text
