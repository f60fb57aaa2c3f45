"""Hand the published site over: a self-contained copy of it, or one zip archive.

``_build/html`` is a link to the folder the last build published (see
:func:`planbook.build.swap._publish`); what goes to an intranet web server, a shared drive or
a USB stick must be the files themselves. :func:`publish` copies every edition (pages, PDF,
Word copy, downloads), the root page and the edition switcher, with no links left, and adds a
short reading note (``使用说明.txt``) for whoever receives it. Every page links only to files
inside the copy, so it works opened from disk (``file://``) as well as served.

The copy is taken under the output folder's build lock, so a build publishing at the same time
cannot change the site halfway through the copy; it is written beside its destination and
moved into place when complete. The zip is deterministic: members sorted, dated the end of
the latest edition's year.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from planbook.errors import BuildError

MARKER = ".planbook-publish"  # in a copy planbook made: it may be replaced by the next one


@dataclass(frozen=True)
class Handover:
    site: Path  # the published site that was copied
    editions: list[int]
    files: int
    folder: Path | None
    archive: Path | None


def check_site(site: Path) -> list[dict]:
    """The editions of the published ``site``, each with the files its record names present."""
    from planbook.book.editions import read_editions
    from planbook.book.outputs import recorded_files

    if not (site / "index.html").is_file():
        raise BuildError(f"no published site at {site}: build it first (planbook build --all --pdf)")
    records = read_editions(site)
    for r in records:
        folder = site / str(r["year"])
        names = ["index.html", *recorded_files(r).values()]
        names += [f"downloads/{n}" for d in (r.get("downloads") or {}).values() for n in d.values()]
        missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            raise BuildError(f"{folder}: {', '.join(missing)} missing from the published edition: "
                             f"rebuild it (planbook build --year {r['year']} --pdf)")
    return records


def publish(site: Path, to: Path | None = None, archive: Path | None = None) -> Handover:
    """Copy the published ``site`` (``_build/html``) into the folder ``to`` and/or the zip ``archive``."""
    from planbook.build.lock import BuildLock

    site = Path(site)
    with BuildLock(site.parent, lambda message: None):
        real = site.resolve()
        records = check_site(real)
        for target in (t for t in (to, archive) if t is not None):
            if Path(target).resolve().is_relative_to(real):
                raise BuildError(f"{target} is inside the site it would copy: choose a folder outside {site}")
        # Everything that would be refused is refused before anything is copied.
        if archive is not None:
            _check_archive(Path(archive))
        if to is not None:
            _check_folder(Path(to))
        _clean_leftovers(site.parent, "handover")  # copies a killed publish left (the lock is ours)
        staging = Path(tempfile.mkdtemp(prefix=".handover-", dir=site.parent))
        try:
            copy = staging / "site"
            shutil.copytree(real, copy, symlinks=False, ignore=shutil.ignore_patterns(".*"))
            _write_note(copy, records)
            files = sum(1 for p in copy.rglob("*") if p.is_file())
            if archive is not None:
                _write_zip(copy, Path(archive), max(r["year"] for r in records) if records else 2000)
            if to is not None:
                _place(copy, Path(to))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Handover(site, [r["year"] for r in records], files, Path(to) if to else None,
                    Path(archive) if archive else None)


def _write_note(copy: Path, records: list[dict]) -> None:
    """使用说明.txt: how to open the copy, for whoever receives it."""
    from planbook.words import W

    import html
    import re

    years = W("enum_sep").join(str(r["year"]) for r in records)
    found = re.search(r"<title>(.*?)</title>", (copy / "index.html").read_text("utf-8"), re.S)
    title = html.unescape(found.group(1)).split(" · ")[0].strip() if found else ""
    (copy / W("publish.note_name")).write_text(W("publish.note", title=title, years=years) + "\n", encoding="utf-8")
    (copy / MARKER).write_text("planbook\n", encoding="utf-8")


ZIP_COMMENT = b"planbook handover"  # in every archive planbook writes: it may be replaced by the next one


def _check_archive(archive: Path) -> None:
    """``--zip FILE`` may write a new file, or replace an archive planbook wrote; nothing else."""
    if archive.is_dir():
        raise BuildError(f"{archive} is a folder: give --zip the name of an archive to write (e.g. 评估.zip); "
                         "nothing was written")
    if archive.exists():
        try:
            with zipfile.ZipFile(archive) as zf:
                ours = zf.comment == ZIP_COMMENT
        except (zipfile.BadZipFile, OSError):
            ours = False
        if not ours:
            raise BuildError(f"{archive} exists and is not an archive planbook wrote: choose another name, or "
                             "remove it; nothing was written")


def _check_folder(to: Path) -> None:
    """``--to DIR`` may be a new or empty folder, or one planbook published to before."""
    real = to.resolve()
    if real.exists() and not real.is_dir():
        raise BuildError(f"{to} is not empty and not a copy planbook published: choose a new folder, or remove it")
    if real.is_dir() and any(p for p in real.iterdir() if not _leftover(p.name, "incoming", "old")) \
            and not (real / MARKER).is_file():
        raise BuildError(f"{to} is not empty and not a copy planbook published: choose a new folder, or remove it")


def _leftover(name: str, *kinds: str) -> bool:
    return any(re.fullmatch(rf"\.(.+\.)?{kind}-[^/]+", name) for kind in kinds)


def _clean_leftovers(folder: Path, *kinds: str) -> None:
    """Remove what a killed publish left in ``folder`` (names planbook gives its own temporary copies)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink() and _leftover(path.name, *kinds):
            shutil.rmtree(path, ignore_errors=True)


