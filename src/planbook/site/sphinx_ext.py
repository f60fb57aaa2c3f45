"""Sphinx extension: keep the site offline and add planbook's own assets.

* writes the chart runtime (:mod:`planbook.site.vega`) and planbook.css into a static
  folder served by the site, and loads them on every page;
* while ``planbook build`` is still executing notebooks, reads the other pages
  first and waits for each notebook only when it comes to it (see below);
* removes any script or stylesheet that points outside the site (sphinx-thebe
  adds one from unpkg.com even with thebe switched off);
* shows the demo-data banner on every page while the edition holds demo values
  (``planbook_demo_banner`` in the config, set by ``planbook build``), and the 征求意见稿
  banner of a draft (``planbook_draft_banner``, set by ``planbook build --draft``);
* makes the SVG math images deterministic (sorted glyph definitions) and keeps
  them for later builds (PLANBOOK_MATH_CACHE);
* puts an edition bar on every page: the other editions (drawn by the site's
  ``editions.js``, so older editions list newer ones too) and the downloads
  (PDF, assessment and observations as CSV/XLSX);
* makes the theme's ⤓ menu offer the edition's PDF and the page's data (not the
  page's source, which the site does not publish, nor the browser's print dialog);
* gives the theme's own words (tooltips, labels, the footer) in the report's language;
* splits a Chinese search query into the words the search index was built with, so a
  name typed as one word (污水处理率) finds its page (:data:`JS_SPLITTER`).
"""

from __future__ import annotations

import html
import json
from fnmatch import fnmatch
import os
import re
import time
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from planbook import __version__
from planbook.site.vega import BUNDLE_NAME, write_js_bundle

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
LATIN = re.compile(r"[A-Za-z]")
ASSETS = Path(__file__).parent / "assets"


# --- reading while the notebooks execute ------------------------------------------------
#
# ``planbook build`` starts Sphinx before the chapter notebooks have finished executing and
# names them in PLANBOOK_PENDING ({docname: path of the executed notebook, written atomically
# when it is ready}). Sphinx then reads every other page first, renders their math and loads
# the Chinese word segmenter, and waits for each pending notebook only when it comes to it.

def _pending() -> dict[str, Path]:
    raw = os.environ.get("PLANBOOK_PENDING")
    return {doc: Path(path) for doc, path in json.loads(raw).items()} if raw else {}


