"""TeX runs that cannot read or write files outside their folder, run commands, or run forever.

Formulas of the book — the method's, and any a commentary writes — are typeset by TeX: by
``latex`` (Sphinx's imgmath, one small document per formula, for the website) and by XeLaTeX
(the PDF). TeX can ``\\input`` any file and loop forever (``\\def\\x{\\x}\\x``). The text a formula
may hold is checked before any build (:mod:`planbook.myst_text`); this module closes the rest at
run time, with kpathsea's own switches and a time limit:

* ``openin_any=p`` / ``openout_any=p`` (paranoid): no file outside the working folder and TeX's
  own tree is read or written (``/etc/hostname`` is refused: "Not reading from …");
* ``shell_escape=f``: ``\\write18`` never runs a command;
* a run is stopped after :data:`FORMULA_SECONDS` (a formula) or :data:`DOCUMENT_SECONDS` (a PDF
  pass), so a build never hangs while holding its lock.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

FORMULA_SECONDS = 60
DOCUMENT_SECONDS = 600
SANDBOX = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}
WRAPPED = "latex"  # the program imgmath runs (imgmath_latex)


def sandbox_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with TeX's file access closed and shell escape off."""
    return {**(os.environ if env is None else env), **SANDBOX}


def wrapper_dir(folder: Path) -> Path:
    """A folder holding a ``latex`` that runs the real one sandboxed and with a time limit; put it
    first on the PATH of a Sphinx process and imgmath's formulas are typeset through it."""
    folder = Path(folder)
    real = None
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and Path(entry).resolve() != folder.resolve():
            found = shutil.which(WRAPPED, path=entry)
            if found:
                real = found
                break
    if real is None:  # no TeX: imgmath reports it as usual
        return folder
    script = "\n".join(["#!/bin/sh", *(f"{k}={v}; export {k}" for k, v in SANDBOX.items()),
                        f"exec timeout -k 5 {FORMULA_SECONDS} '{real}' \"$@\"", ""])
    path = folder / WRAPPED
    if not path.is_file() or path.read_text("utf-8") != script:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{WRAPPED}.{os.getpid()}"
        tmp.write_text(script, encoding="utf-8")
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmp, path)
    return folder
