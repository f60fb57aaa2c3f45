"""Everything one evaluation reads, loaded and checked in one call: :func:`load`.

A data folder holds ``observations/<year>.csv`` and, optionally, ``progress/<year>.csv`` (the
commitments' yearly reports) and ``releases/<year>.csv`` (what an edition was released with).
The plan — ``catalogue.yaml`` with its plan text, ``register.yaml``, ``departments.yaml``,
``words.yaml`` — is the folder's own when it has a catalogue, else the project's. The researchers'
commentary is ``commentary/<year>/<chapter>.md`` (:mod:`planbook.inputs.commentary`).

Every input file is read once and its bytes are kept (:class:`planbook.files.InputFile`), so
checksums, cache keys and the snapshot a build works from (:meth:`DataSet.snapshot`) describe
exactly what was validated.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from planbook.errors import InputError, Problem, display_path
from planbook.files import MB, InputFile, read_input
from planbook.inputs.commentary import FOLDER as COMMENTARY, OVERVIEW, Commentary, read_commentary
from planbook.inputs.observations import read_observations
from planbook.inputs.progress import FRAME_COLUMNS as PROGRESS_COLUMNS, read_progress
from planbook.plan.amendments import Amendment, in_force, load_amendments
from planbook.plan.catalogue import Catalogue, load_catalogue
from planbook.plan.register import Register, load_register
from planbook.project import project_root
from planbook.spreadsheet import from_csv_text
from planbook.words import activate, load_phrasebook

# A build's snapshot of its inputs (see DataSet.snapshot) describes itself in this file.
SNAPSHOT_FILE = ".planbook-snapshot.json"
RELEASE_LIMIT = 20 * MB


def default_data_dir() -> Path:
    return project_root() / "data"


@dataclass(frozen=True)
class DataSet:
    data_dir: Path
    catalogue: Catalogue
    observations: pd.DataFrame
    register: Register = field(default_factory=Register)
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_COLUMNS))
    # The files as read (bytes and year): observations, progress reports, releases, and the
    # plan's own files beside the catalogue (register, departments, words).
    files: tuple[InputFile, ...] = ()
    progress_files: tuple[InputFile, ...] = ()
    release_files: tuple[InputFile, ...] = ()
    plan_files: tuple[InputFile, ...] = ()
    commentary: tuple[Commentary, ...] = ()  # the researchers' text, per edition and chapter
    # When this was loaded from a build's snapshot: the data folder the snapshot was taken of.
    origin: Path | None = None
    amendments: tuple[Amendment, ...] = ()

    def catalogue_in_force(self, year: int) -> Catalogue:
        """The plan as in force in ``year``: the catalogue with the amendments effective by then."""
        return in_force(self.catalogue, self.amendments, year)

    @property
    def source_dir(self) -> Path:
        """The data folder as the user named it (the origin of a snapshot)."""
        return self.origin or self.data_dir

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.observations["year"].unique())

    def latest_year(self) -> int:
        if self.observations.empty:
            raise InputError([Problem(str(self.data_dir / "observations"), None, None, "no observation files")])
        return max(self.years)

    def upto(self, year: int) -> pd.DataFrame:
        """Observations a report of ``year`` may use: nothing later."""
        return self.observations[self.observations["year"] <= year]

    def has_demo(self, year: int) -> bool:
        return bool((self.upto(year)["kind"] == "demo").any())

    def check_year(self, year: int | None) -> int:
        """The report year to use: ``year``, or the latest with data when None.

        A year outside the plan's horizon, or without data of its own, is refused with the years
        that have data (never silently another year, never a failure inside a cell).
        """
        if year is None:
            return self.latest_year()
        check_year(int(year), self.catalogue)
        if int(year) not in self.years:
            have = ", ".join(map(str, self.years)) or "none"
            raise InputError([Problem(display_path(self.data_dir / "observations"), None, None,
                                      f"no observations for {year}: an edition needs data of its own year "
                                      f"(years with data: {have})")])
        return int(year)

    def release_file(self, year: int) -> Path:
        """Where the observations edition ``year`` was released with are recorded
        (``planbook release``): later editions list the values revised since."""
        return self.data_dir / "releases" / f"{year}.csv"

    def release(self, year: int) -> pd.DataFrame | None:
        """The observations edition ``year`` was released with; None when none is recorded."""
        found = next((f for f in self.release_files if f.year == year), None)
        return None if found is None else published_observations(found.data)

    def commentary_for(self, year: int, chapter: str) -> Commentary | None:
        """The commentary written for ``chapter`` of edition ``year``; None when there is none."""
        return next((c for c in self.commentary if c.year == int(year) and c.chapter == chapter), None)

    def inputs(self, year: int | None = None) -> list[InputFile]:
        """Every file a report of ``year`` reads (all years when None), with the bytes that were read:
        the catalogue and plan text, the plan's other files, the observations and progress reports
        up to ``year``, the release of the year before, and the edition's own commentary."""
        def upto(files):
            return [f for f in files if year is None or (f.year or 0) <= year]

        releases = [f for f in self.release_files if year is None or f.year == year - 1]
        own = [c.file for c in self.commentary if year is None or c.year == year]
        return [*self.catalogue.files, *self.plan_files, *upto(self.files), *upto(self.progress_files), *releases,
                *own]

    def input_files(self, year: int | None = None) -> list[Path]:
        """The paths of :meth:`inputs`."""
        return [f.path for f in self.inputs(year)]

    def snapshot(self, dest: Path) -> Path:
        """Write the inputs exactly as they were read and validated into ``dest``, laid out like a
        data folder with its own catalogue; return ``dest``.

        A build points its notebook workers at the snapshot: whatever happens to the data
        folder meanwhile, every page of an edition is made from the same bytes, and the cache
        keys and checksums (computed from those bytes) describe exactly what was used.
        """
        dest = Path(dest)
        cat_file, *plan = self.catalogue.files
        _write(dest / "catalogue.yaml", cat_file.data)
        plan_name = None
        if plan:
            written = PurePosixPath(str(self.catalogue.plan["text"]))
            plan_name = (str(written) if not written.is_absolute() and ".." not in written.parts
                         else f"plan/{plan[0].path.name}")
            _write(dest / plan_name, plan[0].data)
        for f in self.plan_files:
            _write(dest / f.path.name, f.data)
        for folder, files in (("observations", self.files), ("progress", self.progress_files),
                              ("releases", self.release_files)):
            for f in files:
                _write(dest / folder / f.path.name, f.data)
        for c in self.commentary:
            _write(dest / c.name, c.file.data)  # commentary/<year>/<chapter>.md
        manifest = {"origin": str(self.source_dir.resolve()), "plan_text": plan_name}
        (dest / SNAPSHOT_FILE).write_text(json.dumps(manifest, ensure_ascii=False) + "\n", encoding="utf-8")
        return dest


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o444)  # a snapshot is read, never changed


