"""Where things live, and loading the catalogue with its observations in one call."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from .catalogue import Catalogue, load_catalogue
from .errors import InputError, Problem
from .inputs import InputFile
from .observations import LAST_YEAR, read_observations
from .project import project_root  # noqa: F401 (where planbook has always offered it)

# A build's snapshot of its inputs (see DataSet.snapshot) describes itself in this file.
SNAPSHOT_FILE = ".planbook-snapshot.json"


def default_data_dir() -> Path:
    return project_root() / "data"


@dataclass(frozen=True)
class DataSet:
    data_dir: Path
    catalogue: Catalogue
    observations: pd.DataFrame
    # The observation files as read (bytes and year), and — when this was loaded from a
    # build's snapshot — the data folder the snapshot was taken of.
    files: tuple[InputFile, ...] = ()
    origin: Path | None = None

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

    def inputs(self, year: int | None = None) -> list[InputFile]:
        """The catalogue, the plan text and the observation files (up to ``year``) a report reads,
        with the bytes that were read."""
        return [*self.catalogue.files, *(f for f in self.files if year is None or (f.year or 0) <= year)]

    def input_files(self, year: int | None = None) -> list[Path]:
        """The paths of :meth:`inputs`."""
        return [f.path for f in self.inputs(year)]

    def snapshot(self, dest: Path) -> Path:
        """Write the inputs exactly as they were read and validated into ``dest``, laid out like a
        data folder (``catalogue.yaml``, the plan text, ``observations/``); return ``dest``.

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
        for f in self.files:
            _write(dest / "observations" / f.path.name, f.data)
        manifest = {"origin": str(self.source_dir.resolve()), "plan_text": plan_name}
        (dest / SNAPSHOT_FILE).write_text(json.dumps(manifest, ensure_ascii=False) + "\n", encoding="utf-8")
        return dest


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o444)  # a snapshot is read, never changed


def check_year(year: int, catalogue: Catalogue) -> None:
    """Refuse a report or data year outside the plan's horizon (its base year to 2035)."""
    first, last = catalogue.base_year, LAST_YEAR
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
    obs, files = read_observations(data_dir / "observations", cat)
    origin = Path(manifest["origin"]) if manifest.get("origin") else None
    return DataSet(data_dir=data_dir, catalogue=cat, observations=obs, files=tuple(files), origin=origin)


def _snapshot_manifest(data_dir: Path) -> dict:
    path = data_dir / SNAPSHOT_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise InputError([Problem(str(path), None, None, "unreadable snapshot description: "
                                                         "delete the folder and build again")]) from None


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
