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
