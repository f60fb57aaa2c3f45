"""Input files as they were read: the exact bytes a command worked from.

Every input (the catalogue, the plan text, each observation file) is read once, through
:func:`read_input`, which bounds what it reads and turns what the file system can do to
a path (a folder where a file should be, a link to nothing, a file that cannot be read)
into a :class:`~planbook.errors.Problem` naming the path. The bytes are kept with the
path (:class:`InputFile`), so that checksums, cache keys and the snapshot a build works
from (:meth:`planbook.inputs.dataset.DataSet.snapshot`) describe exactly what was validated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from planbook.errors import InputError, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """One input file: where it was read, and its bytes at that moment."""

    path: Path
    data: bytes = field(repr=False, compare=False)
    year: int | None = None  # the year of an observation file

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_input(path: Path, name: str, limit: int, what: str = "data") -> bytes:
    """The bytes of ``path`` (at most ``limit``); raise InputError naming ``name`` otherwise.

    ``what`` says what the file should be, for the message (``data``, ``catalogue`` …).
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError([Problem(name, None, None, f"is a folder, not a {what} file: rename or remove it")])
        if not path.exists():
            if path.is_symlink():
                raise InputError([Problem(name, None, None, f"is a link to a missing file ({path.readlink()}): "
                                                            "remove the link or restore its target")])
            raise InputError([Problem(name, None, None, f"{what} file not found")])
        if path.stat().st_size > limit:
            raise InputError([Problem(name, None, None, too_large(path.stat().st_size, limit, what))])
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot be read ({exc.strerror or exc}): check the file "
                                                    "and its permissions")]) from None
    if len(data) > limit:  # grew while being read
        raise InputError([Problem(name, None, None, too_large(len(data), limit, what))])
    return data


def too_large(size: int, limit: int, what: str) -> str:
    return (f"{size / MB:.1f} MB is more than a {what} file can be ({limit / MB:g} MB at most): "
            "is it the right file? Remove blank rows or other content")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes as they are now (to compare with a recorded checksum)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


DATA_LOCK = ".planbook-lock"


def exclusive_lock(path: Path, waiting, what: str) -> int:
    """An exclusive ``flock`` on ``path`` (made if need be), its file descriptor open. When another
    process holds it, ``waiting(holder)`` is called once (holder: what that process wrote in the
    file) and the call waits for it. The file then says who holds it: ``pid N, what`` (``pid N``
    without ``what``)."""
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, (f"pid {os.getpid()}, {what}" if what else f"pid {os.getpid()}").encode() + b"\n", 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


class DataLock:
    """``with DataLock(data_dir, say):`` — one writer of a data folder's inputs at a time.

    ``ingest``, ``demo``, ``release`` and ``commentary`` read a year's file, merge and write it
    back: two at once (two departments' forms for the same year) would each write what it read,
    and one department's values would be gone. Each holds an exclusive ``flock`` on
    ``<data>/.planbook-lock`` from before it reads until after it has written; a second writer
    waits for it (saying so once, through ``say``) and then reads what the first one wrote. The
    kernel releases the lock of a process that dies: nothing stale keeps a writer waiting.
    """

    def __init__(self, data_dir: Path, say=None, what: str = "planbook"):
        self.path = Path(data_dir) / DATA_LOCK
        self.say = say or (lambda message: None)
        self.what = what
        self.fd: int | None = None

    def __enter__(self) -> "DataLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = exclusive_lock(self.path, lambda holder: self.say(
            f"waiting: another planbook command ({holder}) is writing to {self.path.parent}; "
            "this one goes on when it has finished (Ctrl-C to give up)"), self.what)
        return self

    def __exit__(self, *exc) -> None:
        import os

        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
