#!/usr/bin/env bash
# Vendor the Vega runtime that vl-convert compiles charts for, and the Vega-Lite compiler of the
# version Altair writes specs for (the indicator pages compile their chart in the browser); run
# after upgrading vl-convert or Altair. Fetches the npm packages vega@<version> and
# vega-lite@<version>, copies build/*.min.js and the licences into src/planbook/site/assets/, and
# prints the checksums to put into src/planbook/site/vega.py.
set -euo pipefail
cd "$(dirname "$0")/.."
assets=src/planbook/site/assets
vega=$(.venv/bin/python -c "import vl_convert as v; print(v.get_vega_version())")
vegalite=$(.venv/bin/python -c "import altair as a; print(a.SCHEMA_VERSION.lstrip('v'))")
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "vega@$vega" --silent >/dev/null && mkdir vega && tar xzf "vega-$vega.tgz" -C vega)
(cd "$tmp" && npm pack "vega-lite@$vegalite" --silent >/dev/null && mkdir vega-lite && tar xzf "vega-lite-$vegalite.tgz" -C vega-lite)
cp "$tmp/vega/package/build/vega.min.js" "$assets/vega-$vega.min.js"
cp "$tmp/vega/package/LICENSE" "$assets/VEGA-LICENSE.txt"
cp "$tmp/vega-lite/package/build/vega-lite.min.js" "$assets/vega-lite-$vegalite.min.js"
cp "$tmp/vega-lite/package/LICENSE" "$assets/VEGA-LITE-LICENSE.txt"
rm -rf "$tmp"
echo "vega $vega: sha256 $(sha256sum "$assets/vega-$vega.min.js" | cut -d' ' -f1)"
echo "vega-lite $vegalite: sha256 $(sha256sum "$assets/vega-lite-$vegalite.min.js" | cut -d' ' -f1)"
echo "update the versions and checksums in src/planbook/site/vega.py (and VL_VERSION in report/charts.py), remove the old files"
