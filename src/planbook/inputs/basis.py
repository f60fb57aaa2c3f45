"""The statistical basis of a figure (统计口径).

The plan's table is on one basis — a district's own (区统计口径), say, without the
functional zones inside its territory — and the catalogue says which (``plan.basis``: its name and
the words that name another basis). An observation's note may state its basis (``口径：区统计口径``).
A figure whose source or note names another basis (``含功能区``, a ``口径：…`` of its own) may not be
comparable with the plan's targets: ``planbook check`` warns, so that a person confirms it; the
figure is still read (a warning, not a refusal).
"""

from __future__ import annotations

import re

import pandas as pd

from planbook.errors import Problem
from planbook.plan.catalogue import Catalogue

# A basis stated in a note: 口径：区统计口径 (up to the next punctuation or bracket).
STATED = re.compile(r"口径[：:]\s*([^，。；;,、（）()\s]+)")


def named_bases(text: str, plan_basis: str, others: list[str]) -> list[str]:
    """The bases other than ``plan_basis`` that ``text`` names: one of ``others`` (not when
    negated, as in 不含功能区), or a ``口径：…`` that is not the plan's."""
    found = [w for w in others if re.search(rf"(?<!不){re.escape(w)}", text)]
    found += [s for s in STATED.findall(text) if s != plan_basis and s not in found]
    return found


def basis_warnings(cat: Catalogue, observations: pd.DataFrame) -> list[Problem]:
    """One warning per official observation whose source or note names a basis other than the
    table's (none when the catalogue names no basis). Demo rows are generated, never on a basis."""
    basis = cat.basis
    if not basis:
        return []
    warnings = []
    for rec in observations[observations["kind"] == "official"].itertuples(index=False):
        for field in ("source", "note"):
            for other in named_bases(str(getattr(rec, field) or ""), basis["name_zh"], basis.get("others_zh", [])):
                warnings.append(Problem(rec.file, int(rec.row), field,
                                        f"names the basis {other!r}, but the plan's table uses {basis['name_zh']!r}: "
                                        "confirm the figure is on the table's basis (or say its basis in the note)"))
    return warnings
