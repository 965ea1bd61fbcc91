#!/usr/bin/env python3
"""PyTorch's examples/vae model and training loop, on the same MNIST IDX files vaejs reads, for the same-machine
baseline of bench/quality.bench.mjs (--pytorch). Written from the example's description: 784-400-20 MLP, ReLU,
sigmoid output, BCE summed over pixels + KL to N(0, I), Adam 1e-3, batch 128, shuffled training batches; losses are
means per example. Prints one JSON line per epoch. Needs Debian's python3-torch (apt), nothing downloaded.

    python3 pytorch_vae.py --data <folder with train-images-idx3-ubyte ...> --seed 1 --epochs 10 --threads 1
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def read_idx_images(path):
    with open(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise SystemExit(f"pytorch_vae.py: expected {path} an IDX image file (magic 2051), got magic {magic}.")
        data = np.frombuffer(f.read(), dtype=np.uint8)
    if data.size != count * rows * cols:
        raise SystemExit(f"pytorch_vae.py: expected {count * rows * cols} pixels in {path}, got {data.size}.")
    return torch.from_numpy(data.reshape(count, rows * cols).astype(np.float32) / 255.0)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def loss_function(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte"))
    test = read_idx_images(os.path.join(args.data, "t10k-images-idx3-ubyte"))
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        total = 0.0
        for batch in torch.randperm(train.shape[0]).split(128):
            x = train[batch]
            optimizer.zero_grad()
            recon, mu, logvar = model(x)
            loss = loss_function(recon, x, mu, logvar)
            loss.backward()
            total += loss.item()
            optimizer.step()
        seconds = time.perf_counter() - started
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for x in test.split(128):
                recon, mu, logvar = model(x)
                test_total += loss_function(recon, x, mu, logvar).item()
        print(json.dumps({
            "epoch": epoch,
            "train_loss": total / train.shape[0],
            "test_loss": test_total / test.shape[0],
            "images_per_sec": train.shape[0] / seconds,
            "threads": args.threads,
            "torch": torch.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