def _env_get_outdated(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    # A pending notebook is read anew even if Sphinx's copy looks unchanged: it is being replaced.
    return [doc for doc in _pending() if doc not in added and doc not in changed]


def _env_before_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    order = list(_pending())  # in the order the notebooks are expected to be ready
    docnames.sort(key=lambda doc: (doc in order, order.index(doc) if doc in order else 0, doc))


def _wait_until_exists(path: Path) -> None:
    parent = os.environ.get("PLANBOOK_PARENT")
    while not path.exists():
        if parent and str(os.getppid()) != parent:
            raise RuntimeError(f"planbook build went away while Sphinx waited for {path}")
        time.sleep(0.02)


def _wait_for_sources(app: Sphinx, config) -> None:
    """Wait until planbook has written the generated pages into Sphinx's copy of the book
    (PLANBOOK_SOURCES_READY names the file it creates then): Sphinx starts while they are being
    written, and its start-up (extensions, theme) overlaps with theirs. This runs before the
    table of contents is read, which looks at what files the book has."""
    ready = os.environ.get("PLANBOOK_SOURCES_READY")
    if ready:
        _wait_until_exists(Path(ready))


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    ready = _pending().get(docname)
    if ready is None:
        return
    _warm_up(app)
    _wait_until_exists(ready)
    source[0] = ready.read_text("utf-8")
    # Sphinx's copy of the page becomes what it reads, with the notebook's (earlier) time:
    # the time Sphinx records for this reading is later, so the next build re-reads the page
    # exactly when its file changes again.
    target = Path(app.env.doc2path(docname))
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    tmp.write_text(source[0], encoding="utf-8")
    stat = ready.stat()
    os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(tmp, target)


def _collect_math(app: Sphinx, doctree) -> None:
    """Note the formulas of each page read, as imgmath will render them when writing."""
    from docutils import nodes

    if app.builder.format != "html" or "sphinx.ext.imgmath" not in app.extensions:
        return
    formulas = app.__dict__.setdefault("_planbook_math", [])
    formulas += ["$" + node.astext() + "$" for node in doctree.findall(nodes.math)]
    formulas += [node.astext() if node.get("nowrap") else _wrap_display(node.astext())
                 for node in doctree.findall(nodes.math_block)]


def _wrap_display(text: str) -> str:
    from sphinx.ext.imgmath import wrap_displaymath

    return wrap_displaymath(text, None, False)


def _warm_up(app: Sphinx) -> None:
    """Work the writing phase would do anyway, done while Sphinx waits for a notebook: for the
    website, render the math of the pages read so far, compile the page templates and load
    jieba's dictionary for the search index; for LaTeX, copy the TeX support files (they
    depend on the configuration only)."""
    if app.__dict__.get("_planbook_warm"):
        return
    app.__dict__["_planbook_warm"] = True
    if app.builder.format == "latex" and hasattr(app.builder, "copy_support_files"):
        app.builder.copy_support_files()
        app.builder.copy_support_files = lambda: None  # done: the writing phase need not repeat it
        return
    if app.builder.format != "html":
        return
    from types import SimpleNamespace

    formulas = app.__dict__.pop("_planbook_math", [])
    if formulas:
        from sphinx.ext import imgmath

        translator = SimpleNamespace(builder=app.builder)
        for latex in dict.fromkeys(formulas):
            imgmath.render_math(translator, latex)  # leaves the image where the writer looks for it
    # Compile the page templates now (Jinja keeps them); a broken template still fails the
    # build when the first page is written.
    try:
        app.builder.templates.environment.get_template("page.html")
    except Exception:  # noqa: BLE001 - an early look only
        pass
    if str(app.config.language or "").startswith("zh"):
        try:
            import jieba
        except ImportError:
            return
        jieba.setLogLevel(60)
        jieba.initialize()


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    _translate_templates(app)
    _index_text_only(app)
    static = Path(app.outdir).parent / "planbook-static"
    static.mkdir(parents=True, exist_ok=True)
    write_js_bundle(static)
    shutil.copyfile(ASSETS / "planbook.css", static / "planbook.css")
    app.config.html_static_path.append(str(static))
    app.add_js_file(BUNDLE_NAME, priority=200)
    app.add_css_file("planbook.css", priority=900)
    # Files the generated pages link to (each indicator's and chapter's data), served at the
    # edition's root: generated/extra/data/x.csv → data/x.csv.
    extra = Path(app.srcdir) / "generated" / "extra"
    if extra.is_dir():
        app.config.html_extra_path.append(str(extra))


def _offline(asset) -> bool:
    """False for assets that load from outside the site, or only serve thebe (which would)."""
    url = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return not (EXTERNAL.match(url) or "thebe" in url or "THEBE_JS_URL" in body)


# Assets a page can do without: fontawesome.js (1.5 MB for a dozen icons, which planbook.css
# draws with characters instead) and sphinx-design's files on pages that use no design element.
HEAVY = ("fontawesome",)
DESIGN = ("sphinx-design", "design-tabs")


def _wanted(asset, body: str) -> bool:
    url = str(getattr(asset, "filename", asset) or "")
    if any(name in url for name in HEAVY):
        return False
    if any(name in url for name in DESIGN) and "sd-" not in body:
        return False
    return _offline(asset)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if _wanted(a, body)]
    banner = "　".join(b for b in (app.config.planbook_draft_banner, app.config.planbook_demo_banner) if b)
    if banner:
        context.setdefault("theme_announcement", banner)
    year = app.config.planbook_edition_year
    if year and "body" in context:
        context["body"] = edition_bar(pagename, year, app.config.planbook_outputs,
                                      app.config.planbook_downloads) + context["body"]
    if "header_buttons" in context:
        context["header_buttons"] = [download_menu(pagename, app.config.planbook_outputs, app.config.planbook_downloads,
                                                   _page_data(app, pagename))
                                     if b.get("label") == "download-buttons" else b for b in context["header_buttons"]]
    from planbook.words import W

    context["planbook_copyright"] = W("site.copyright", copyright=app.config.copyright) if app.config.copyright else ""


