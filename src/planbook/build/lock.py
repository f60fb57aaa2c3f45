"""One build at a time in an output folder, and the clean-up of builds that were killed.

``planbook build`` holds an exclusive ``flock`` on ``<out>/.lock`` from before it reads
the published site until after it has published. A second build in the same folder
waits for it (saying so once) and then starts from what the first one published, so no
publish can revert another. The lock is also held by the build's notebook workers and
Sphinx processes (they inherit it): if the build is killed with ``kill -9``, the next
build waits until every process of the killed one has gone, then removes what the killed
build left (:func:`clean_stale`). The kernel releases the lock of a dead process itself:
nothing stale can keep a later build waiting.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Callable

from planbook.files import exclusive_lock

LOCK_NAME = ".lock"
_HELD: list[int] = []


def inherited_fds() -> tuple[int, ...]:
    """File descriptors a build's child processes keep open: the build's lock."""
    return tuple(_HELD)


class BuildLock:
    """``with BuildLock(out, log):`` — hold the output folder's lock (waiting for it if needed)."""

    def __init__(self, out: Path, log: Callable[[str], None]):
        self.path = Path(out) / LOCK_NAME
        self.log = log
        self.fd: int | None = None

    def __enter__(self) -> BuildLock:
        waited = []

        def waiting(holder: str) -> None:
            waited.append(holder)
            self.log(f"waiting: another planbook build ({holder}) is using {self.path.parent}; "
                     "this one starts when it has finished (Ctrl-C to give up)")

        fd = exclusive_lock(self.path, waiting, "")
        if waited:
            self.log("the other build has finished: starting")
        self.fd = fd
        _HELD.append(fd)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            _HELD.remove(self.fd)
            os.close(self.fd)  # released once the build's children (which inherited it) are gone too
            self.fd = None


OUTPUT_MARKER = ".planbook-output"  # in an output folder planbook builds into


def claim_output(out: Path) -> None:
    """Make sure ``out`` is a folder planbook may build into, and mark it as such.

    ``out/html`` is replaced by every build (a link to the published site): when it exists and was
    not made by planbook (``--out /var/www`` holding a web root), the build is refused before any
    work, naming it. A folder with :data:`OUTPUT_MARKER` is planbook's; the marker is written on
    first use. Nothing planbook did not make is ever deleted or replaced.
    """
    from planbook.errors import BuildError

    out = Path(out)
    marker = out / OUTPUT_MARKER
    if marker.is_file():
        return
    out.mkdir(parents=True, exist_ok=True)
    html = out / "html"
    ours = (html.is_symlink() and re.fullmatch(r"\.site-\d+", os.readlink(html) or "") is not None) or \
        _planbook_site(html)
    if (html.exists() or html.is_symlink()) and not ours:
        raise BuildError(f"{html} exists and was not made by planbook: it would be replaced by the site; "
                         "nothing was built — choose another --out, or move it away")
    marker.write_text("planbook builds into this folder: html/ (a link to the published site), cache/, logs/\n",
                      encoding="utf-8")


def _planbook_site(folder: Path) -> bool:
    """A plain folder holding a site planbook built (an earlier layout of the output folder, or a
    copy of it): its edition switcher and an edition's record are there."""
    return (not folder.is_symlink() and folder.is_dir() and (folder / "editions.js").is_file()
            and any(folder.glob("[0-9][0-9][0-9][0-9]/edition.json")))


def clean_stale(out: Path) -> list[Path]:
    """Remove what killed builds left in ``out``: staging folders, site folders that are not
    the published one, half-made links, unfinished cache files. Call it only while holding
    the lock: then no live build owns any of them. Returns what was removed."""
    out = Path(out)
    if not (out / OUTPUT_MARKER).is_file():  # not planbook's: nothing in it is ours to remove
        return []
    published = out / "html"
    current = published.resolve() if published.is_symlink() else None
    removed: list[Path] = []
    for pattern in (".stage-*", ".site-*", ".legacy-*", ".link-*"):
        for path in sorted(out.glob(pattern)):
            if current is not None and path.resolve() == current:
                continue
            if path.is_symlink() or not path.is_dir():
                path.unlink(missing_ok=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    cache = out / "cache"
    for pattern in ("notebooks/.*", "png/.*", "math/.*"):
        for path in sorted(cache.glob(pattern)):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
