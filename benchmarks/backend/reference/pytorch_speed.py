#!/usr/bin/env python3
"""PyTorch's training speed on this CPU, the anchor of benchmarks/backend/native.bench.mjs: the twins of the vaejs
models (python/vaejs_torch: the same architectures and losses, held to vaejs' outputs by python/test/parity.test.ts)
trained the way PyTorch's own examples/vae trains, over shuffled batches of real data:

    for batch in permutation.split(batch_size):
        x = data[batch]; optimizer.zero_grad(); loss = model.loss(x); loss.backward(); optimizer.step(); loss.item()

mlp: examples/vae's 784-400-20 VAE; conv: @vaejs/vae's default conv VAE (latent 16); vqvae: the mnist-vqvae recipe
(conv 32/64 k3 s2, D 16, K 128, EMA, restarts; the EMA update and restarts run after each step, as vaejs'); prior:
the mnist-prior-conditional recipe's gated PixelCNN (6 blocks of 64 channels, K 128, 10 classes) on 7×7 maps.
Images are MNIST's (IDX files of --data); the prior's maps are uniform random codes with random labels (its speed does
not depend on the values). Adam 1e-3, batch --batch, --seconds of steps after --warmup seconds of warm-up steps (at least two).

Prints one JSON line: ms/step (median), CPU ms/step (process time), images/s, peak RSS, the BLAS library loaded and,
for the health check, the step's GFLOP/s beside torch.mm's on the MLP's largest product (`--peak`).
Needs Debian's python3-torch (with libopenblas0: its bare dependency is the reference BLAS); nothing is downloaded.

    python3 pytorch_speed.py --model mlp|conv|vqvae|prior --data <mnist folder> --threads 1 --seconds 5 --batch 128
"""
import argparse
import json
import os
import resource
import statistics
import struct
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
from vaejs_torch import GatedPixelCnn, Vae, VqVae  # noqa: E402

CONFIGS = {
    "mlp": {"inputShape": [28, 28, 1], "latentDim": 20, "arch": "mlp", "hidden": [400]},
    "conv": {"inputShape": [28, 28, 1], "latentDim": 16, "arch": "conv", "filters": [32, 64], "kernelSize": 4, "denseUnits": 256},
    "vqvae": {
        "inputShape": [28, 28, 1], "dim": 16, "codebookSize": 128, "encoderFilters": [32, 64], "decoderFilters": [64, 32],
        "kernelSize": 3, "outputActivation": "sigmoid", "dataVariance": 0.0949,
        "quantizer": {"beta": 0.25, "ema": True, "decay": 0.99, "epsilon": 1e-5, "deadCodeThreshold": 1},
    },
    "prior": {
        "architecture": "gated", "channels": 64, "layers": 6, "kernelSize": 3, "embeddingDim": 64, "headChannels": 128,
        "numClasses": 10, "numCategories": 128, "height": 7, "width": 7,
    },
}


def read_idx_images(path):
    with open(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise SystemExit(f"pytorch_speed.py: expected {path} an IDX image file (magic 2051), got {magic}.")
        data = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
    return data.view(count, 1, rows, cols).float() / 255.0


def blas_library():
    """The BLAS shared library this process loaded (Debian's alternatives pick it: OpenBLAS or the reference BLAS)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    resolved = sorted({os.path.realpath(p) for p in paths})
    return ", ".join(resolved) or "none"


def mm_gflops(seconds=1.0):
    """torch.mm's GFLOP/s on the MLP step's largest product, [128, 784] × [784, 400]: this BLAS's peak here."""
    a, b = torch.rand(128, 784), torch.rand(784, 400)
    for _ in range(3):
        a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    return 2 * 128 * 784 * 400 * count / (time.perf_counter() - start) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(CONFIGS), required=True)
    parser.add_argument("--data", help="folder of MNIST's IDX files (mlp, conv, vqvae)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=0, help="seconds of steps before measuring (at least two steps)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--peak", action="store_true", help="also measure torch.mm's GFLOP/s (the health check)")
    args = parser.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    config = CONFIGS[args.model]
    if args.model == "prior":
        model = GatedPixelCnn(config)
        data = torch.randint(0, config["numCategories"], (4096, 7, 7))
        labels = torch.nn.functional.one_hot(torch.randint(0, 10, (4096,)), 10).float()
        step_loss = lambda batch: model.loss(data[batch], labels[batch])["loss"]  # noqa: E731
    else:
        if not args.data:
            raise SystemExit("pytorch_speed.py: expected --data <folder of MNIST IDX files>, got none.")
        data = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte"))
        model = VqVae(config) if args.model == "vqvae" else Vae(config)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)

    def step(batch):
        optimizer.zero_grad()
        if args.model == "vqvae":
            parts = model.loss(data[batch])
            parts["loss"].backward()
            optimizer.step()
            model.quantizer.update(parts["flat"], parts["indices"])
            return parts["loss"].item()
        loss = step_loss(batch) if args.model == "prior" else model.loss(data[batch])["loss"]
        loss.backward()
        optimizer.step()
        return loss.item()

    def batches():
        while True:
            yield from torch.randperm(data.shape[0]).split(args.batch)

    stream = (b for b in batches() if b.shape[0] == args.batch)
    warm_until = time.perf_counter() + args.warmup
    warm = 0
    while warm < 2 or time.perf_counter() < warm_until:
        step(next(stream))
        warm += 1
    times = []
    cpu_start, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < args.seconds or len(times) < 3:
        t0 = time.perf_counter()
        step(next(stream))
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu_start
    median = statistics.median(times) * 1000
    result = {
        "steps": len(times),
        "medianMs": median,
        "cpuMsPerStep": cpu * 1000 / len(times),
        "imagesPerSecond": args.batch * 1000 / median,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
    }
    if args.model == "mlp":
        macs = 784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784
        result["stepGflops"] = 3 * 2 * macs * args.batch / median / 1e6
    if args.peak:
        result["mmGflops"] = mm_gflops()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
