"""Where things live, and loading the catalogue with its observations in one call."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planbook.plan.catalogue import Catalogue, load_catalogue
from planbook.errors import InputError, Problem, display_path
from planbook.inputs.observations import load_observations, observation_files
from planbook.inputs.progress import FRAME_COLUMNS as PROGRESS_COLUMNS, load_progress
from planbook.plan.register import Register, load_register
from planbook.words import activate, load_phrasebook
from planbook.project import project_root  # noqa: F401 (where planbook has always offered it)


def default_data_dir() -> Path:
    return project_root() / "data"


@dataclass(frozen=True)
class DataSet:
    data_dir: Path
    catalogue: Catalogue
    observations: pd.DataFrame
    register: Register = field(default_factory=Register)
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_COLUMNS))

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

        An edition needs data of its own year: a year without any is refused with the
        years that have data (never silently another year, never a failure inside a cell).
        """
        if year is None:
            return self.latest_year()
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
        path = self.release_file(year)
        if not path.is_file():
            return None
        return read_published_observations(path)

    def input_files(self, year: int | None = None) -> list[Path]:
        """The catalogue, the plan text and the observation files (up to ``year``) a report reads."""
        files = [self.catalogue.path, self.catalogue.path.parent / self.catalogue.plan["text"]]
        files += [p for y, p in observation_files(self.data_dir / "observations")[0] if year is None or y <= year]
        if year is not None and self.release_file(year - 1).is_file():
            files.append(self.release_file(year - 1))
        return files


def catalogue_path(data_dir: Path) -> Path:
    """``DIR/catalogue.yaml`` when DIR has one, else the project's."""
    own = Path(data_dir) / "catalogue.yaml"
    return own if own.is_file() else default_data_dir() / "catalogue.yaml"


def load(data_dir: Path | str | None = None) -> DataSet:
    """Load and validate everything; raise InputError listing all problems (catalogue first)."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    cat = load_catalogue(catalogue_path(data_dir))
    # The plan's wording travels with its catalogue (words.yaml beside it may override phrases).
    activate(load_phrasebook(cat.path.parent / "words.yaml", cat.phrase_context()))
    register = load_register(cat.path.parent, cat)
    obs = load_observations(data_dir / "observations", cat)
    progress = load_progress(data_dir / "progress", register)
    return DataSet(data_dir=data_dir, catalogue=cat, observations=obs, register=register, progress=progress)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_published_observations(path: Path) -> pd.DataFrame:
    """Observations as an edition published them (its observations CSV, or a release record)."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"indicator_id": str, "source": str, "note": str})
    return frame[["year", "indicator_id", "value", "kind", "source"]]
