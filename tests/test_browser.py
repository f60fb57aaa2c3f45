"""Pages in a real headless browser (Debian's Chromium) with the network cut off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import STATS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = ["chapters/overview.html", "chapters/smart.html", "chapters/green.html", "chapters/balanced.html",
         "chapters/two_way.html", "intro.html", "methodology.html", "generated/data-appendix.html",
         "generated/colophon.html", "search.html"]


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


def open_offline(browser, url: str):
    """Open a page; every request that is not for a local file is blocked and recorded."""
    context = browser.new_context()
    page = context.new_page()
    outside, errors = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
               else (outside.append(route.request.url), route.abort()))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return context, page, outside, errors


@pytest.mark.parametrize("chapter", ["smart", "green", "balanced", "two_way", "overview"])
def test_chapter_charts_are_drawn_offline(browser, site, chapter):
    context, page, outside, errors = open_offline(browser, (site / "chapters" / f"{chapter}.html").as_uri())
    try:
        containers = page.locator(".pb-chart").count()
        if chapter != "overview":
            assert containers >= 5
            page.wait_for_function(
                "() => [...document.querySelectorAll('.pb-chart')].every(el => el.querySelector('svg, canvas'))",
                timeout=20000)
            drawn = page.locator(".pb-chart svg").count()
            assert drawn == containers
            # Chinese labels reached the drawn chart.
            assert "年份" in page.locator(".pb-chart").first.text_content()
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
    for path in pages:
        context, page, outside, errors = open_offline(browser, path.as_uri())
        try:
            page.wait_for_load_state("load")
            assert outside == [], path
            assert errors == [], (path, errors)
            checked += 1
        finally:
            context.close()
    assert checked == len(pages)
    STATS["pages checked"] += checked


def test_search_finds_chinese_words(browser, site):
    context, page, outside, errors = open_offline(browser, (site / "search.html").as_uri() + "?q=城镇化率")
    try:
        page.wait_for_selector("#search-results li", timeout=20000)
        assert page.locator("#search-results li").count() >= 1
        assert outside == []
    finally:
        context.close()