def _page_data(app: Sphinx, pagename: str) -> tuple[str, str] | None:
    """The data file of a page, if it has one: a chapter's values or an indicator's
    (``data/<name>.csv`` at the edition's root, written with the generated pages)."""
    from planbook.words import W

    folder, _, name = pagename.rpartition("/")
    candidates = {"chapters": ("site.chapter_data", name), "generated/indicators": ("site.indicator_data", name)}
    if folder not in candidates:
        return None
    key, stem = candidates[folder]
    for extra in app.config.html_extra_path:
        if (Path(extra) / "data" / f"{stem}.csv").is_file():
            return f"data/{stem}.csv", W(key)
    return None


def download_menu(pagename: str, outputs: list[dict], downloads: dict, page_data: tuple[str, str] | None) -> dict:
    """The theme's ⤓ menu: the edition's output files (``planbook_outputs``: PDF, Word copy, brief…,
    each with its words and icon, from planbook.book.outputs), the page's data, the edition's
    downloads. (The theme's own entries link to page sources the site does not publish and print the page.)"""
    from planbook.words import W

    root = "../" * pagename.count("/")
    buttons = [{"type": "link", "url": root + o["file"], "text": o["text"], "icon": o["icon"],
                "tooltip": o["tooltip"], "label": f"download-{o['key']}-button"} for o in outputs]
    if page_data:
        buttons.append({"type": "link", "url": root + page_data[0], "text": page_data[1], "icon": "fas fa-file-csv",
                        "tooltip": page_data[1], "label": "download-page-data-button"})
    for key, names in sorted(downloads.items()):
        for fmt, name in sorted(names.items()):
            text = W("site.download_item", what=W("downloads." + key), format=fmt.upper())
            buttons.append({"type": "link", "url": f"{root}downloads/{name}", "text": text, "icon": "fas fa-table",
                            "tooltip": text, "label": f"download-{key}-{fmt}-button"})
    return {"type": "group", "tooltip": W("site.download_menu"), "icon": "fas fa-download", "buttons": buttons,
            "label": "download-buttons"}


def edition_bar(pagename: str, year: int, outputs: list[dict], downloads: dict) -> str:
    """Links to the other editions (filled in by the site's editions.js) and to the downloads."""
    edition_root = "../" * pagename.count("/")
    site_root = edition_root + "../"
    from planbook.words import W

    e = html.escape
    links = [f'<a href="{edition_root}{e(o["file"])}" download>{e(o["text"])}</a>' for o in outputs]
    for key, names in sorted(downloads.items()):
        files = " / ".join(f'<a href="{edition_root}downloads/{e(name)}" download>{fmt.upper()}</a>'
                           for fmt, name in sorted(names.items()))
        links.append(f"{e(W('downloads.' + key))} {files}")
    return (f'<div class="pb-edition-bar"><div id="pb-editions" data-root="{site_root}" '
            f'data-page="{e(pagename)}.html" data-year="{int(year)}">{e(W("editions.bar_year", year=int(year)))}</div>'
            f'<div class="pb-downloads">{e(W("downloads.label"))}{" · ".join(links)}</div></div>'
            f'<script src="{site_root}editions.js"></script>')


# The theme's words that its templates leave in English, and what the page shows instead
# (attribute values only: text the reader sees or hears as a tooltip or label).
THEME_WORDS = {
    "Toggle primary sidebar": "theme.toggle_primary",
    "Toggle secondary sidebar": "theme.toggle_secondary",
    "System Settings": "theme.system_mode",
    "Color mode": "theme.color_mode",
    "Search...": "theme.search_placeholder",
    "Announcement": "theme.announcement",
    "Main": "theme.main_nav",
    "Page": "theme.page_nav",
    "Link to this heading": "theme.heading_link",
    "Skip to main content": "theme.skip",
    "Back to top": "theme.back_to_top",
}
_THEME_ATTR = re.compile(r'((?:title|aria-label|placeholder|data-bs-title)=")(' +
                         "|".join(re.escape(k) for k in THEME_WORDS) + r')(")')


