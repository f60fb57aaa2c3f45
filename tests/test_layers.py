"""The package's folders show the pipeline, and imports only run one way.

plan ← inputs ← assess ← report ← {book, site} ← build ← cli: a module may import its own
layer and the layers below it, never one above (deferred imports inside functions count too),
and the two presentation packages (book, site) do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "planbook"
# Foundation modules anyone may import.
FOUNDATION = {"planbook", "planbook.errors", "planbook.project", "planbook.words", "planbook.files",
              "planbook.spreadsheet", "planbook.myst_text",
              "planbook.tex_sandbox"}
LAYERS = {"plan": 1, "inputs": 2, "assess": 3, "report": 4, "book": 5, "site": 5, "build": 6, "cli": 7,
          "__main__": 7}


def layer_of(module: str) -> tuple[int, str]:
    if module in FOUNDATION:
        return 0, "foundation"
    part = module.split(".")[1]
    return LAYERS[part], part


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported(path: Path) -> list[str]:
    """Every planbook module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("planbook"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    # "from planbook.report import charts" imports a module; else a name of node.module.
                    found.append(full if (PACKAGE.parent / Path(*full.split("."))).with_suffix(".py").exists()
                                 else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; use planbook.… so the layer shows")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("planbook")]
    return found


def test_imports_run_one_way():
    upward, read = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        mine, my_part = layer_of(here)
        for target in imported(path):
            read += 1
            theirs, their_part = layer_of(target)
            if theirs > mine or (theirs == mine and their_part != my_part and mine == 5):
                upward.append(f"{here} imports {target}")
    assert read > 100  # the walk read the package's imports (a broken walk must not pass)
    assert upward == []


def test_the_worker_and_the_sphinx_extension_stay_light():
    """Processes that never draw a chart or read data must not import pandas or altair."""
    for name in ("build/worker.py", "site/sphinx_ext.py", "site/vega.py", "site/sphinx_run.py"):
        tree = ast.parse((PACKAGE / name).read_text("utf-8"))
        tops = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {a.name for n in tops for a in n.names} | {n.module for n in tops if isinstance(n, ast.ImportFrom)}
        assert not {"pandas", "altair"} & names, name
