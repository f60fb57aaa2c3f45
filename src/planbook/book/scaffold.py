"""``planbook init DIR``: a new evaluation book, laid out like this project, for another plan.

The folder gets the project layout (``data/``, ``notebooks/``, ``book/``, ``_config.yml``,
``_toc.yml``, README) with a small EXAMPLE plan (made up: its text, catalogue, register,
departments, baseline data and a demo scenario), so that ``planbook check`` and
``planbook build --pdf``, run inside it, work at once; or, with ``--from``, a team's own plan.
The chapters follow the catalogue's dimensions: ``notebooks/<dimension>.md`` for each, made by
:func:`chapter_notebook` from the package's one chapter template (the shipped book's too),
listed in ``_toc.yml``; ``planbook chapters`` makes them again when the dimensions change.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from importlib import resources
from pathlib import Path

import yaml

from planbook.errors import InputError, Problem

TEMPLATE = "templates/init"
CHAPTER = "templates/chapter.md.in"  # every chapter notebook of every book is made from it
# The first line of a chapter notebook made from the template: the digest of the notebook as it
# was made, so that `planbook chapters` knows a researcher's edits and leaves that file alone.
MARK = "% planbook chapters: made from the chapter template ({digest}); once edited, planbook chapters leaves it alone."
MARK_RE = re.compile(r"^% planbook chapters: made from the chapter template \(([0-9a-f]{12})\)[^\n]*\n", re.M)
TOC_HEAD = ("# Chapter order lives only here. Paths are relative to book/; chapters/<name> is made from\n"
            "# notebooks/<name>.md (one per dimension of the catalogue: `planbook chapters` writes them).\n"
            "# The root page (index) is the edition's results on one screen; the indicator pages hang below\n"
            "# generated/indicators. Neither is in the PDF (planbook.book.pdf.pdf_toc leaves them out).\n"
            "# A generated page with nothing to show (no areas, no departments...) is left out at build time.\n")


def _digest(text: str) -> str:
    return hashlib.sha256(MARK_RE.sub("", text, count=1).encode("utf-8")).hexdigest()[:12]


def _get(dimension, key: str, default=None):
    return dimension.get(key, default) if isinstance(dimension, dict) else getattr(dimension, key, default)


def chapter_notebook(dimension) -> str:
    """A dimension's chapter notebook (a catalogue ``Dimension`` or its mapping): the package's one
    chapter template with its id, label, name, and introduction (``intro_zh``, else a sentence
    made from the data at build time), marked with its digest."""
    template = resources.files("planbook").joinpath(CHAPTER).read_text("utf-8")
    ident = _get(dimension, "id")
    intro = (_get(dimension, "intro_zh") or "").strip() or "{glue:text}`chapter_intro`"
    text = (template.replace("%chapter%", ident).replace("%label%", ident.replace("_", "-"))
            .replace("%title%", _get(dimension, "name_zh")).replace("%intro%", intro))
    body = text.replace("%marker%\n", "")
    return text.replace("%marker%", MARK.format(digest=_digest(body)))


def edited(text: str) -> bool:
    """Whether a chapter notebook differs from what the template made (no mark: made by hand)."""
    found = MARK_RE.search(text)
    return found is None or found.group(1) != _digest(text)


def book_toc(dimensions: list[str]) -> dict:
    """The table of contents of a book: the edition's results as the landing page, the
    introduction, the overview, a chapter per dimension, the indicator pages, the views by
    department and area, then method and data."""
    return {
        "format": "jb-book",
        "root": "index",
        "parts": [
            {"caption": "评估报告", "chapters": [{"file": "intro"}, {"file": "chapters/overview"},
                                                *({"file": f"chapters/{d}"} for d in dimensions),
                                                {"file": "generated/indicators",
                                                 "sections": [{"glob": "generated/indicators/*"}]},
                                                {"file": "generated/departments"}, {"file": "generated/areas"}]},
            {"caption": "方法与数据", "chapters": [{"file": "methodology"}, {"file": "generated/amendments"},
                                                  {"file": "generated/data-appendix"}, {"file": "generated/colophon"}]},
        ],
    }


def toc_with_chapters(toc: dict, dimensions: list[str]) -> dict:
    """``toc`` with its chapters made from dimension notebooks replaced by ``dimensions`` (in that
    order, where the first of them stood, else after the overview); every other entry kept."""
    def is_dimension(entry) -> bool:
        ref = entry.get("file", "") if isinstance(entry, dict) else ""
        return ref.startswith("chapters/") and ref != "chapters/overview"

    new = {**toc, "parts": []}
    placed = False
    for part in toc.get("parts", []):
        entries, out = part.get("chapters", []), []
        for entry in entries:
            if is_dimension(entry):
                if not placed:
                    out += [{"file": f"chapters/{d}"} for d in dimensions]
                    placed = True
                continue
            out.append(entry)
        new["parts"].append({**part, "chapters": out})
    if not placed:
        for part in new["parts"]:
            refs = [e.get("file") for e in part["chapters"] if isinstance(e, dict)]
            if "chapters/overview" in refs:
                at = refs.index("chapters/overview") + 1
                part["chapters"][at:at] = [{"file": f"chapters/{d}"} for d in dimensions]
                break
    return new


def toc_text(toc: dict, dimensions: list[str]) -> str:
    if toc == book_toc(dimensions):
        return TOC_HEAD + yaml.safe_dump(toc, allow_unicode=True, sort_keys=False)
    return yaml.safe_dump(toc, allow_unicode=True, sort_keys=False)


def write_chapters(root: Path, dimensions=None) -> tuple[list[Path], list[Path]]:
    """Make ``notebooks/<dimension>.md`` for every dimension of the catalogue (``data/``), and
    ``_toc.yml``'s chapters to match; return (files written, notebooks of dimensions no longer in
    the catalogue). A notebook a researcher edited is never overwritten: InputError names it."""
    root = Path(root)
    if dimensions is None:
        from planbook.plan.catalogue import load_catalogue

        dimensions = load_catalogue(root / "data" / "catalogue.yaml").dimensions
    ids = [_get(d, "id") for d in dimensions]
    todo: dict[Path, str] = {}
    problems = []
    for dim in dimensions:
        path = root / "notebooks" / f"{_get(dim, 'id')}.md"
        text = chapter_notebook(dim)
        if path.is_file():
            old = path.read_text("utf-8")
            if old == text:
                continue
            if edited(old):
                problems.append(Problem(str(path), None, None,
                    "edited by hand: planbook chapters does not overwrite it (move it aside to have it made "
                    "again, or make the change by hand)"))
                continue
        todo[path] = text
    toc_path = root / "_toc.yml"
    try:
        toc = yaml.safe_load(toc_path.read_text("utf-8")) if toc_path.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(str(toc_path), None, None, f"cannot be read: {exc}"))
        toc = None
    if problems:
        raise InputError(problems)
    new_toc = toc_with_chapters(toc, ids) if isinstance(toc, dict) and toc.get("parts") else book_toc(ids)
    if new_toc != toc:
        todo[toc_path] = toc_text(new_toc, ids)
    for path, text in todo.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    stale = sorted(p for p in (root / "notebooks").glob("*.md") if p.stem not in ids and p.stem != "overview")
    return sorted(todo), stale


# What a new book from a team's own folder takes (``init --from``): these three are required.
REQUIRED = ("catalogue.yaml", "plan", "observations")
OPTIONAL = ("register.yaml", "departments.yaml", "amendments.yaml", "demo.yaml", "words.yaml", "progress",
            "commentary", "releases")


def init(folder: Path, source: Path | None = None) -> list[Path]:
    """Write a new evaluation book into ``folder`` (which must not exist, or be empty); return the
    files written. Without ``source``: the example plan, its demo rows generated from its
    scenario. With ``source``, a team's own folder holding at least ``catalogue.yaml``, ``plan/``
    and ``observations/`` (anything of :data:`OPTIONAL` too): its data, and a chapter per
    dimension of its catalogue, a ``_config.yml`` with its plan's title."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError([Problem(str(folder), None, None, "exists and is not empty: give a new folder")])
    if source is not None:
        source = Path(source)
        missing = [n for n in REQUIRED if not (source / n).exists()]
        if missing:
            raise InputError([Problem(str(source / n), None, None, "not found: a plan's folder needs "
                                      "catalogue.yaml, plan/ and observations/") for n in missing])
        from planbook.plan.catalogue import load_catalogue

        catalogue = load_catalogue(source / "catalogue.yaml")  # refused here, before anything is written
    template = resources.files("planbook").joinpath(TEMPLATE)
    written: list[Path] = []

    def copy(node, dest: Path, skip=()) -> None:
        for item in node.iterdir():
            if item.name.startswith("__") or item.name.endswith(".in") or item.name in skip:
                continue
            target = dest / item.name
            if item.is_dir():
                copy(item, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(item.read_bytes())
                written.append(target)

    folder.mkdir(parents=True, exist_ok=True)
    try:
        if source is None:
            copy(template, folder)
            from planbook.plan.catalogue import load_catalogue

            catalogue = load_catalogue(folder / "data" / "catalogue.yaml")
        else:
            copy(template, folder, skip=("data", "_config.yml"))
            for name in (*REQUIRED, *OPTIONAL):
                item = source / name
                if item.is_dir():
                    shutil.copytree(item, folder / "data" / name)
                    written += [p for p in (folder / "data" / name).rglob("*") if p.is_file()]
                elif item.is_file():
                    (folder / "data").mkdir(exist_ok=True)
                    shutil.copy2(item, folder / "data" / name)
                    written.append(folder / "data" / name)
            (folder / "_config.yml").write_text(book_config_text(catalogue.plan), encoding="utf-8")
            written.append(folder / "_config.yml")
        notebooks, _ = write_chapters(folder, catalogue.dimensions)
        written += notebooks
        (folder / ".gitignore").write_text(".venv/\n_build/\nbook/chapters/\nbook/generated/\n*.ipynb\n"
                                           ".ipynb_checkpoints/\n__pycache__/\n", encoding="utf-8")
        written.append(folder / ".gitignore")
        if source is None:
            from planbook.inputs.demo import write_demo

            written += write_demo(folder / "data")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return sorted(set(written))


def book_config_text(plan: dict) -> str:
    """A new book's ``_config.yml``: the plan's title, a working group of its place, its period."""
    period = plan.get("period") or {}
    years = f"{period['start']}–{period['end']}" if period else str(plan["base_year"])
    config = {
        "title": f"{plan['short_title_zh']}实施评估",
        "author": f"{plan['place_zh']}规划评估工作组",
        "copyright": years,
        "html": {"extra_footer": "本评估由 planbook 生成。数字均标注来源。"},
        "latex": {"latex_documents": {"targetname": "evaluation.tex"}},
    }
    return ("# The book's identity: what this evaluation book is called and who makes it. Everything else a\n"
            "# book needs comes from planbook's defaults; a key given here overrides the default of that key.\n"
            "# The PDF is named after latex.latex_documents.targetname: evaluation-<year>.pdf\n"
            + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


def chapter_problems(root: Path, dimensions) -> list[Problem]:
    """Where ``_toc.yml``, ``notebooks/`` and the catalogue's dimensions disagree (``planbook
    check``): a chapter of no dimension, a dimension without a chapter, a chapter without its
    notebook, a notebook that makes another dimension's chapter."""
    from planbook.project import chapters

    root = Path(root)
    ids = [_get(d, "id") for d in dimensions]
    listed = [c for c in chapters(root) if c != "overview"]
    toc, problems = str(root / "_toc.yml"), []
    for chapter in listed:
        if chapter not in ids:
            problems.append(Problem(toc, None, None, f"chapters/{chapter}: the catalogue has no dimension "
                                                     f"{chapter!r} (run planbook chapters, or remove the chapter)"))
    for ident in ids:
        if ident not in listed:
            problems.append(Problem(toc, None, None, f"the catalogue's dimension {ident!r} has no chapter "
                                                     f"(run planbook chapters)"))
    for chapter in [*(["overview"] if "overview" in chapters(root) else []), *listed]:
        path = root / "notebooks" / f"{chapter}.md"
        if not path.is_file():
            problems.append(Problem(str(path), None, None, f"not found: the chapter {chapter!r} of _toc.yml is "
                                                           f"made from it (run planbook chapters)"))
            continue
        named = re.findall(r"""\bChapter\(\s*["']([^"']+)["']""", path.read_text("utf-8", errors="replace"))
        if chapter != "overview" and chapter in ids and named and any(n != chapter for n in named):
            problems.append(Problem(str(path), None, None, f"makes the chapter of dimension {named[0]!r}, not "
                                                           f"{chapter!r} (its file name)"))
    return problems