def check_year(year: int, catalogue: Catalogue) -> None:
    """Refuse a report or data year outside the plan's horizon (its base year to its last year)."""
    first, last = catalogue.base_year, catalogue.last_year
    if not first <= int(year) <= last:
        raise InputError([Problem(f"--year {year}", None, None,
                                  f"outside the plan's horizon {first}–{last} (base year {first}, the plan ends "
                                  f"in {last}): give a year in that range")])


def catalogue_path(data_dir: Path) -> Path:
    """``DIR/catalogue.yaml`` when DIR has one, else the project's."""
    own = Path(data_dir) / "catalogue.yaml"
    return own if own.is_file() else default_data_dir() / "catalogue.yaml"


def load(data_dir: Path | str | None = None) -> DataSet:
    """Load and validate everything; raise InputError listing all problems (catalogue first).

    Each input file is read once; the bytes are kept (:meth:`DataSet.inputs`)."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    manifest = _snapshot_manifest(data_dir)
    plan_text = data_dir / manifest["plan_text"] if manifest.get("plan_text") else None
    cat = load_catalogue(catalogue_path(data_dir), plan_text=plan_text)
    plan_dir = cat.path.parent
    # The plan's wording travels with its catalogue (words.yaml beside it may override phrases).
    words = plan_dir / "words.yaml"
    words_file = [InputFile(words, read_input(words, display_path(words), MB, "words"))] if words.exists() else []
    activate(load_phrasebook(words_file[0] if words_file else None, cat.phrase_context()))
    register = load_register(plan_dir, cat)
    amendments, amendment_files = load_amendments(plan_dir, cat)
    obs, files = read_observations(data_dir / "observations", cat)
    progress, progress_files = read_progress(data_dir / "progress", register, cat.last_year)
    releases = read_releases(data_dir / "releases", cat)
    commentary = read_commentary(data_dir / COMMENTARY, [OVERVIEW, *cat.dimension_by_id], cat.base_year,
                                 cat.last_year)
    origin = Path(manifest["origin"]) if manifest.get("origin") else None
    return DataSet(data_dir=data_dir, catalogue=cat, observations=obs, register=register, progress=progress,
                   files=tuple(files), progress_files=tuple(progress_files), release_files=tuple(releases),
                   plan_files=tuple([*register.files, *amendment_files, *words_file]), commentary=tuple(commentary),
                   origin=origin, amendments=amendments)


def read_releases(folder: Path, cat: Catalogue) -> list[InputFile]:
    """The release records of a data folder (``<year>.csv``), each checked to be readable."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() != ".csv":
            continue
        name = display_path(path)
        if not (path.stem.isdigit() and cat.base_year <= int(path.stem) <= cat.last_year):
            raise InputError([Problem(name, None, None, f"file name is not a year of the plan "
                                                        f"({cat.base_year}–{cat.last_year}): expected <year>.csv")])
        data = read_input(path, name, RELEASE_LIMIT, "release")
        try:
            published_observations(data)
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            raise InputError([Problem(name, None, None, f"not a release record written by `planbook release` "
                                                        f"({exc}): write it again with `planbook release`")]) from None
        found.append(InputFile(path, data, int(path.stem)))
    return found


def _snapshot_manifest(data_dir: Path) -> dict:
    path = data_dir / SNAPSHOT_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise InputError([Problem(str(path), None, None, "unreadable snapshot description: "
                                                         "delete the folder and build again")]) from None


def published_observations(data: bytes) -> pd.DataFrame:
    """Observations as an edition published them (its observations CSV, or a release record)."""
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig",
                        dtype={"indicator_id": str, "source": str, "note": str}, keep_default_na=False,
                        na_values={"value": [""]})
    frame["source"] = frame["source"].map(from_csv_text)
    return frame[["year", "indicator_id", "value", "kind", "source"]]


def read_published_observations(path: Path) -> pd.DataFrame:
    """:func:`published_observations` of a file."""
    return published_observations(Path(path).read_bytes())
