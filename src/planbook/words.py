"""The report's words: one phrasebook, which a project can override.

Every word and sentence the report shows in Chinese comes from ``locale/zh_CN.yaml`` of the
package, looked up by a dotted key (``W("status.achieved")``). A project may override any entry
in ``words.yaml`` beside its catalogue (same keys). Entries are ``str.format`` templates; the
plan's own names (``{place}``, ``{table}``, ``{plan_title}``…) are filled in from the catalogue's
plan block when the data are loaded (:func:`activate`), so no module holds a place name.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list):  # numbered lines: key.0, key.1, …
            flat.update(_flatten({str(n): v for n, v in enumerate(value)}, name + "."))
        else:
            flat[name] = str(value)
    return flat


def _package_entries(language: str = "zh_CN") -> dict[str, str]:
    text = resources.files("planbook").joinpath(f"locale/{language}.yaml").read_text("utf-8")
    return _flatten(yaml.load(text, Loader=yaml.BaseLoader))  # every key and phrase a string (no yes → True)


class Phrasebook:
    """Templates by dotted key, with the plan's names filled in."""

    def __init__(self, entries: dict[str, str], context: dict[str, Any] | None = None):
        self.entries = entries
        self.context = dict(context or {})

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self.entries[key]
        except KeyError:
            raise KeyError(f"no phrase {key!r} in the phrasebook") from None
        return template.format_map({**self.context, **values}) if "{" in template else template

    def group(self, prefix: str) -> dict[str, str]:
        """Every entry under ``prefix`` (``group("status")`` → ``{"achieved": "已达标", …}``)."""
        cut = len(prefix) + 1
        return {k[cut:]: self(k) for k in self.entries if k.startswith(prefix + ".") and "." not in k[cut:]}

    def lines(self, prefix: str, **values: Any) -> list[str]:
        """The numbered lines under ``prefix`` (a list in the phrasebook), in order, filled in."""
        n, out = 0, []
        while f"{prefix}.{n}" in self.entries:
            out.append(self(f"{prefix}.{n}", **values))
            n += 1
        return out

    def has(self, key: str) -> bool:
        return key in self.entries


def load_phrasebook(overrides=None, context: dict[str, Any] | None = None) -> Phrasebook:
    """The package's phrasebook with a project's ``words.yaml`` on top (``overrides``: its path, or
    a :class:`planbook.files.InputFile` holding its bytes; None: none)."""
    entries = _package_entries()
    if overrides is not None:
        from planbook.errors import InputError, Problem, display_path

        path = Path(getattr(overrides, "path", overrides))
        data = getattr(overrides, "data", None)
        text = data.decode("utf-8") if data is not None else path.read_text("utf-8")
        try:
            raw = yaml.load(text, Loader=yaml.BaseLoader) or {}
        except yaml.YAMLError as exc:
            raise InputError([Problem(display_path(path), None, None, f"not valid YAML: {exc}")]) from None
        extra = _flatten(raw) if isinstance(raw, dict) else {}
        unknown = sorted(set(extra) - set(entries))
        if unknown:
            raise InputError([Problem(display_path(path), None, key, "no such phrase in the phrasebook")
                              for key in unknown])
        # A phrase of the report is text with MyST structure, nothing more (the messages are not
        # Markdown: their patterns are regular expressions).
        from planbook import myst_text

        refused = [Problem(display_path(path), None, key, what) for key, value in extra.items()
                   if not key.startswith("messages.") for _, what in myst_text.problems(value)]
        if refused:
            raise InputError(refused)
        entries.update(extra)
    return Phrasebook(entries, context)


_ACTIVE: Phrasebook | None = None


def activate(book: Phrasebook) -> Phrasebook:
    """Make ``book`` the phrasebook of this process (done when a project's data are loaded)."""
    global _ACTIVE
    _ACTIVE = book
    return book


def active() -> Phrasebook:
    global _ACTIVE
    if _ACTIVE is None:
        _ACTIVE = load_phrasebook()
    return _ACTIVE


def W(key: str, **values: Any) -> str:  # noqa: N802 - short on purpose: it is everywhere
    """The phrase ``key`` of the active phrasebook, filled in."""
    return active()(key, **values)
