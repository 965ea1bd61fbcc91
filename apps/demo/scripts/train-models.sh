#!/usr/bin/env bash
# Trains the demo's out-of-the-box models with the trainer CLI on MNIST and copies their latest checkpoints (without
# optimizer state) into apps/demo/public/models/<name>/:
#   vae       a 2-D MLP VAE (reconstructions, samples, interpolation, the latent manifold and the scatter of codes);
#             about a minute
#   vqvae     the VQ-VAE recipe apps/trainer/recipes/mnist-vqvae.json (7×7 code maps, K = 128; code-map editor)
#   pixelcnn  the class-conditional gated prior recipe apps/trainer/recipes/mnist-prior-conditional.json on the
#             VQ-VAE's codes of all 60,000 training images (sampling position by position, a class or every class)
# The two recipes take about 20 minutes on one core with @vaejs/backend's native kernels (apps/demo/README.md).
# Also re-exports the test images the views pick from (public/models/test-images.bin).
# Usage: bash apps/demo/scripts/train-models.sh [work folder]   (needs `pnpm run build` first, for the trainer)
# Env: EPOCHS_VAE, EPOCHS_VQVAE, EPOCHS_PRIOR (override the recipes), LIMIT (training images of the VAE), LIMIT_VQVAE
# and LIMIT_PRIOR (training images / code maps, default all), BACKEND (default auto), THREADS (default 1),
# MODELS_OUT (where the checkpoints go, default apps/demo/public/models).
# Re-running with the same work folder resumes each run from its last checkpoint (a finished run is kept as is).
set -euo pipefail
demo="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$demo/../.." && pwd)"
recipes="$root/apps/trainer/recipes"
work="${1:-$(mktemp -d /tmp/vaejs-demo-models.XXXXXX)}"
vaejs() { node "$root/apps/trainer/dist/cli.js" "$@"; }
models_out="${MODELS_OUT:-$demo/public/models}"
backend="${BACKEND:-auto}"
threads="${THREADS:-1}"
# --resume when the run folder already has a checkpoint, so an interrupted script picks up where it stopped.
resume() { [ -f "$work/$1/checkpoints/latest.json" ] && echo --resume || true; }
# A recipe's epochs, or the override given in the environment.
epochs() { [ -n "${1:-}" ] && echo --epochs "$1" || true; }
limit="${LIMIT:-30000}"

vaejs train --model vae --arch mlp --hidden 256 --latent-dim 2 --epochs "${EPOCHS_VAE:-4}" --limit "$limit" \
  --batch-size 128 --lr 0.002 --test-limit 1000 --backend "$backend" --threads "$threads" --out "$work/vae" $(resume vae)
vaejs train --config "$recipes/mnist-vqvae.json" $(epochs "${EPOCHS_VQVAE:-}") --limit "${LIMIT_VQVAE:-0}" \
  --backend "$backend" --threads "$threads" --out "$work/vqvae" $(resume vqvae)
vaejs encode --run "$work/vqvae" --out "$work/codes" --limit "${LIMIT_PRIOR:-0}" --backend "$backend" --threads "$threads"
vaejs prior train --config "$recipes/mnist-prior-conditional.json" $(epochs "${EPOCHS_PRIOR:-}") --codes "$work/codes" \
  --backend "$backend" --threads "$threads" --out "$work/pixelcnn" $(resume pixelcnn)

# The latest checkpoint of each run (found and checked by @vaejs/training), without the optimizer state the page does
# not need.
for name in vae vqvae pixelcnn; do
  source="$(cd "$demo" && node --input-type=module -e \
    "import { findLatestCheckpoint } from '@vaejs/training'; console.log(findLatestCheckpoint(process.argv[1]).location)" \
    "$work/$name")"
  target="$models_out/$name"
  rm -rf "$target" && mkdir -p "$target"
  cp "$source/checkpoint.json" "$source/$name.json" "$target/"
  for part in "$source"/*/; do cp -r "$part" "$target/"; done
  cp "$work/$name/metrics.jsonl" "$target/metrics.jsonl"
  echo "copied $source → $target"
done
node "$demo/scripts/export-test-images.mjs" "$models_out/test-images.bin" 400
du -sh "$models_out"/*
