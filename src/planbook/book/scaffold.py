"""``planbook init DIR``: a new evaluation book, laid out like this project, for another plan.

The folder gets the project layout (``data/``, ``notebooks/``, ``book/``, ``_config.yml``,
``_toc.yml``, README) with a small EXAMPLE plan (made up: its text, catalogue, register,
departments, baseline data and a demo scenario), so that ``planbook check`` and
``planbook build --pdf``, run inside it, work at once. The chapters follow the catalogue's
dimensions: ``notebooks/<dimension>.md`` for each (from the package's chapter template), listed
in ``_toc.yml``. Replace the example with your plan's text and targets.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import yaml

from planbook.errors import InputError, Problem

TEMPLATE = "templates/init"
CHAPTER = "notebooks/chapter.md.in"  # one notebook per dimension is made from it


def chapter_notebook(template: str, dimension: dict) -> str:
    """A dimension's chapter notebook: the template with its id, name and analysis title."""
    analysis = (dimension.get("analysis") or {}).get("title_zh", "专题分析")
    return (template.replace("%chapter%", dimension["id"]).replace("%title%", dimension["name_zh"])
            .replace("%analysis%", analysis))


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


def init(folder: Path) -> list[Path]:
    """Write a new evaluation book into ``folder`` (which must not exist, or be empty); return the
    files written. The example's demo rows are generated from its scenario."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError([Problem(str(folder), None, None, "exists and is not empty: give a new folder")])
    template = resources.files("planbook").joinpath(TEMPLATE)
    written: list[Path] = []

    def copy(node, dest: Path) -> None:
        for item in node.iterdir():
            if item.name.startswith("__") or item.name.endswith(".in"):
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
        copy(template, folder)
        catalogue = yaml.safe_load((folder / "data" / "catalogue.yaml").read_text("utf-8"))
        chapter = template.joinpath(CHAPTER).read_text("utf-8")
        for dimension in catalogue["dimensions"]:
            target = folder / "notebooks" / f"{dimension['id']}.md"
            target.write_text(chapter_notebook(chapter, dimension), encoding="utf-8")
            written.append(target)
        toc = book_toc([d["id"] for d in catalogue["dimensions"]])
        text = ("# Chapter order lives only here. Paths are relative to book/; chapters/<name> is made from\n"
                "# notebooks/<name>.md.\n"
                + yaml.safe_dump(toc, allow_unicode=True, sort_keys=False))
        (folder / "_toc.yml").write_text(text, encoding="utf-8")
        (folder / ".gitignore").write_text(".venv/\n_build/\nbook/chapters/\nbook/generated/\n*.ipynb\n"
                                           ".ipynb_checkpoints/\n__pycache__/\n", encoding="utf-8")
        written += [folder / "_toc.yml", folder / ".gitignore"]
        from planbook.inputs.demo import write_demo

        written += write_demo(folder / "data")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return sorted(written)
