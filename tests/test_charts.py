"""The chart runtime the site serves: upstream Vega, unmodified, in the version vl-convert compiles for."""

import hashlib

import vl_convert as vlc

from planbook.site.vega import VEGA_FILE, VEGA_SHA256, VEGA_VERSION, bundle_text


def test_vendored_vega_is_the_upstream_file():
    assert hashlib.sha256(VEGA_FILE.read_bytes()).hexdigest() == VEGA_SHA256
    assert f'"{VEGA_VERSION}"' in VEGA_FILE.read_text("utf-8")


def test_vega_version_matches_what_vl_convert_compiles_for():
    assert vlc.get_vega_version() == VEGA_VERSION, "run scripts/update-vega.sh after upgrading vl-convert"


def test_bundle_is_runtime_plus_loader():
    text = bundle_text()
    assert text.count("window.planbookChart") == 1 and len(text) < 600_000


def test_every_chart_of_the_book_is_valid_vega_lite():
    """The build skips Altair's validation (it is the slowest step of a chapter); this test does it,
    for every chart the chapters show, in a year with little data and in the latest year."""
    import jsonschema
    import pytest
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    from planbook.report.analyses import chapter_analysis
    from planbook.report.charts import PNG_FONT, WEB_FONT, ChartOutput, chart_for, theme_config
    from planbook.report.report import open_report

    schema = load_schema()
    checked = 0
    for year in (2021, 2025):
        report = open_report(year, "data")
        for dim in ("smart", "green", "balanced", "two_way"):
            outputs = [chart_for(report, i) for i in report.cat.table if i.dimension == dim]
            outputs += [o for o in chapter_analysis(report, dim).outputs if isinstance(o, ChartOutput)]
            for out in outputs:
                validate_jsonschema(out.print_spec, schema)
                assert out.print_spec["config"]["font"] == PNG_FONT
                checked += 1
    assert checked >= 2 * 24
    # And the check itself bites: a misspelt mark is refused.
    with pytest.raises(jsonschema.ValidationError, match="lien"):
        validate_jsonschema({"mark": "lien", "config": theme_config(WEB_FONT)}, schema)
