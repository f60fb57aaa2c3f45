"""What a build may skip: keys over everything an output depends on.

* A chapter notebook's output depends on its source, the package code, the
  catalogue and plan text, the observations it reads (its dimension's series and
  the context series, up to the report year), the years with data, whether any
  shown value is demo data, the data folder, the researchers' commentary on that
  chapter for that edition, and — for the overview — the file the previous
  edition published.  Paths are taken relative to the project (:func:`where`): a moved or
  copied checkout has the same keys.  Its key hashes all of these; an executed
  notebook is reused only under the same key.
* An edition depends on its notebooks' keys, the hand-written pages, the
  configuration and table of contents, the PDF switch, the draft mark and the package code.
  When its key equals the one recorded in the published ``edition.json``, the
  edition is kept as it is.

Hashing is cheap next to executing a notebook; a missed dependency would be a
stale page, so tests/test_cache.py changes each input in turn.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from pathlib import Path

from planbook import __version__
from planbook.inputs.dataset import DataSet
from planbook.project import chapter_source

PACKAGE = Path(__file__).parents[1]  # the planbook package: its code and assets


def _files_digest(paths: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(base)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package version and the bytes of its code and assets."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return __version__ + ":" + _files_digest(files, PACKAGE)


def book_fingerprint(root: Path) -> str:
    """Hand-written pages, configuration and table of contents."""
    files = [p for p in (root / "book").rglob("*") if p.is_file()
             and not {"chapters", "generated", "_build"} & set(p.relative_to(root / "book").parts)]
    files += [root / "_config.yml", root / "_toc.yml"]
    return _files_digest(files, root)


def series_of(data: DataSet, chapter: str) -> set[str] | None:
    """Series a chapter reads, as the catalogue declares them (None: all of them): its dimension's
    indicators, the context series, and every series its analysis names (``series`` and
    ``context``, whichever dimension they belong to)."""
    cat = data.catalogue
    if chapter not in cat.dimension_by_id:
        return None
    analysis = cat.dimension_by_id[chapter].analysis or {}
    named = [*analysis.get("series", []), *analysis.get("context", [])]
    declared = {cat.by_id[ref].series_id if ref in cat.by_id else ref for ref in named}
    return {i.series_id for i in cat.in_dimension(chapter)} | {c.id for c in cat.context} | declared


def where(root: Path, path: Path) -> str:
    """A path as keys hold it: relative to the project when inside it (a moved or copied checkout
    keeps its keys, and rebuilds nothing), else absolute."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def notebook_key(root: Path, data: DataSet, chapter: str, year: int) -> str:
    """What a chapter's executed notebook depends on, hashed (see the module's docstring)."""
    h = hashlib.sha256()
    for part in (
        chapter_source(root, chapter).read_bytes(),
        package_fingerprint().encode(),
        *(f.data for f in data.catalogue.files),  # the catalogue and the plan text, as read
        *(f.data for f in data.plan_files),  # register, departments, words
        where(root, data.source_dir).encode(),
        f"{year}|{[y for y in data.years if y <= year]}|{data.has_demo(year)}".encode(),
    ):
        h.update(hashlib.sha256(part).digest())
    rows = data.upto(year)
    wanted = series_of(data, chapter)
    if wanted is not None:
        rows = rows[rows["indicator_id"].isin(wanted)]
    columns = ["year", "indicator_id", "value", "source", "note", "kind"]
    h.update(rows[columns].to_csv(index=False).encode("utf-8"))
    progress = data.progress[data.progress["year"] <= year]
    h.update(progress[["year", "commitment_id", "status", "evidence", "source", "note", "kind"]]
             .to_csv(index=False).encode("utf-8"))
    commentary = data.commentary_for(year, chapter)
    h.update(hashlib.sha256(commentary.file.data if commentary else b"no commentary").digest())
    if chapter not in data.catalogue.dimension_by_id:  # the overview lists revisions since the last release
        release = next((f for f in data.release_files if f.year == year - 1), None)
        h.update(release.data if release is not None else b"no release recorded")
    return h.hexdigest()


def edition_key(root: Path, notebook_keys: dict[str, str], year: int, pdf: bool | str, data: DataSet,
                draft: bool = False) -> str:
    """``pdf``: True when the PDF is made, ``"kept"`` when a published PDF is kept, else False;
    ``draft``: marked 征求意见稿 (``planbook build --draft``)."""
    h = hashlib.sha256()
    h.update(f"{year}|pdf={pdf}|{package_fingerprint()}|{book_fingerprint(root)}".encode())
    if draft:
        h.update(b"|draft")
    for chapter in sorted(notebook_keys):
        h.update(f"{chapter}={notebook_keys[chapter]}".encode())
    for f in data.inputs(year):  # the appendix and colophon: names and checksums of what was read
        h.update(f"{where(root, f.path)}\0{f.sha256}\0".encode())
    return h.hexdigest()


def sync_tree(src: Path, dest: Path, keep: tuple[str, ...] = (), keep_times: bool = False) -> int:
    """Make ``dest`` equal to ``src``, rewriting only files whose bytes differ.

    Unchanged files keep their modification time, so Sphinx re-reads only the pages
    that changed. Files or folders at the top level named in ``keep`` are not removed
    (they are synced separately). With ``keep_times`` a file written takes the
    modification time of its source. Hidden files (a worker's unfinished ``.partial-…``) are
    not copied. Returns the number of files written or removed.
    """
    changed = 0
    wanted = {p.relative_to(src) for p in src.rglob("*")
              if p.is_file() and not any(part.startswith(".") for part in p.relative_to(src).parts)}
    for rel in sorted(wanted):
        target = dest / rel
        data = (src / rel).read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        if keep_times:
            stat = (src / rel).stat()
            os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(tmp, target)
        changed += 1
    if dest.is_dir():
        for path in sorted(dest.rglob("*"), reverse=True):
            rel = path.relative_to(dest)
            if rel.parts and rel.parts[0] in keep:
                continue
            if path.is_file() and rel not in wanted:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def copy_cached(cache: Path, key: str, dest: Path) -> bool:
    """Copy the executed notebook stored under ``key`` to ``dest``; False when there is none.

    An entry that is not a whole notebook (a damaged disk, a file truncated by hand) is
    dropped, and the notebook is executed again: a damaged cache is never fatal."""
    path = cache / f"{key}.ipynb"
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if not usable_notebook(data):
        path.unlink(missing_ok=True)
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return True


def usable_notebook(data: bytes) -> bool:
    import json

    try:
        nb = json.loads(data)
    except ValueError:
        return False
    return isinstance(nb, dict) and isinstance(nb.get("cells"), list) and nb.get("nbformat") == 4


def store(cache: Path, key: str, executed: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.tmp"
    shutil.copyfile(executed, tmp)
    os.replace(tmp, cache / f"{key}.ipynb")
