#!/usr/bin/env bash
# The main job on a fresh clone: install, build, train the default VAE on MNIST and write its samples.
# Extra arguments go to `vaejs train` (e.g. `npm start -- --epochs 2`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# oneDNN's development files and a C++ toolchain, so that the build makes the native kernels' addon; without them (no
# apt, no root) the build says why it skipped it and training runs on the wasm fast path.
ensure_apt_packages g++ make python3 libdnnl-dev || echo "::: native kernels: their build packages could not be installed"
ensure_pnpm_install
step "build" pnpm run build
out=runs/mnist-vae
resume=()
# a second `npm start` continues the run (up to --epochs) instead of refusing the non-empty folder
[ -f "$out/checkpoints/latest.json" ] && resume=(--resume)
node apps/trainer/dist/cli.js train --dataset mnist --out "$out" "${resume[@]}" "$@"
node apps/trainer/dist/cli.js sample --run "$out" -n 64 --seed 1 --out "$out/samples.png"
echo "samples: $out/samples.png (metrics in $out/metrics.jsonl, pictures in $out/)"
