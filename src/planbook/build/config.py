"""An edition's Jupyter Book configuration: the book's ``_config.yml`` plus what depends on the edition."""

from __future__ import annotations

from pathlib import Path

from planbook.project import book_config


def draft_watermark(text: str) -> str:
    """LaTeX preamble lines that print ``text`` diagonally across every page of the PDF."""
    from planbook.book.pdf import tex_escape

    return ("\n\\usepackage{draftwatermark}\n\\SetWatermarkText{\\sffamily " + tex_escape(text) + "}\n"
            "\\SetWatermarkScale{0.9}\n\\SetWatermarkColor[gray]{0.85}\n")


def edition_config(root: Path, edition, files: dict[str, str] | None = None) -> dict:
    """_config.yml plus what depends on the edition: title, date, demo banner, the links to its
    output ``files`` ({key: name}, :mod:`planbook.book.outputs`); for a draft
    (``planbook build --draft``) a 征求意见稿 banner on every page and a watermark on every PDF page."""
    from planbook.book.outputs import menu_entries
    from planbook.words import W

    data, year, draft = edition.data, edition.year, edition.draft

    config = book_config(root)
    config.pop("planbook", None)  # planbook's own settings (PDF layout): not Jupyter Book's
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    # The project's footer (html.extra_footer, Jupyter Book's key) goes to the theme directly:
    # Jupyter Book would drop it once the build sets a theme option of its own (the banners).
    footer = (config.get("html") or {}).pop("extra_footer", None)
    if data.has_demo(year):  # demo wording only in an edition that shows demo values
        footer = (footer or "") + W("demo.footer")
    if footer:
        sphinx_config.setdefault("html_theme_options", {}).setdefault("extra_footer", footer)
    kind = data.catalogue.edition_kind(year)
    config["title"] = W("edition.title_annual" if kind == "annual" else "edition.title", title=config["title"],
                        year=year, kind=W(f"edition_kind.{kind}"))
    # The report date comes from the data (the edition year), never from the build clock.
    sphinx_config["today"] = W("edition.today", year=year)
    sphinx_config["html_last_updated_fmt"] = None
    from planbook.book.downloads import download_names

    sphinx_config["planbook_edition_year"] = year
    sphinx_config["planbook_downloads"] = download_names(year)
    sphinx_config["planbook_outputs"] = menu_entries(files or {})
    if data.has_demo(year):
        sphinx_config["planbook_demo_banner"] = W("demo.banner")
    if draft:
        sphinx_config["planbook_draft_banner"] = W("draft.banner")
        elements = sphinx_config.setdefault("latex_elements", {})
        elements["preamble"] = elements.get("preamble", "") + draft_watermark(W("draft.watermark"))
    banners = [sphinx_config.get(k) for k in ("planbook_draft_banner", "planbook_demo_banner")]
    if any(banners):
        theme = sphinx_config.setdefault("html_theme_options", {})
        theme["announcement"] = "　".join(b for b in banners if b)
    return config