def theme_words(page: str) -> str:
    """A page with the theme's English tooltips and labels in the report's language."""
    from planbook.words import W

    words = {k: html.escape(W(v), quote=True) for k, v in THEME_WORDS.items()}
    page = _THEME_ATTR.sub(lambda m: m.group(1) + words[m.group(2)] + m.group(3), page)
    for english in ("Skip to main content", "Back to top"):
        page = page.replace(f">{english}<", f">{words[english]}<")
    # The navigation's expand buttons show only an icon: give them a name.
    toggle = html.escape(W("theme.toggle_section"), quote=True)
    return page.replace('<summary><span class="toctree-toggle" role="presentation">',
                        f'<summary aria-label="{toggle}"><span class="toctree-toggle" role="presentation">')


def _index_text_only(app: Sphinx) -> None:
    """The search index takes an indicator page's text, not its raw HTML: the tables of values,
    sources and verdicts (the same words on 57 pages) would only make every page match
    every query, and cost a quarter of the pages' build. The page's name is its title."""
    builder = app.builder
    if getattr(builder.index_page, "_planbook", False):
        return
    original = builder.index_page

    def index_page(pagename: str, doctree, title: str) -> None:
        if not fnmatch(pagename, LIGHT_SIDEBAR):
            return original(pagename, doctree, title)
        from docutils import nodes

        raws = [(node.parent, node) for node in doctree.findall(nodes.raw) if node.parent is not None]
        places = [(parent, parent.index(node), node) for parent, node in raws]
        for parent, _, node in reversed(places):
            parent.remove(node)
        try:
            return original(pagename, doctree, title)
        finally:
            for parent, index, node in places:
                parent.insert(index, node)

    index_page._planbook = True
    builder.index_page = index_page


def _translate_templates(app: Sphinx) -> None:
    templates = app.builder.templates
    if getattr(templates.render, "_planbook", False):
        return
    original = templates.render

    def render(template: str, context: dict) -> str:
        return theme_words(original(template, context))

    render._planbook = True
    templates.render = render


# Sphinx's Chinese search indexes the words jieba finds (森林, 覆盖率) but splits a query only at
# spaces and punctuation, so a name typed as one word (污水处理率) matched nothing. This splitter
# (Sphinx puts a search language's splitter into language_data.js) cuts each Chinese run of the
# query into words the index holds — the words jieba made — using as many characters and as
# few words as it can; a run that is itself an indexed word is kept whole.
JS_SPLITTER = r"""
// A page opened from disk cannot fetch other pages for the results' summaries (each attempt
// would only log an error): from disk the results are listed without them.
if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
function splitQuery(query) {
  var parts = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter(function (t) { return t; });
  var index = (typeof Search !== "undefined" && Search._index) ? Search._index : null;
  if (!index) { return parts; }
  var has = Object.prototype.hasOwnProperty;
  var known = function (w) { return has.call(index.terms, w) || has.call(index.titleterms, w); };
  var words = [];
  parts.forEach(function (part) {
    var lower = part.toLowerCase();
    if (known(lower) || !/[\u3400-\u9fff]/.test(part)) { words.push(part); return; }
    var n = part.length, best = [{skipped: 0, count: 0, words: []}];
    for (var i = 1; i <= n; i++) {
      var prev = best[i - 1];
      best[i] = {skipped: prev.skipped + 1, count: prev.count, words: prev.words};
      for (var j = Math.max(0, i - 16); j <= i - 2; j++) {
        var w = lower.slice(j, i), b = best[j];
        if (!known(w)) { continue; }
        if (b.skipped < best[i].skipped || (b.skipped === best[i].skipped && b.count + 1 < best[i].count)) {
          best[i] = {skipped: b.skipped, count: b.count + 1, words: b.words.concat([w])};
        }
      }
    }
    var found = best[n].words;
    if (found.length) { words.push.apply(words, found); } else { words.push(part); }
  });
  return words;
}
"""


