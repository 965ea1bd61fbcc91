"""The training loop of `python -m vaejs_torch.train` (train.py prepares it): DistributedDataParallel over the
processes torchrun started, each on one contiguous slice of every global batch; every random draw made for the
whole global batch alike on every rank (a generator seeded by the step); the loss of each slice weighted by its share
of the batch, so that DDP's average of the gradients is the gradient of the whole batch's mean; the VQ-VAE's k-means,
EMA and restarts synchronised through the Context; the test loss as `vaejs eval` defines it; a checkpoint on rank 0
after every epoch.
"""
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel

from .data import corrupt, pixels
from .distributed import local_slice
from .evaluate import evaluate
from .optim import SlotLayout, build_optimizer, load_slots
from .tfjs_random import mix_seed
from .trained import epoch_record, log_step, save

# seed tags of the two streams: the epoch's order, and each step's draws
TAG_ORDER, TAG_STEP = 0x4550, 0x5354_4550


class Objective(nn.Module):
    """The loss of one batch, as DistributedDataParallel wraps it (its forward is what DDP syncs around)."""

    def __init__(self, kind, model):
        super().__init__()
        self.kind, self.model = kind, model

    def forward(self, batch):
        if self.kind == "vae":
            return self.model.loss(batch["x"], eps=batch["eps"], labels=batch.get("labels"), target=batch.get("target"))
        if self.kind == "vqvae":
            return self.model.loss(batch["x"], target=batch.get("target"))
        return self.model.loss(batch["x"], batch.get("labels"))


def global_batch(plan, indices, generator):
    """The whole global batch, drawn the same on every rank: inputs, targets, labels, noise."""
    model, data = plan.model, plan.train
    batch = {}
    if plan.kind == "pixelcnn":
        batch["x"] = data.images[indices]
        classes = model.config.get("numClasses", 0)
        if classes:
            batch["labels"] = F.one_hot(data.labels[indices], classes).float()
        return batch
    clean = pixels(data.images[indices], plan.binarize, generator)
    if plan.corruption:
        batch["x"], batch["target"] = corrupt(clean, plan.corruption, generator), clean
    else:
        batch["x"] = clean
    if plan.kind == "vae":
        batch["eps"] = torch.randn(len(indices), model.config["latentDim"], generator=generator)
        if model.classes:
            batch["labels"] = F.one_hot(data.labels[indices], model.classes).float()
    return batch


class Run:
    """Where a run stands: the model, its optimizer and DDP wrapper, the step, the history."""

    def __init__(self, plan, ctx):
        model = plan.model
        self.plan, self.ctx, self.model, self.kind = plan, ctx, model, plan.kind
        self.layout = SlotLayout(model)  # on the CPU, before the model moves
        model.to(ctx.device)
        parameters = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = build_optimizer(plan.optimizer["name"], parameters, plan.optimizer["learningRate"])
        slots, order = plan.bundle.optimizer, plan.optimizer.get("order")
        self.iterations = 0
        if slots is not None and order:
            self.iterations = load_slots(self.optimizer, plan.optimizer["name"], self.layout, slots, order)
        elif slots is not None and "iter" in slots:
            self.iterations = int(slots["iter"].item())
        objective = Objective(plan.kind, model)
        devices = [ctx.device] if ctx.device.type == "cuda" else None
        self.step_of = DistributedDataParallel(objective, device_ids=devices, broadcast_buffers=False) if ctx.distributed else objective
        training = plan.bundle.training
        self.first_epoch, self.step = training["epoch"] - plan.done, training["step"]
        self.history = list(training["history"])


def train(plan, ctx):
    """Trains the epochs left of `--epochs`, writing a checkpoint after each."""
    run = Run(plan, ctx)
    if ctx.is_main:
        share = f" = {ctx.world} × ~{plan.batch_size // ctx.world}" if ctx.distributed else ""
        print(f"data: {plan.train.name} {plan.train.size:,} items {'x'.join(map(str, plan.train.shape))}, test {plan.test.size:,}", file=sys.stderr)
        print(f"{ctx.label()}: global batch {plan.batch_size}{share}, {plan.optimizer['name']} lr {plan.optimizer['learningRate']}", file=sys.stderr)
    for done in range(plan.done, plan.args.epochs):
        train_epoch(run, done)
    if ctx.is_main:
        out = plan.args.out
        print(f"trained: {out} (bring it back: vaejs import --format pytorch --from {out} --out <run>)", file=sys.stderr)


