"""The chart script shipped with the package is the one vl-convert makes for the pinned versions."""

from planbook.charts import VENDORED_BUNDLE, bundle_text


def test_vendored_vega_bundle_matches_the_pinned_versions():
    assert VENDORED_BUNDLE.read_text("utf-8") == bundle_text(), "run `python -m planbook.charts` after an upgrade"
