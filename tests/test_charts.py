"""The chart runtime the site serves: upstream Vega, unmodified, in the version vl-convert compiles for."""

import hashlib

import vl_convert as vlc

from planbook.charts import VEGA_FILE, VEGA_SHA256, VEGA_VERSION, bundle_text


def test_vendored_vega_is_the_upstream_file():
    assert hashlib.sha256(VEGA_FILE.read_bytes()).hexdigest() == VEGA_SHA256
    assert f'"{VEGA_VERSION}"' in VEGA_FILE.read_text("utf-8")


def test_vega_version_matches_what_vl_convert_compiles_for():
    assert vlc.get_vega_version() == VEGA_VERSION, "run scripts/update-vega.sh after upgrading vl-convert"


def test_bundle_is_runtime_plus_loader():
    text = bundle_text()
    assert text.count("window.planbookChart") == 1 and len(text) < 600_000
