#!/usr/bin/env python3
"""Training speed of PyTorch on this CPU for benchmarks/backend/native.bench.mjs: PyTorch's examples/vae MLP VAE
(784-400-20) and the twin of vaejs' default conv VAE (@vaejs/vae createVae({ inputShape: [28, 28, 1], latentDim: 16 }):
conv 32 and 64, kernel 4, stride 2, 'same'; dense 256; heads mean and log-variance; dense 256, dense 7*7*64, transposed
convs 32 and 1; Bernoulli logits, BCE summed + KL), Adam 1e-3, batch 128 of random images, for --seconds after two
warm-up steps. Prints one JSON line: ms/step (median), CPU ms/step (process time), peak RSS. Needs Debian's
python3-torch; nothing is downloaded.

    python3 pytorch_speed.py --model mlp|conv --threads 1 --seconds 5 --batch 128
"""
import argparse
import json
import resource
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F


class MlpVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x.view(-1, 784)))
        mean, log_var = self.fc21(h), self.fc22(h)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        return self.fc4(F.relu(self.fc3(z))).view_as(x), mean, log_var


class ConvVae(nn.Module):
    def __init__(self, latent=16):
        super().__init__()
        # TF 'same' for kernel 4, stride 2 pads 1 on each side here (28 -> 14 -> 7); the transposed convs mirror it.
        self.c1, self.c2 = nn.Conv2d(1, 32, 4, 2, 1), nn.Conv2d(32, 64, 4, 2, 1)
        self.enc = nn.Linear(7 * 7 * 64, 256)
        self.mean, self.log_var = nn.Linear(256, latent), nn.Linear(256, latent)
        self.dec, self.project = nn.Linear(latent, 256), nn.Linear(256, 7 * 7 * 64)
        self.t1, self.t2 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(self, x):
        h = F.relu(self.enc(F.relu(self.c2(F.relu(self.c1(x)))).flatten(1)))
        mean, log_var = self.mean(h), self.log_var(h)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        h = F.relu(self.project(F.relu(self.dec(z)))).view(-1, 64, 7, 7)
        return self.t2(F.relu(self.t1(h))), mean, log_var


def loss_of(logits, x, mean, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp())
    return (bce + kl) / x.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["mlp", "conv"], required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    model = MlpVae() if args.model == "mlp" else ConvVae()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28) if args.model == "conv" else torch.rand(args.batch, 784)

    def step():
        optimizer.zero_grad()
        logits, mean, log_var = model(x)
        loss = loss_of(logits, x, mean, log_var)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(2):
        step()
    times = []
    cpu_start, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < args.seconds or len(times) < 3:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu_start
    median = statistics.median(times) * 1000
    print(json.dumps({
        "steps": len(times),
        "medianMs": median,
        "cpuMsPerStep": cpu * 1000 / len(times),
        "imagesPerSecond": args.batch * 1000 / median,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