_SPLIT: dict[str, tuple[str, ...]] = {}


def _search_language():
    """Sphinx's Chinese search language with :data:`JS_SPLITTER` for the queries."""
    from sphinx.search.zh import SearchChinese

    class SearchChineseByIndex(SearchChinese):
        js_splitter_code = JS_SPLITTER

        def stem(self, word: str) -> str:
            # A word without a Latin letter (Chinese, a number) is its own stem: the English
            # stemmer, run on every word, leaves it as it is (and took a tenth of the indexing).
            return word if not LATIN.search(word) else super().stem(word)

        def split(self, input: str) -> list[str]:
            # The same texts recur on many pages (headings, notes, the marks' explanations):
            # jieba cuts each once per build.
            words = _SPLIT.get(input)
            if words is None:
                words = _SPLIT[input] = tuple(super().split(input))
            return list(words)

    return SearchChineseByIndex


def canonical_svg(text: str) -> str:
    """Sort the glyph definitions of a dvisvgm SVG: dvisvgm writes them in an order that
    changes from run to run, which would make the math images (and pages) differ between builds."""
    def sort_defs(m: re.Match) -> str:
        lines = m.group(2).strip("\n").split("\n")
        if not all(re.fullmatch(r"<path id='[^']+' d='[^']*'/>", line) for line in lines):
            return m.group(0)
        return m.group(1) + "\n".join(sorted(lines)) + "\n" + m.group(3)

    return re.sub(r"(<defs>\n)(.*?)(</defs>)", sort_defs, text, flags=re.S)


def _patch_imgmath() -> None:
    """Two changes to sphinx.ext.imgmath: its SVGs are made deterministic (:func:`canonical_svg`),
    and with PLANBOOK_MATH_CACHE set, a formula rendered once is kept there and not rendered
    again by a later build (the file name is imgmath's own: a hash of the LaTeX it typesets)."""
    from hashlib import sha1

    from sphinx.ext import imgmath

    if getattr(imgmath.render_math, "_planbook", False):
        return
    original_convert, original_render = imgmath.convert_dvi_to_svg, imgmath.render_math

    def convert(dvipath, builder, out_path):
        depth = original_convert(dvipath, builder, out_path)
        svg = Path(out_path)
        if svg.is_file():
            svg.write_text(canonical_svg(svg.read_text("utf-8")), encoding="utf-8")
        return depth

    def render(self, math: str):
        cache = os.environ.get("PLANBOOK_MATH_CACHE")
        builder = self.builder
        image_format = builder.config.imgmath_image_format.lower()
        if not cache or image_format not in imgmath.SUPPORT_FORMAT:
            return original_render(self, math)
        latex = imgmath.generate_latex_macro(image_format, math, builder.config, builder.confdir)
        name = f"{sha1(latex.encode(), usedforsecurity=False).hexdigest()}.{image_format}"
        generated, cached = Path(builder.outdir, builder.imagedir, "math", name), Path(cache, name)
        if not generated.is_file() and cached.is_file():
            if cached.read_bytes().rstrip().endswith(b"</svg>"):
                generated.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(cached, generated)
            else:  # a damaged entry: rendered again below
                cached.unlink(missing_ok=True)
        result = original_render(self, math)
        if result[0] and not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{name}.{os.getpid()}")
            shutil.copyfile(result[0], tmp)
            os.replace(tmp, cached)
        return result

    render._planbook = True
    imgmath.convert_dvi_to_svg = convert
    imgmath.render_math = render


# Pages whose sidebar lists the book's chapters only (pb-sidebar-indicators.html): the theme
# resolves the whole table of contents for every page's sidebar, which for 57 indicator pages
# cost more than writing them.
LIGHT_SIDEBAR = "generated/indicators/*"