def _place(copy: Path, to: Path) -> None:
    """Move the finished copy to ``to``: a new or empty folder, or one planbook published before
    (replaced); anything else is refused, so no one's folder is overwritten.

    ``to`` may be a symbolic link (to a mounted share, say) or a mount point itself: then the
    copy goes into the folder it names, file by file (each file written whole), and the link or
    mount stays as it is. Otherwise the new copy replaces the old one in one rename."""
    _check_folder(to)
    real = to.resolve()
    if to.is_symlink() or (real.is_dir() and os.path.ismount(real)):
        _sync_into(copy, real)
        return
    to = real
    to.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(to.parent, f"{re.escape(to.name)}.incoming", f"{re.escape(to.name)}.old")
    incoming = Path(tempfile.mkdtemp(prefix=f".{to.name}.incoming-", dir=to.parent))
    os.rmdir(incoming)
    shutil.copytree(copy, incoming)  # across file systems (a USB stick) a move is a copy anyway
    old = None
    if to.exists():
        old = to.with_name(f".{to.name}.old-{os.getpid()}")
        os.replace(to, old)
    os.replace(incoming, to)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _sync_into(copy: Path, folder: Path) -> None:
    """Make ``folder`` (a folder planbook published to, or an empty one) hold exactly ``copy``:
    every file written beside its place and renamed, then what the new copy no longer has removed.
    The marker stays (or comes last, into an empty folder): a copy interrupted halfway is still
    planbook's, and the next ``publish`` completes it."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        if rel.name == MARKER:
            continue
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.incoming-{os.getpid()}")
        shutil.copyfile(copy / rel, tmp)
        os.replace(tmp, target)
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    shutil.copyfile(copy / MARKER, folder / MARKER)


# The archive's top folder: its name, unless that is no name a folder can safely have.
_SAFE_TOP = re.compile(r"[^/\\\x00-\x1f]+")
DEFAULT_TOP = "site"


def archive_top(archive: Path) -> str:
    """The top folder of the archive: the archive's name without ``.zip`` — or :data:`DEFAULT_TOP`
    when that would climb out of the folder it is unzipped in (``..``) or is empty."""
    top = archive.name[:-4] if archive.name.lower().endswith(".zip") else archive.stem
    top = top.strip()
    if not top or top.strip(".") == "" or not _SAFE_TOP.fullmatch(top):
        return DEFAULT_TOP
    return top


def _write_zip(copy: Path, archive: Path, year: int) -> None:
    """One archive with a top folder (named like the archive), members sorted and dated the end
    of ``year``: the same site gives the same bytes."""
    stamp = datetime(year, 12, 31).timetuple()[:6]
    top = archive_top(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f".{archive.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.comment = ZIP_COMMENT
            for path in sorted(copy.rglob("*")):
                rel = path.relative_to(copy).as_posix()
                if path.is_dir():
                    continue
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes())
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)  # a failed write leaves no site-sized leftover
