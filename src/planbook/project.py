"""Where the project is: the folder with ``_config.yml`` and ``data/`` (no heavy imports)."""

from __future__ import annotations

from pathlib import Path

from planbook.errors import InputError, Problem


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``_config.yml`` and ``data/`` (searched upwards from ``start``)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "data").is_dir():
            return folder
    # Installed from a checkout: the package sits in <root>/src/planbook.
    guess = Path(__file__).resolve().parents[2]
    if (guess / "_config.yml").is_file():
        return guess
    raise InputError([Problem(str(here), None, None, "not inside a planbook project (no _config.yml with a data/ folder found)")])


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: mappings merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def book_config(root: Path) -> dict:
    """The book's configuration: planbook's defaults with the project's ``_config.yml`` on top."""
    from importlib import resources

    import yaml

    defaults = yaml.safe_load(resources.files("planbook.site").joinpath("book-defaults.yml").read_text("utf-8"))
    try:
        own = yaml.safe_load((Path(root) / "_config.yml").read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError([Problem(str(Path(root) / "_config.yml"), None, None, f"cannot be read: {exc}")]) from None
    if not isinstance(own, dict):
        raise InputError([Problem(str(Path(root) / "_config.yml"), None, None, "expected a YAML mapping")])
    return _merge(defaults, own)


def chapters(root: Path) -> tuple[str, ...]:
    """The book's chapters made from notebooks, in the order of ``_toc.yml`` (``chapters/<name>``)."""
    import yaml

    try:
        toc = yaml.safe_load((Path(root) / "_toc.yml").read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError([Problem(str(Path(root) / "_toc.yml"), None, None, f"cannot be read: {exc}")]) from None
    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, dict):
            ref = node.get("file")
            if isinstance(ref, str) and ref.startswith("chapters/"):
                found.append(ref.split("/", 1)[1])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(toc)
    return tuple(dict.fromkeys(found))


def chapter_source(root: Path, chapter: str) -> Path:
    """The notebook a chapter of ``_toc.yml`` is made from: ``notebooks/<chapter>.md``."""
    own = Path(root) / "notebooks" / f"{chapter}.md"
    if not own.is_file():
        raise InputError([Problem(str(own), None, None, f"no notebook for the chapter {chapter!r} of _toc.yml: "
                                                        f"write notebooks/{chapter}.md or remove the chapter")])
    return own
