#!/usr/bin/env python3
"""PyTorch's examples/vae model and training loop, on the same MNIST IDX files vaejs reads, for the same-machine
baseline of benchmarks/trainer/quality.bench.mjs (--only=seeds). Written from the example's description: 784-400-20 MLP, ReLU,
sigmoid output, BCE summed over pixels + KL to N(0, I), Adam 1e-3, batch 128, shuffled training batches; losses are
means per example. Prints one JSON line per epoch. Needs Debian's python3-torch (apt), nothing downloaded.

    python3 pytorch_vae.py --data <folder with train-images-idx3-ubyte ...> --seed 1 --epochs 10 --threads 1

--dump DIR also writes what the run drew, for a replay by vaejs (quality.bench.mjs --only=parity): init.bin (the
initial weights in tfjs' layout and layer order: kernel [in, out] then bias, for fc1, fc21, fc22, fc3, fc4), and per
epoch E: perm-E.bin (int32, the shuffled order of the training images), eps-E.bin (float32, each step's noise
[batch, 20] in step order) and test-eps-E.bin (float32 [10000, 20], the test pass's noise). Dumping draws nothing
extra: the run is the same as without it.
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
        self.eps = torch.randn_like(mu)
        z = mu + self.eps * torch.exp(0.5 * logvar)
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
    parser.add_argument("--dump", default=None)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte"))
    test = read_idx_images(os.path.join(args.data, "t10k-images-idx3-ubyte"))
    model = VAE()
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        with open(os.path.join(args.dump, "init.bin"), "wb") as f:
            for layer in (model.fc1, model.fc21, model.fc22, model.fc3, model.fc4):
                f.write(layer.weight.detach().numpy().T.astype(np.float32).tobytes())
                f.write(layer.bias.detach().numpy().astype(np.float32).tobytes())
    dumped = lambda name, epoch: open(os.path.join(args.dump, f"{name}-{epoch}.bin"), "wb") if args.dump else None
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        total = 0.0
        perm = torch.randperm(train.shape[0])
        eps_file = dumped("eps", epoch)
        if eps_file:
            with dumped("perm", epoch) as f:
                f.write(perm.numpy().astype(np.int32).tobytes())
        for batch in perm.split(128):
            x = train[batch]
            optimizer.zero_grad()
            recon, mu, logvar = model(x)
            if eps_file:
                eps_file.write(model.eps.numpy().astype(np.float32).tobytes())
            loss = loss_function(recon, x, mu, logvar)
            loss.backward()
            total += loss.item()
            optimizer.step()
        seconds = time.perf_counter() - started
        if eps_file:
            eps_file.close()
        model.eval()
        test_total = 0.0
        test_eps_file = dumped("test-eps", epoch)
        with torch.no_grad():
            for x in test.split(128):
                recon, mu, logvar = model(x)
                if test_eps_file:
                    test_eps_file.write(model.eps.numpy().astype(np.float32).tobytes())
                test_total += loss_function(recon, x, mu, logvar).item()
        if test_eps_file:
            test_eps_file.close()
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