def train_epoch(run, done):
    plan, ctx, kind = run.plan, run.ctx, run.kind
    epoch = run.first_epoch + done + 1
    started = time.perf_counter()
    n = plan.train.size
    order = torch.randperm(n, generator=torch.Generator().manual_seed(mix_seed(plan.seed, TAG_ORDER, epoch)))
    sums, seen = {}, 0
    for start in range(0, n, plan.batch_size):
        indices = order[start : start + plan.batch_size]
        means = train_step(run, indices)
        for name, value in means.items():
            sums[name] = sums.get(name, 0.0) + value * len(indices)
        seen += len(indices)
        if ctx.is_main:
            log_step(plan.args.out, run.step, epoch, means)
    seconds = time.perf_counter() - started
    test = evaluate(kind, run.model, plan.test, ctx, plan.binarize, 0) if plan.test.size else {}
    means = {k: v / seen for k, v in sums.items()}
    if kind == "vqvae":
        # what the EMA's all-reduce and the broadcast restarts promise: one codebook on every rank
        means["codebook_rank_spread"] = ctx.spread(run.model.quantizer.codebook)
    record = epoch_record(epoch, means, test, seen, seconds, ctx.label())
    run.history.append(record)
    if ctx.is_main:
        test_part = f"  test {record['test_loss']:.4f}" if record["test_loss"] is not None else ""
        rate = record["images_per_sec"]  # vaejs' one format for speeds: grouped whole numbers, 3 digits below 10
        speed = f"{rate:,.0f} items/s  {seconds:.1f} s" if rate >= 10 else f"{rate:.3g} items/s  {seconds:.1f} s"
        print(f"epoch {epoch} ({done + 1}/{plan.args.epochs} here): train {record['train_loss']:.4f}{test_part}  {speed}", file=sys.stderr)
        save(run, epoch, done + 1)
    ctx.barrier()


def train_step(run, indices):
    """One step on the global batch `indices`; returns its loss parts, means over the whole global batch."""
    plan, ctx, model, kind = run.plan, run.ctx, run.model, run.kind
    size = len(indices)
    generator = torch.Generator().manual_seed(mix_seed(plan.seed, TAG_STEP, run.step))
    whole = global_batch(plan, indices, generator)
    lo, hi = local_slice(size, ctx.world, ctx.rank)
    empty = hi == lo  # a last batch smaller than the world: this rank computes on one item, weighted 0
    batch = {key: value[slice(0, 1) if empty else slice(lo, hi)].to(ctx.device) for key, value in whole.items()}
    if kind == "vqvae" and model.quantizer.kmeans_init and not model.quantizer.initialized:
        with torch.no_grad():
            z_e = model.encode_continuous(batch["x"])
        model.quantizer.initialize(z_e[:0] if empty else z_e, ctx, generator)
    run.optimizer.zero_grad(set_to_none=True)
    parts = run.step_of(batch)
    (parts["loss"] * (0.0 if empty else (hi - lo) * ctx.world / size)).backward()
    run.optimizer.step()
    restarted = None
    if kind == "vqvae":
        flat, codes = parts.pop("flat"), parts.pop("indices").reshape(-1)
        restarted = model.quantizer.update(flat[:0] if empty else flat, codes[:0] if empty else codes, ctx, generator)
    names = list(parts)
    local = torch.tensor([float(parts[name]) * (hi - lo) for name in names], dtype=torch.float64, device=ctx.device)
    means = dict(zip(names, (ctx.all_reduce_sum(local) / size).cpu().tolist()))
    if restarted is not None:
        means["restarted"] = float(restarted)  # the same on every rank
    run.step += 1
    run.iterations += 1
    return means
