#!/usr/bin/env python3
"""The Keras VQ-VAE example's PixelCNN (keras.io/examples/generative/vq_vae), rebuilt in PyTorch and trained on a
vaejs code-map folder (`vaejs encode`), so that it and the vaejs gated prior are scored on the same map. Written from
the example's description:

- one-hot input over K; a 7x7 masked convolution of type A, 128 filters, ReLU;
- 2 residual blocks: 1x1 conv 128 ReLU, 3x3 masked conv of type B 64 ReLU, 1x1 conv 128 ReLU, added to the input;
- 2 masked 1x1 convolutions of type B (plain 1x1 convolutions), 128, ReLU; a 1x1 convolution to K logits;
- Glorot-uniform kernels and zero biases (Keras' defaults), Adam 3e-4, batch 128, softmax cross-entropy.

The example trains 30 epochs on 90 % of its training maps and reports the loss on the other 10 % (1.03 nats per
position after 30 epochs); here every training map is used and the test split is scored, once per epoch, as vaejs'
`prior train` does. Prints one JSON line per epoch. Needs Debian's python3-torch (apt), nothing downloaded.

    python3 keras_pixelcnn.py --codes <vaejs codes folder> --epochs 2 --threads 1 --seed 0
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


def read_idx_codes(path):
    with open(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x0C03:
            raise SystemExit(f"keras_pixelcnn.py: expected {path} an int32 IDX file of 3 dims (magic 3075), got magic {magic}.")
        data = np.frombuffer(f.read(), dtype=">i4")
    if data.size != count * rows * cols:
        raise SystemExit(f"keras_pixelcnn.py: expected {count * rows * cols} codes in {path}, got {data.size}.")
    return torch.from_numpy(data.astype(np.int64).reshape(count, rows, cols))


class MaskedConv2d(nn.Conv2d):
    """A 'same' convolution whose kernel sees only the rows above and, in the centre row, the columns left of the
    centre (type A) or up to it (type B), as the example's PixelConvLayer."""

    def __init__(self, mask_type, in_channels, out_channels, kernel_size):
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        mask = torch.zeros_like(self.weight)
        centre = kernel_size // 2
        mask[:, :, :centre, :] = 1
        mask[:, :, centre, :centre] = 1
        if mask_type == "B":
            mask[:, :, centre, centre] = 1
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class ResidualBlock(nn.Module):
    def __init__(self, filters):
        super().__init__()
        self.conv1 = nn.Conv2d(filters, filters, 1)
        self.pixel_conv = MaskedConv2d("B", filters, filters // 2, 3)
        self.conv2 = nn.Conv2d(filters // 2, filters, 1)

    def forward(self, x):
        return x + F.relu(self.conv2(F.relu(self.pixel_conv(F.relu(self.conv1(x))))))


class KerasPixelCnn(nn.Module):
    def __init__(self, num_categories, filters=128, residual_blocks=2, pixelcnn_layers=2):
        super().__init__()
        self.num_categories = num_categories
        self.first = MaskedConv2d("A", num_categories, filters, 7)
        self.blocks = nn.ModuleList([ResidualBlock(filters) for _ in range(residual_blocks)])
        self.layers = nn.ModuleList([MaskedConv2d("B", filters, filters, 1) for _ in range(pixelcnn_layers)])
        self.out = nn.Conv2d(filters, num_categories, 1)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, maps):
        x = F.one_hot(maps, self.num_categories).permute(0, 3, 1, 2).float()
        x = F.relu(self.first(x))
        for block in self.blocks:
            x = block(x)
        for layer in self.layers:
            x = F.relu(layer(x))
        return self.out(x)  # [n, K, h, w] logits


def mean_nats(model, maps, batch_size=500):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(maps), batch_size):
            batch = maps[start : start + batch_size]
            total += F.cross_entropy(model(batch), batch, reduction="sum").item()
    model.train()
    return total / maps.numel()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.codes, "codes.json")) as f:
        meta = json.load(f)
    train = read_idx_codes(os.path.join(args.codes, "train-codes.idx"))
    test = read_idx_codes(os.path.join(args.codes, "test-codes.idx"))
    model = KerasPixelCnn(meta["codebookSize"])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)  # Keras' Adam epsilon
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        order = torch.randperm(len(train))
        total, count = 0.0, 0
        for start in range(0, len(train), args.batch_size):
            batch = train[order[start : start + args.batch_size]]
            loss = F.cross_entropy(model(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.numel()
            count += batch.numel()
        seconds = time.perf_counter() - started
        line = {
            "epoch": epoch,
            "train_loss": total / count,
            "test_loss": mean_nats(model, test),
            "maps_per_sec": len(train) / seconds,
            "seconds": seconds,
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
