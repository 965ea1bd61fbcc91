"""The test loss of each kind, defined as `vaejs eval` defines it, so that the figure a PyTorch run reports is the one
vaejs reports for the imported run:

- VAE family (`vae.evaluate`): the whole test set in batches of 100, one posterior sample per image whose ε is
  vaejs' own (`createRng(seed).nextSeed()` per batch, then tf.randomNormal: tfjs_random.py); loss = reconstruction
  + β·KL (β = 0 for the autoencoders), negative ELBO (β = 1, plus ½·D·log π for 'gaussian'), bits per dimension;
  a denoising AE is scored on clean images; a binarised run on its test images binarised as vaejs does it.
- VQ-VAE (`evaluate`): the mean of each loss part over batches of 100, weighted by batch size; the codes' perplexity
  and usage over the first 2,000 test images.
- prior (`evaluate`): nats per position, bits per dimension.

With several processes the batches are shared out (batch i on rank i mod world) and the sums all-reduced: the same
numbers as on one process, to float rounding.
"""
import math

import torch
from torch.nn import functional as F

from .data import test_pixels
from .tfjs_random import Rng, gaussian_noise

BATCH = 100


def _shared(ctx, count):
    """The batch indices of this rank."""
    batches = range(math.ceil(count / BATCH))
    return [b for b in batches if b % ctx.world == ctx.rank]


def _sum(ctx, values):
    tensor = torch.tensor(values, dtype=torch.float64, device=ctx.device)
    return ctx.all_reduce_sum(tensor).cpu().tolist()


@torch.no_grad()
def evaluate_vae(model, data, ctx, binarize="none", seed=0):
    x_all = test_pixels(data, binarize, seed)
    labels_all = F.one_hot(data.labels, model.classes).float() if model.classes else None
    n = data.size
    rng = Rng(seed)
    seeds = [rng.next_seed() for _ in range(math.ceil(n / BATCH))]
    totals = [0.0, 0.0]
    for b in _shared(ctx, n):
        start, end = b * BATCH, min(n, (b + 1) * BATCH)
        x = x_all[start:end].to(ctx.device)
        labels = labels_all[start:end].to(ctx.device) if labels_all is not None else None
        eps = gaussian_noise([end - start, model.config["latentDim"]], seeds[b]).to(ctx.device)
        reconstruction, kl = model.terms(x, None, eps, labels)
        totals[0] += reconstruction.double().sum().item()
        totals[1] += kl.double().sum().item()
    reconstruction, kl = (value / n for value in _sum(ctx, totals))
    beta = model.config.get("beta", 1) if model.variational else 0
    negative_elbo = reconstruction + kl + model.gaussian_constant()
    dims = math.prod(model.shape)
    return {"loss": reconstruction + beta * kl, "reconstruction": reconstruction, "kl": kl, "negativeElbo": negative_elbo, "bitsPerDim": negative_elbo / (dims * math.log(2))}


@torch.no_grad()
def evaluate_vqvae(model, data, ctx, binarize="none", seed=0):
    x_all = test_pixels(data, binarize, seed)
    n = data.size
    names = ("loss", "reconstruction", "reconstructionMse", "codebook", "commitment", "perplexity", "usage")
    totals = [0.0] * len(names)
    for b in _shared(ctx, n):
        x = x_all[b * BATCH : min(n, (b + 1) * BATCH)].to(ctx.device)
        parts = model.loss(x)
        for i, name in enumerate(names):
            totals[i] += parts[name].double().item() * x.shape[0]
    means = dict(zip(names, (value / n for value in _sum(ctx, totals))))
    sample = x_all[: min(n, 2000)].to(ctx.device)
    counts = torch.zeros(model.config["codebookSize"], device=ctx.device)
    for start in range(0, sample.shape[0], 500):
        codes = model.encode(sample[start : start + 500]).reshape(-1)
        counts += torch.bincount(codes, minlength=len(counts)).float()
    p = counts / counts.sum()
    means["code_perplexity"] = math.exp(-(p * torch.log(p.clamp_min(1e-30))).sum().item())
    means["code_usage"] = (counts > 0).float().mean().item()
    return means


@torch.no_grad()
def evaluate_prior(model, data, ctx):
    n = data.size
    total = [0.0]
    classes = model.config.get("numClasses", 0)
    for b in _shared(ctx, n):
        maps = data.images[b * BATCH : min(n, (b + 1) * BATCH)].to(ctx.device)
        labels = None
        if classes and data.labels is not None:
            labels = F.one_hot(data.labels[b * BATCH : min(n, (b + 1) * BATCH)], classes).float().to(ctx.device)
        total[0] += model.loss(maps, labels)["loss"].double().item() * maps.shape[0]
    loss = _sum(ctx, total)[0] / n
    return {"loss": loss, "bitsPerDim": loss / math.log(2)}


def evaluate(kind, model, data, ctx, binarize="none", seed=0):
    """The test figures of `model` on `data` (`loss` first), as `vaejs eval` reports them."""
    model.eval()
    try:
        if kind == "vae":
            return evaluate_vae(model, data, ctx, binarize, seed)
        if kind == "vqvae":
            return evaluate_vqvae(model, data, ctx, binarize, seed)
        return evaluate_prior(model, data, ctx)
    finally:
        model.train()
