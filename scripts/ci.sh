#!/usr/bin/env bash
# Sets up a fresh clone and runs every check CI runs: install, build, lint, type check, package checks
# (publint, attw), the README blocks against the examples/ files they show, all tests, and the packed-package smoke
# test (which also runs every example from the tarballs, and the CLI from its tarball alone). `npm test` and `.ci/run`
# run this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# chromium for the browser tests; g++/make/python3 (node-gyp) and oneDNN's development files to build the native
# kernels' addon from source (@vaejs/backend-native), whose tests then run (CI=true makes a missing addon fail them);
# python3-torch for the PyTorch twins' parity tests (python/), with OpenBLAS, the BLAS Debian's torch recommends (its
# bare dependency would be the reference BLAS, 30x slower: no PyTorch user runs that).
ensure_apt_packages chromium g++ make python3 libdnnl-dev python3-torch libopenblas0-pthread strace
ensure_pnpm_install

step "build"            pnpm run build
step "lint"             pnpm run lint
step "readme examples"  pnpm run check:readmes
step "example values"   pnpm run check:values
step "typecheck"        pnpm run typecheck
step "package checks"   pnpm run check:packages
step "tests"            pnpm run test:unit --reporter=default --reporter=json --outputFile=.vitest-results.json
step "packed packages"  pnpm run check:pack
step "release dry run"  pnpm run check:release
node -e 'const r = require("./.vitest-results.json"); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)'
echo "ci: all checks passed"
