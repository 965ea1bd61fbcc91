#!/usr/bin/env bash
# Trains the demo's out-of-the-box models with the trainer CLI on MNIST (small runs, a few minutes on a laptop CPU)
# and copies their latest checkpoints (without optimizer state) into apps/demo/public/models/<name>/:
#   vae       a 2-D MLP VAE (reconstructions, samples, interpolation, the latent manifold and the scatter of codes)
#   vqvae     a VQ-VAE with 7×7 code maps (code-map editor)
#   pixelcnn  a gated PixelCNN prior on the VQ-VAE's codes (sampling position by position)
# Also re-exports the test images the views pick from (public/models/test-images.bin).
# Usage: bash apps/demo/scripts/train-models.sh [work folder]   (needs `pnpm run build` first, for the trainer)
# Env: EPOCHS_VAE, EPOCHS_VQVAE, EPOCHS_PRIOR, LIMIT (training images), BACKEND (default auto), THREADS (wasm
# threads, default 1).
# LIMIT_VQVAE (default 15000), VQVAE_CHANNELS (default 16), LIMIT_PRIOR (code maps the prior learns from, default
# 8000), MODELS_OUT (where the checkpoints go, default apps/demo/public/models).
# Re-running with the same work folder resumes each run from its last checkpoint (a finished run is kept as is).
set -euo pipefail
demo="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$demo/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/vaejs-demo-models.XXXXXX)}"
vaejs() { node "$root/apps/trainer/dist/cli.js" "$@"; }
models_out="${MODELS_OUT:-$demo/public/models}"
backend="${BACKEND:-auto}"
threads="${THREADS:-1}"
# --resume when the run folder already has a checkpoint, so an interrupted script picks up where it stopped.
resume() { [ -f "$work/$1/checkpoints/latest.json" ] && echo --resume || true; }
limit="${LIMIT:-30000}"
limit_vq="${LIMIT_VQVAE:-15000}"

vaejs train --model vae --arch mlp --hidden 256 --latent-dim 2 --epochs "${EPOCHS_VAE:-4}" --limit "$limit" \
  --batch-size 128 --lr 0.002 --test-limit 1000 --backend "$backend" --threads "$threads" --out "$work/vae" $(resume vae)
vaejs train --model vqvae --channels "${VQVAE_CHANNELS:-16}" --code-dim 16 --codebook-size 64 --epochs "${EPOCHS_VQVAE:-2}" --limit "$limit_vq" \
  --batch-size 64 --test-limit 500 --backend "$backend" --threads "$threads" --out "$work/vqvae" $(resume vqvae)
vaejs encode --run "$work/vqvae" --out "$work/codes" --limit "${LIMIT_PRIOR:-8000}" --backend "$backend" --threads "$threads"
vaejs prior train --codes "$work/codes" --channels 32 --layers 4 --epochs "${EPOCHS_PRIOR:-3}" --batch-size 128 \
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
