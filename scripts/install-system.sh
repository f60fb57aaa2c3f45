#!/usr/bin/env bash
# Install the Debian packages the book needs, if they are missing (texlive-lang-chinese brings the
# Fandol fonts of the PDF's 公文 layout: FandolFang 仿宋, FandolSong, FandolHei, FandolKai):
#   XeLaTeX + Chinese (PDF), Noto CJK fonts, latexmk, dvisvgm (math as SVG on the site),
#   poppler-utils (PDF checks), chromium (browser tests), nodejs (npm installs axe-core for the browser tests;
#   Debian's nodejs package lacks npm: then the npm package is installed too).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
PACKAGES=(texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-fonts-recommended latexmk
          fonts-noto-cjk dvisvgm poppler-utils chromium nodejs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
