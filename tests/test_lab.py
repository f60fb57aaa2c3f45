"""JupyterLab as `make lab` starts it (issue 28): a chapter opens as a notebook, runs, draws its
charts and shows its glued numbers, and saving it leaves the tracked file as it was."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_make_lab_installs_once_and_takes_port_and_token():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "pip install" not in recipe  # installed once, under a stamp
    assert "$(VENV)/.lab-installed" in makefile.split("\nlab:", 1)[1].split("\n", 1)[0]
    assert "--ServerApp.port=$(PORT)" in makefile and "--IdentityProvider.token=$(TOKEN)" in makefile
    assert "--LabApp.app_settings_dir=$(CURDIR)/lab" in makefile
    import json

    viewers = json.loads((ROOT / "lab" / "overrides.json").read_text("utf-8"))
    assert viewers["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == "Jupytext Notebook"


def test_the_chapters_are_saved_as_they_are_tracked():
    """What jupytext writes for a chapter (the project's jupytext.toml, the kernelspec JupyterLab
    sets) is the file as tracked: saving it in JupyterLab changes nothing."""
    import jupytext
    from jupytext.config import load_jupytext_configuration_file

    config = load_jupytext_configuration_file(str(ROOT / "notebooks" / "jupytext.toml"))
    for path in sorted((ROOT / "notebooks").glob("*.md")):
        nb = jupytext.read(path)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
        nb.metadata["language_info"] = {"name": "python", "version": sys.version.split()[0]}
        assert jupytext.writes(nb, "md:myst", config=config) == path.read_text("utf-8"), path.name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab with `make lab`'s options, headless on 127.0.0.1, on a copy of the project."""
    jupyter = Path(sys.executable).with_name("jupyter")
    if not (Path(sys.executable).parent / "jupyter-lab").exists():
        pytest.skip("the lab extra is not installed (make lab installs it)")
    project = tmp_path / "project"
    for name in ("notebooks", "data", "lab"):
        shutil.copytree(ROOT / name, project / name)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, project / name)
    port, token = _free_port(), "planbook-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    env.pop("PLANBOOK_BUILD", None)
    # Every cell in the page (JupyterLab otherwise leaves the cells out of view out of the DOM).
    tracker = tmp_path / "user-settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}', encoding="utf-8")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--allow-root", f"--LabApp.app_settings_dir={project / 'lab'}",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", "--no-browser",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", str(project / "notebooks")],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stdout.read())
                time.sleep(0.5)
        yield base, token, project
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.mark.slow
def test_a_chapter_opens_as_a_notebook_runs_draws_and_shows_glue(lab):
    from playwright.sync_api import sync_playwright

    from planbook.inputs.dataset import load
    from planbook.report.commentary import glue_names
    from planbook.report.report import Report

    base, token, project = lab
    tracked = (project / "notebooks" / "green.md").read_bytes()
    written = (project / "notebooks" / "green.md").stat().st_mtime_ns
    data = load(project / "data")
    expected = glue_names(Report(data=data, year=data.latest_year()), "green")["green_good_air_days_value"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/lab?token={token}")
            item = ".jp-DirListing-item:has-text('green.md')"
            page.wait_for_selector(item, timeout=120_000)
            # jupytext's lab extension loads in this JupyterLab (under 4.5 it did not), and offers
            # the chapter as a notebook. (Double-click opens the editor: jupytext >= 1.19.1 ignores
            # the default viewer set in lab/overrides.json, jupytext issue 1490; Open With it is.)
            page.wait_for_function("() => document.querySelector('.jp-DirListing-content') !== null")
            time.sleep(2)
            page.click(item, button="right")
            page.locator(".lm-Menu-itemLabel:text-is('Open With')").hover()
            time.sleep(1)
            page.locator(".lm-Menu-item:visible", has_text="Jupytext Notebook").first.click()
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
            assert not [e for e in errors if "jupyterlab-jupytext" in e or "Failed to create module" in e], errors
            page.wait_for_selector("#jp-main-statusbar :text('Idle')", timeout=120_000)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
            # A chart drawn (an SVG image with a size), and the glued numbers as values.
            chart = page.wait_for_selector(".jp-RenderedSVG img, .jp-RenderedSVG svg", timeout=180_000)
            box = chart.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, box
            try:
                page.wait_for_function("() => document.body.textContent.includes('green_good_air_days_value')",
                                       timeout=60_000)
            except Exception:
                cells = page.query_selector_all(".jp-Cell")
                raise AssertionError([len(cells)] + [c.text_content()[:300] for c in cells[:4]])
            outputs = " ".join(e.text_content() for e in page.query_selector_all(".jp-OutputArea-output"))
            assert expected in outputs, outputs[:2000]
            assert "planbookChart is not defined" not in " ".join(errors)
            # Save: the tracked file stays as it was.
            page.click(".jp-NotebookPanel .jp-Notebook")
            page.keyboard.press("Control+s")
            page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
            time.sleep(1)
        finally:
            page.screenshot(path=str(project / "lab.png"))  # what the browser showed, kept with the test's files
            browser.close()
    assert (project / "notebooks" / "green.md").stat().st_mtime_ns != written, "the notebook was not saved"
    saved = (project / "notebooks" / "green.md").read_bytes()
    assert saved == tracked, "saving rewrote the tracked notebook"
