"""pyproject.toml, environment.yml and requirements.lock name the same pinned versions."""

from __future__ import annotations

import tomllib

import yaml

from conftest import ROOT


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        name, _, ver = line.partition("==")
        assert ver, f"not pinned: {line}"
        pins[name.strip().lower().replace("_", "-")] = ver.strip()
    return pins


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras = [pin for pins in project["optional-dependencies"].values() for pin in pins]
    declared = _pins(project["dependencies"] + extras)
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = _pins([p for p in pip if not p.startswith("-e")])
    assert len(declared) >= 12
    assert listed == declared


def test_lock_file_agrees_with_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    lock = _pins([line for line in (ROOT / "requirements.lock").read_text().splitlines() if line and not line.startswith("#")])
    assert {k: lock.get(k) for k in declared} == declared
