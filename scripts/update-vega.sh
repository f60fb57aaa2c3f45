#!/usr/bin/env bash
# Vendor the Vega runtime that vl-convert compiles charts for (run after upgrading vl-convert).
# Fetches the npm package vega@<version>, copies build/vega.min.js and the licence into
# src/planbook/assets/, and prints the checksum to put into planbook/charts.py.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(.venv/bin/python -c "import vl_convert as v; print(v.get_vega_version())")
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "vega@$version" --silent >/dev/null && tar xzf "vega-$version.tgz")
cp "$tmp/package/build/vega.min.js" "src/planbook/assets/vega-$version.min.js"
cp "$tmp/package/LICENSE" src/planbook/assets/VEGA-LICENSE.txt
rm -rf "$tmp"
echo "vega $version: sha256 $(sha256sum "src/planbook/assets/vega-$version.min.js" | cut -d' ' -f1)"
echo "update VEGA_VERSION and VEGA_SHA256 in src/planbook/vega.py, remove the old file"
