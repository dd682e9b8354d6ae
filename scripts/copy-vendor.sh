#!/usr/bin/env bash
# Copies the front-end files the service serves from node_modules/ to static/vendor/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/@zazuko/yasgui/build
dst=static/vendor/yasgui
if [ ! -f "$src/yasgui.min.js" ]; then
  echo "copy-vendor: $src fehlt – erst 'npm ci' ausführen / run 'npm ci' first" >&2
  exit 1
fi
mkdir -p "$dst"
cp "$src/yasgui.min.js" "$src/yasgui.min.css" "$dst/"
# The licence travels with the files.
cp node_modules/@zazuko/yasgui/package.json "$dst/package.json"
echo "copy-vendor: YASGUI $(node -p "require('./$src/../package.json').version" 2>/dev/null || echo '?') nach $dst"
# axe-core: the accessibility checker the browser tests run inside each page (tests/test_pages_people.py).
if [ -f node_modules/axe-core/axe.min.js ]; then
  mkdir -p static/vendor/axe-core
  cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE node_modules/axe-core/package.json static/vendor/axe-core/
  echo "copy-vendor: axe-core nach static/vendor/axe-core"
fi
