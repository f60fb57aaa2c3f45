"""Hand the published site over: a self-contained copy of it, or one zip archive.

``_build/html`` is a link to the folder the last build published (see
:func:`planbook.build.pipeline._publish`); what goes to an intranet web server, a shared drive or
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

    if not (site / "index.html").is_file():
        raise BuildError(f"no published site at {site}: build it first (planbook build --all --pdf)")
    records = read_editions(site)
    for r in records:
        folder = site / str(r["year"])
        names = ["index.html", *(r.get(k) for k in ("pdf", "docx") if r.get(k))]
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


def _place(copy: Path, to: Path) -> None:
    """Move the finished copy to ``to``: a new or empty folder, or one planbook published before
    (replaced); anything else is refused, so no one's folder is overwritten."""
    if to.exists() and not to.is_dir():
        raise BuildError(f"{to} is not empty and not a copy planbook published: choose a new folder, or remove it")
    if to.is_dir() and any(to.iterdir()) and not (to / MARKER).is_file():
        raise BuildError(f"{to} is not empty and not a copy planbook published: choose a new folder, or remove it")
    to.parent.mkdir(parents=True, exist_ok=True)
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


def _write_zip(copy: Path, archive: Path, year: int) -> None:
    """One archive with a top folder (named like the archive), members sorted and dated the end
    of ``year``: the same site gives the same bytes."""
    stamp = datetime(year, 12, 31).timetuple()[:6]
    top = archive.stem
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f".{archive.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(copy.rglob("*")):
            rel = path.relative_to(copy).as_posix()
            if path.is_dir():
                continue
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    os.replace(partial, archive)
