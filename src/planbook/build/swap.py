"""The atomic swap of the published site (the hand-over of a copy is :mod:`planbook.build.publish`)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def _publish(staged: Path, target: Path) -> None:
    """Replace the published site in one atomic step.

    ``target`` (``_build/html``) is a symbolic link to a folder ``.site-<n>`` beside
    it; the new site is moved next to it and the link is swapped with a rename,
    which POSIX makes atomic: a reader sees either the old site or the new one.
    """
    out = target.parent
    n = 1 + max([int(p.name.split("-")[1]) for p in out.glob(".site-*") if p.name.split("-")[1].isdigit()] or [0])
    versioned = out / f".site-{n}"
    os.replace(staged, versioned)
    old = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():  # a plain folder from an earlier layout
        legacy = out / f".legacy-{n}"
        os.replace(target, legacy)
        old = legacy
    link = out / f".link-{n}"
    if link.is_symlink():
        link.unlink()
    os.symlink(versioned.name, link)
    os.replace(link, target)
    # Only a folder planbook made beside the link (.site-<n>, .legacy-<n>) is ever removed.
    if old is not None and old.exists() and old != versioned.resolve() and old.parent == out.resolve() \
            and re.fullmatch(r"\.(site|legacy)-\d+", old.name):
        shutil.rmtree(old, ignore_errors=True)
