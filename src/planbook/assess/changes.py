"""What changed between editions: values revised since the previous release, series new this year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Revision:
    indicator_id: str
    year: int
    old: float | None
    new: float | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "revised"


def revisions(published: pd.DataFrame, current: pd.DataFrame, before: int) -> list[Revision]:
    """Values of years before ``before`` that differ from what the previous edition published."""
    old = published[published["year"] < before].set_index(["indicator_id", "year"])["value"]
    new = current[current["year"] < before].set_index(["indicator_id", "year"])["value"]
    found = []
    for key in sorted(set(old.index) | set(new.index)):
        a = float(old[key]) if key in old.index else None
        b = float(new[key]) if key in new.index else None
        if a is None or b is None or abs(a - b) > 1e-9:
            found.append(Revision(key[0], int(key[1]), a, b))
    return found


def new_series(current: pd.DataFrame, year: int) -> list[str]:
    """Series with data up to ``year`` but none before it: indicators new to this edition."""
    upto = set(current[current["year"] <= year]["indicator_id"])
    before = set(current[current["year"] < year]["indicator_id"])
    return sorted(upto - before)
