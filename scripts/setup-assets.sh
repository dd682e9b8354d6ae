#!/usr/bin/env bash
# Front-end assets the service serves itself (never from a CDN): installed from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  [ -x scripts/copy-vendor.sh ] && bash scripts/copy-vendor.sh
fi
exit 0