def _config_inited(app: Sphinx, config) -> None:
    # Our template overrides (the theme's macros without fontawesome.js) come first.
    config.templates_path.insert(0, str(ASSETS / "templates"))
    config.html_sidebars = {**(config.html_sidebars or {}), LIGHT_SIDEBAR: [
        "navbar-logo.html", "search-button-field.html", "pb-sidebar-indicators.html"]}


def _sidebar_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """What pb-sidebar-indicators.html shows (set before the theme renders the sidebar)."""
    if fnmatch(pagename, LIGHT_SIDEBAR):
        from planbook.words import W

        context["planbook_sidebar"] = _chapters(app)
        context["planbook_sidebar_current"] = pagename.rsplit("/", 1)[0]  # the pages' index: generated/indicators
        context["planbook_words"] = {"nav_label": W("theme.main_nav")}


def _chapters(app: Sphinx) -> list[tuple[str, str]]:
    """The book's top-level pages (docname, title) in the order of the table of contents."""
    cached = app.__dict__.get("_planbook_chapters")
    if cached is None:
        env, root = app.env, app.config.root_doc
        docs = [root] + [d for d in env.toctree_includes.get(root, [])]
        cached = [(d, env.titles[d].astext()) for d in docs if d in env.titles]
        app.__dict__["_planbook_chapters"] = cached
    return cached


# The theme renders every sidebar and header component once more on each page only to drop those
# that come out empty; these never do (the book's sidebar, its logo and search, the header's
# buttons), and their second rendering was an eighth of a page's writing.
NEVER_EMPTY = ("navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html", "pb-sidebar-indicators.html",
               "toggle-primary-sidebar.html", "article-header-buttons.html")


def _skip_empty_checks() -> None:
    from pydata_sphinx_theme import utils

    original = utils._update_and_remove_templates
    if getattr(original, "_planbook", False):
        return

    def update_and_remove(app, context, templates, section, templates_skip_empty_check=None):
        return original(app, context, templates, section, [*(templates_skip_empty_check or ()), *NEVER_EMPTY])

    update_and_remove._planbook = True
    utils._update_and_remove_templates = update_and_remove


SEARCH_INDEX = "searchindex.js"


def escape_search_titles(text: str) -> str:
    """A ``searchindex.js`` whose titles are HTML-escaped. Sphinx stores the pages' and sections'
    titles as plain text, and its search page inserts them with ``innerHTML``: a title from data
    (an indicator's or a department's name) holding ``<img onerror=…>`` would run as script from
    a search link. Escaped, it shows as the text it is."""
    prefix, suffix = "Search.setIndex(", ")"
    body = text.strip()
    if not (body.startswith(prefix) and body.endswith(suffix)):
        raise ValueError(f"{SEARCH_INDEX} is not a Search.setIndex(...) call")
    index = json.loads(body[len(prefix):-len(suffix)])

    def esc(value: str) -> str:  # unescaped first: an index Sphinx read back is not escaped twice
        return html.escape(html.unescape(value), quote=False)

    index["titles"] = [esc(t) for t in index.get("titles", [])]
    index["alltitles"] = {esc(k): v for k, v in index.get("alltitles", {}).items()}
    return prefix + json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + suffix


def _build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / SEARCH_INDEX
    if path.is_file():
        path.write_text(escape_search_titles(path.read_text("utf-8")), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("planbook_demo_banner", "", "html")
    app.add_config_value("planbook_draft_banner", "", "html")  # 征求意见稿 (planbook build --draft)
    # The edition's output files beside the site, in menu order: [{key, file, text, tooltip, icon}].
    app.add_config_value("planbook_outputs", [], "html")
    app.add_config_value("planbook_edition_year", 0, "html")
    app.add_config_value("planbook_downloads", {}, "html")  # {key: {csv: name, xlsx: name}}
    _patch_imgmath()
    _skip_empty_checks()
    app.add_search_language(_search_language())
    app.connect("config-inited", _wait_for_sources, priority=100)  # before sphinx-external-toc's
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("env-before-read-docs", _env_before_read_docs)
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _collect_math)
    app.connect("html-page-context", _sidebar_context, priority=100)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("build-finished", _build_finished)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
