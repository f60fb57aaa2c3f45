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

import fcntl
import os
import shutil
from pathlib import Path
from typing import Callable

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
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                self.log(f"waiting: another planbook build ({holder}) is using {self.path.parent}; "
                         "this one starts when it has finished (Ctrl-C to give up)")
                fcntl.flock(fd, fcntl.LOCK_EX)
                self.log("the other build has finished: starting")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        _HELD.append(fd)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            _HELD.remove(self.fd)
            os.close(self.fd)  # released once the build's children (which inherited it) are gone too
            self.fd = None


def clean_stale(out: Path) -> list[Path]:
    """Remove what killed builds left in ``out``: staging folders, site folders that are not
    the published one, half-made links, unfinished cache files. Call it only while holding
    the lock: then no live build owns any of them. Returns what was removed."""
    out = Path(out)
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
