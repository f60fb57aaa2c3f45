"""Pages in a real headless browser (Debian's Chromium) with the network cut off.

Besides drawing and loading: a phone's width (390 px) on every kind of page, the search with
names typed as one word, and axe-core (npm, make setup) in light and dark mode.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from planbook.plan.catalogue import load_catalogue

from conftest import ROOT, STATS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT_CATALOGUE = load_catalogue(ROOT / "data" / "catalogue.yaml")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["chapters/overview.html", "chapters/smart.html", "chapters/green.html", "chapters/balanced.html",
         "chapters/two_way.html", "intro.html", "methodology.html", "generated/data-appendix.html",
         "generated/colophon.html", "search.html", "index.html", "generated/indicators.html",
         "generated/indicators/green_forest_coverage.html"]
PHONE = {"width": 390, "height": 844}
# One page of every kind: the root page of editions, the edition's landing page, a chapter with
# charts and one with the wide overview tables, the indicator pages (a table row with a chart,
# a text target), their index, hand-written and generated pages, and the search.
PAGE_KINDS = ["../index.html", "index.html", "chapters/green.html", "chapters/overview.html",
              "generated/indicators/two_resident_urbanisation.html",
              "generated/indicators/smart_e_licence_use_text.html", "generated/indicators.html",
              "intro.html", "methodology.html", "generated/data-appendix.html", "generated/departments.html",
              "generated/areas.html", "generated/colophon.html", "search.html?q=城镇化率"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is not installed (make setup installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"])
        yield b
        b.close()


class Tab:
    """One browser page whose requests to anywhere but the disk are cut and recorded."""

    def __init__(self, browser, viewport: dict | None = None, mode: str | None = None):
        self.context = browser.new_context(viewport=viewport) if viewport else browser.new_context()
        if mode:  # the theme reads the reader's choice from localStorage before it draws
            self.context.add_init_script(f"localStorage.setItem('mode', '{mode}');")
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                        else (self.outside.append(route.request.url), route.abort()))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, url: str):
        self.outside.clear()
        self.errors.clear()
        self.page.goto(url)
        return self.page

    def close(self) -> None:
        self.context.close()


def url(site: Path, page: str) -> str:
    path, _, query = page.partition("?")
    return (site / path).resolve().as_uri() + (f"?{query}" if query else "")


def open_offline(browser, url: str):
    tab = Tab(browser)
    tab.open(url)
    return tab.context, tab.page, tab.outside, tab.errors


def wait_for_charts(page) -> int:
    count = page.locator(".pb-chart").count()
    if count:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.pb-chart')].every(el => el.querySelector('svg'))", timeout=20000)
    return count


@pytest.mark.parametrize("chapter", ["smart", "green", "balanced", "two_way", "overview"])
def test_chapter_charts_are_drawn_offline(browser, site, chapter):
    context, page, outside, errors = open_offline(browser, (site / "chapters" / f"{chapter}.html").as_uri())
    try:
        containers = page.locator(".pb-chart").count()
        if chapter != "overview":
            assert containers >= 5
            wait_for_charts(page)
            drawn = page.locator(".pb-chart svg").count()
            assert drawn == containers
            # Chinese labels reached the drawn chart.
            assert "年份" in page.locator(".pb-chart").first.text_content()
            # Every chart links to its indicator's page.
            links = page.locator(".pb-chart + script + .pb-chart-link a").evaluate_all(
                "els => els.map(a => a.getAttribute('href'))")
            table = [i for i in ROOT_CATALOGUE.table if i.dimension == chapter]
            assert len(links) >= len(table) and all(h.startswith("../generated/indicators/") for h in links)
        # The version switcher was drawn from the site's editions.js.
        assert "全部版本" in page.locator("#pb-editions").inner_text()
        assert outside == []
        assert errors == []
    finally:
        context.close()


def test_every_page_loads_nothing_from_outside(browser, site):
    """Every page of the edition and the root page, with requests to anywhere but the disk cut."""
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts) + [site.parent / "index.html"]
    names = {str(p.relative_to(site.parent)) for p in pages}
    assert {f"2022/{name}" for name in PAGES} <= names
    checked = 0
    tab = Tab(browser)  # one tab for all: a page is opened after the other
    try:
        for path in pages:
            tab.open(path.as_uri())
            tab.page.wait_for_load_state("load")
            assert tab.outside == [], path
            assert tab.errors == [], (path, tab.errors)
            checked += 1
    finally:
        tab.close()
    assert checked == len(pages) > 70  # the indicator pages included
    STATS["pages checked"] += checked


# --- a phone ----------------------------------------------------------------------------------

FIT = """() => {
  const width = document.documentElement.clientWidth, problems = [];
  if (document.documentElement.scrollWidth > width) problems.push('page ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('.pb-chart')) {
    const box = el.getBoundingClientRect(), svg = el.querySelector('svg');
    if (!svg) { problems.push('undrawn ' + el.id); continue; }
    const s = svg.getBoundingClientRect();
    if (box.right > width + 0.5 || s.right > box.right + 0.5 || s.left < box.left - 0.5) problems.push('chart ' + el.id);
    for (const t of svg.querySelectorAll('text')) {  // every label inside the drawing
      const r = t.getBoundingClientRect();
      if (r.width && (r.right > s.right + 1 || r.left < s.left - 1)) problems.push('label ' + el.id + ' ' + t.textContent);
    }
  }
  for (const cell of document.querySelectorAll('td.pb-key, td.pb-lead')) {  // the key columns stay in view
    const r = cell.getBoundingClientRect();
    if (r.width && r.right > width + 0.5) problems.push('cell ' + cell.textContent.slice(0, 20));
  }
  return problems;
}"""


def test_phone_width_on_every_kind_of_page(browser, site):
    """At 390 px nothing is wider than the screen: no page scrolls sideways, charts take the
    column's width with their labels inside, and the tables' key columns are in view."""
    tab = Tab(browser, viewport=PHONE)
    checked = charts = 0
    try:
        for page in PAGE_KINDS:
            tab.open(url(site, page))
            charts += wait_for_charts(tab.page)
            assert tab.page.evaluate(FIT) == [], page
            checked += 1
        # A chapter's scorecard is a list of cards: the name, then value, target, status and pace.
        tab.open(url(site, "chapters/two_way.html"))
        card = tab.page.locator("table.pb-table tbody tr", has_text="常住人口城镇化率").first
        order = card.locator("td").evaluate_all(
            "tds => tds.map(td => [getComputedStyle(td).order, td.dataset.label || ''])")
        ordered = sorted((int(o), k, label) for k, (o, label) in enumerate(order))
        shown = [label for _, _, label in ordered[:5]]
        assert shown == ["指标", "2022年评估值", "2025年目标", "状态", "序时进度"]
    finally:
        tab.close()
    assert checked == len(PAGE_KINDS) and charts >= 8
    STATS["pages checked"] += checked


# --- search ----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, page", [("森林覆盖率", "green_forest_coverage"), ("优良天数", "green_good_air_days"),
                                         ("人均公园绿地面积", "green_park_area_per_capita"),
                                         ("城镇化率", "two_resident_urbanisation")])
def test_a_name_typed_as_one_word_finds_its_page(browser, site, query, page):
    tab = Tab(browser)
    try:
        tab.open(url(site, f"search.html?q={query}"))
        tab.page.wait_for_selector("#search-results li", timeout=20000)
        hrefs = tab.page.locator("#search-results li > a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
        pages = [h for h in hrefs if h.startswith("generated/indicators/")]
        assert f"generated/indicators/{page}.html" in pages
        assert any(h.startswith("generated/indicators/") for h in hrefs[:3]), hrefs[:5]  # among the first
        assert tab.outside == [] and tab.errors == []
        # The query was cut into words the index holds (森林覆盖率 → 森林 覆盖率), not searched as one.
        words = tab.page.evaluate("q => splitQuery(q)", query)
        terms = tab.page.evaluate("() => Object.keys(Search._index.terms)")
        assert all(w in terms for w in words) and "".join(words) in query
    finally:
        tab.close()


def test_search_finds_chinese_words(browser, site):
    context, page, outside, errors = open_offline(browser, (site / "search.html").as_uri() + "?q=城镇化率")
    try:
        page.wait_for_selector("#search-results li", timeout=20000)
        assert page.locator("#search-results li").count() >= 1
        assert outside == []
    finally:
        context.close()


# --- accessibility ---------------------------------------------------------------------------------

AXE_PAGES = ["../index.html", "index.html", "chapters/green.html", "generated/indicators/green_good_air_days.html",
             "search.html?q=城镇化率"]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_problem(browser, site, mode):
    """axe-core on the root page, the landing page, a chapter, an indicator page and the search
    results: no serious or critical violation, in light and in dark mode."""
    assert AXE.is_file(), "axe-core is missing: run `make setup` (npm ci)"
    script = AXE.read_text("utf-8")
    found, checked = {}, 0
    tab = Tab(browser, mode=mode)
    try:
        for page in AXE_PAGES:
            tab.open(url(site, page))
            wait_for_charts(tab.page)
            if page.startswith("search"):
                tab.page.wait_for_selector("#search-results li", timeout=20000)
            if page != "../index.html":  # the theme's pages honour the mode
                assert tab.page.evaluate("document.documentElement.dataset.theme") == mode
            # Colours are read once the theme's transitions (0.15 s) have ended, as a reader sees them.
            tab.page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
            tab.page.add_script_tag(content=script)
            violations = tab.page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
            if violations:
                found[page] = violations
            checked += 1
    finally:
        tab.close()
    assert found == {}
    assert checked == len(AXE_PAGES)


# --- links -------------------------------------------------------------------------------------

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and ((name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("script", "img"))):
                self.links.append(value)


def parsed(path: Path, cache: dict) -> Links:
    if path not in cache:
        cache[path] = Links()
        cache[path].feed(path.read_text("utf-8"))
    return cache[path]


def test_every_link_of_the_site_resolves(site):
    """Every link and every script, stylesheet and image a page names is a file of the site,
    and a link to a place in a page finds that place (the theme's menus included)."""
    root = site.parent.resolve()  # the published site is a link to its folder
    pages = sorted(p for p in root.rglob("*.html") if "_static" not in p.parts)
    cache: dict = {}
    broken, checked = [], 0
    for page in pages:
        for link in parsed(page, cache).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "javascript", "data") or link.startswith("//"):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            checked += 1
            if not target.is_file() or root not in target.parents:
                broken.append(f"{page.relative_to(root)}: {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parsed(target, cache).ids:
                broken.append(f"{page.relative_to(root)}: {link} (no such place)")
    assert broken == []
    assert checked > 5000 and len(pages) > 70
