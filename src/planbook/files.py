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
