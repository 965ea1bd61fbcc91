#!/usr/bin/env bash
# `npm run demo`: install (when needed), build, and serve the demo page (http://127.0.0.1:4173/; ?view=train trains in
# the page). Needs only bash, Node 20 and npm, as `npm start` does. Extra arguments go to the demo's server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_pnpm_install
step "build" pnpm run build
pnpm --filter @vaejs/demo run serve "$@"
