"""Trains a model `vaejs export --format pytorch` wrote, on one process or many, and writes it back in the same format
for `vaejs import --format pytorch`:

    PYTHONPATH=python torchrun --nproc_per_node=2 -m vaejs_torch.train --model exported/vq --dataset mnist \\
      --limit 4096 --epochs 1 --batch-size 128 --out trained/vq

Under torchrun every process trains a DistributedDataParallel copy (gloo on CPUs, NCCL on GPUs) on one contiguous
slice of each global batch of --batch-size; DDP averages the gradients, each slice's loss weighted by its share of the
batch, so a step is the step one process would take on the whole batch. Every random draw (the data's order, a VAE's
ε, a binarised pixel, a denoising AE's noise) is drawn for the whole global batch from a generator seeded by the step,
the same on every rank, then sliced: N processes take the same steps as one, to float rounding. The VQ-VAE's EMA
counts and sums are all-reduced, restarts drawn on rank 0 and broadcast: every rank keeps the same codebook.

The losses are vaejs' own (vae.py, vqvae.py, pixelcnn.py, held to vaejs by the parity tests), the optimizer is the
run's (optim.py), the test loss is `vaejs eval`'s (evaluate.py). After each epoch rank 0 writes a checkpoint
(`<out>/checkpoints/epoch-NNNN/`, a whole bridge folder) and the newest state at the top of --out (config.json last),
and appends the epoch to <out>/metrics.jsonl; --resume continues from the newest checkpoint. Bad input (a folder,
a tensor, a flag, the data) is one line on stderr and exit status 2, before any process group starts.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time
import warnings

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel

from .bundle import CONFIG_FILE, OPTIMIZER_FILE, WEIGHTS_FILE, BundleError, load_model, read_bundle, write_bundle
from .data import DataError, corrupt, load_codes, load_splits, pixels
from .distributed import Context, local_slice
from .evaluate import evaluate
from .optim import SlotLayout, build_optimizer, export_slots, load_slots
from .tfjs_random import mix_seed

PROGRAM = "vaejs_torch.train"
# torch < 2 compares the strides of a 1×1 convolution's size-1 axes too, and warns that its gradient does not match
# DDP's bucket: nothing is wrong (later versions compare only the axes that matter)
warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")
KEEP_CHECKPOINTS = 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse(argv):
    parser = Parser(prog=f"python -m {PROGRAM}", description="Train an exported vaejs model (vaejs export --format pytorch) with PyTorch, under torchrun for several processes.")
    parser.add_argument("--model", required=True, help="a folder vaejs export --format pytorch wrote")
    parser.add_argument("--out", required=True, help="the folder to write the trained model to (vaejs import --format pytorch --from <out>)")
    parser.add_argument("--dataset", help="mnist, fashion-mnist, a folder of IDX files or of PNG images (default: the run's own)")
    parser.add_argument("--codes", help="a prior's code maps, as vaejs encode wrote them (default: the run's own)")
    parser.add_argument("--data-dir", help="where MNIST's (or Fashion-MNIST's) IDX files are (default: found as vaejs finds them)")
    parser.add_argument("--image-size", type=positive, help="image folders: resize the images to this side length")
    parser.add_argument("--limit", type=whole, default=0, help="train on the first N items only (0: all)")
    parser.add_argument("--test-limit", type=whole, default=0, help="test on the first N items only (0: all)")
    parser.add_argument("--epochs", type=positive, default=1, help="epochs to train (with --resume: the total of this run)")
    parser.add_argument("--batch-size", type=positive, help="the global batch, shared out over the processes (default: the run's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the run's)")
    parser.add_argument("--seed", type=whole, help="seed of the order, the noise and the draws (default: the run's)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="cuda when available (auto), or cpu")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out from its newest checkpoint")
    return parser.parse_args(argv)


def whole(text):
    value = int(text) if text.strip().lstrip("-").isdigit() else -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"an integer ≥ 0, got '{text}'")
    return value


def positive(text):
    value = whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a positive integer, got '{text}'")
    return value


# preparing: everything checked before a process group starts


class Plan:
    """What a run trains: the bundle, the model, the data, the settings."""


def prepare(args):
    plan = Plan()
    plan.args = args
    existing = os.path.join(args.out, CONFIG_FILE)
    if args.resume and not os.path.exists(os.path.join(args.out, "checkpoints", "latest.json")):
        raise UsageError(f"expected --out a run of this script to resume (with checkpoints/latest.json), got '{args.out}' without.")
    if not args.resume and os.path.exists(existing):
        raise UsageError(f"expected --out a new folder (or --resume to continue the run in it), got '{args.out}', which holds a trained model.")
    exported = read_bundle(args.model)
    if args.resume:
        with open(os.path.join(args.out, "checkpoints", "latest.json"), encoding="utf-8") as f:
            latest = json.load(f)["checkpoint"]
        bundle = read_bundle(os.path.join(args.out, "checkpoints", latest), "--out")
        if bundle.kind != exported.kind or bundle.config["model"] != exported.config["model"]:
            raise UsageError(f"expected --out a run of --model's model, got '{args.out}' with another {bundle.kind} config.")
    else:
        bundle = exported
    plan.bundle, plan.kind, plan.model = bundle, bundle.kind, load_model(bundle)
    training = bundle.training
    pytorch = bundle.config.get("pytorch", {}) if args.resume else {}
    plan.done = pytorch.get("epochs", 0)
    fit = training.get("fit", {})
    batches = fit.get("batches") or {}
    plan.binarize, plan.corruption = batches.get("binarize", "none"), batches.get("corruption")
    optimizer = bundle.config.get("optimizer") or {"name": fit.get("optimizer", "adam"), "learningRate": fit.get("learningRate", 1e-3), "order": []}
    if optimizer["name"] not in ("adam", "rmsprop", "sgd"):
        optimizer = {**optimizer, "name": "adam"}
    plan.optimizer = {**optimizer, "learningRate": args.lr or optimizer["learningRate"]}
    plan.batch_size = args.batch_size or fit.get("batchSize") or 128
    plan.seed = args.seed if args.seed is not None else int(fit.get("seed", 0))
    load_data(plan, args, training.get("dataset") or {})
    return plan


def load_data(plan, args, dataset):
    config = plan.model.config
    if plan.kind == "pixelcnn":
        codes = args.codes or dataset.get("codes")
        if not codes:
            raise UsageError("expected --codes the prior's code maps (vaejs encode writes them), got nothing.")
        plan.train, plan.test, manifest = load_codes(codes, args.limit, args.test_limit)
        plan.dataset = {"name": "codes", "codes": os.path.abspath(codes)}
        if manifest.get("numCategories", manifest.get("codebookSize")) != config["numCategories"]:
            raise DataError(f"expected --codes maps of K = {config['numCategories']} (the prior's numCategories), got K = {manifest.get('numCategories')}.")
        if [manifest["height"], manifest["width"]] != [config["height"], config["width"]]:
            raise DataError(f"expected --codes maps of {config['height']}×{config['width']} (the prior's), got {manifest['height']}×{manifest['width']}.")
    else:
        name = args.dataset or dataset.get("name") or "mnist"
        data_dir = args.data_dir or (dataset.get("dataDir") if name == dataset.get("name") else None)
        size = args.image_size or dataset.get("imageSize")
        plan.train, plan.test = load_splits(name, data_dir, args.limit, args.test_limit, size, near=(plan.bundle.folder,))
        shape = list(config["inputShape"])
        if plan.train.shape != shape:
            raise DataError(f"expected --dataset images of {shape} (the model's inputShape), got {plan.train.shape} ('{name}').")
        plan.dataset = {"name": name if name in ("mnist", "fashion-mnist") else os.path.abspath(name), **({"imageSize": size} if size else {})}
        if data_dir:
            plan.dataset["dataDir"] = os.path.abspath(data_dir)
    needs_labels = (plan.kind == "vae" and plan.model.classes) or (plan.kind == "pixelcnn" and config.get("numClasses", 0))
    if needs_labels and plan.train.labels is None:
        raise DataError("expected labelled data for a conditional model, got data without labels.")


# training


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


def train(plan, ctx):
    model, kind, args = plan.model, plan.kind, plan.args
    if plan.batch_size < ctx.world:
        raise UsageError(f"expected --batch-size at least the number of processes ({ctx.world}), got {plan.batch_size}.")
    layout = SlotLayout(model)
    model.to(ctx.device)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = build_optimizer(plan.optimizer["name"], parameters, plan.optimizer["learningRate"])
    bundle = plan.bundle
    iterations = 0
    if bundle.optimizer is not None and plan.optimizer.get("order"):
        iterations = load_slots(optimizer, plan.optimizer["name"], layout, bundle.optimizer, plan.optimizer["order"])
    elif bundle.optimizer is not None and "iter" in bundle.optimizer:
        iterations = int(bundle.optimizer["iter"].item())
    objective = Objective(kind, model)
    devices = [ctx.device] if ctx.device.type == "cuda" else None
    step_of = DistributedDataParallel(objective, device_ids=devices, broadcast_buffers=False) if ctx.distributed else objective
    training = bundle.training
    epoch0, step = training["epoch"] - plan.done, training["step"]
    history = list(training["history"])
    n = plan.train.size
    if ctx.is_main:
        share = f" = {ctx.world} × ~{plan.batch_size // ctx.world}" if ctx.distributed else ""
        print(f"data: {plan.train.name} {n} items {'x'.join(map(str, plan.train.shape))}, test {plan.test.size}", file=sys.stderr)
        print(f"{ctx.label()}: global batch {plan.batch_size}{share}, {plan.optimizer['name']} lr {plan.optimizer['learningRate']}", file=sys.stderr)
    for done in range(plan.done, args.epochs):
        epoch = epoch0 + done + 1
        started = time.perf_counter()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(mix_seed(plan.seed, 0x4550, epoch)))
        sums, seen = {}, 0
        for start in range(0, n, plan.batch_size):
            indices = order[start : start + plan.batch_size]
            size = len(indices)
            generator = torch.Generator().manual_seed(mix_seed(plan.seed, 0x5354_4550, step))
            whole_batch = global_batch(plan, indices, generator)
            lo, hi = local_slice(size, ctx.world, ctx.rank)
            empty = hi == lo  # a last batch smaller than the world: this rank computes on one item, weighted 0
            part = slice(0, 1) if empty else slice(lo, hi)
            batch = {key: value[part].to(ctx.device) for key, value in whole_batch.items()}
            weight = 0.0 if empty else (hi - lo) * ctx.world / size
            if kind == "vqvae" and model.quantizer.kmeans_init and not model.quantizer.initialized:
                with torch.no_grad():
                    z_e = model.encode_continuous(batch["x"])[: 0 if empty else None]
                model.quantizer.initialize(z_e, ctx, generator)
            optimizer.zero_grad(set_to_none=True)
            parts = step_of(batch)
            (parts["loss"] * weight).backward()
            optimizer.step()
            if kind == "vqvae":
                flat, codes = parts["flat"], parts["indices"].reshape(-1)
                if empty:
                    flat, codes = flat[:0], codes[:0]
                parts["restarted"] = torch.tensor(float(model.quantizer.update(flat, codes, ctx, generator)))
            names = [name for name in parts if name not in ("flat", "indices")]
            local = torch.tensor([float(parts[name]) * (0 if empty else hi - lo) for name in names], dtype=torch.float64, device=ctx.device)
            means = (ctx.all_reduce_sum(local) / size).cpu().tolist()
            if kind == "vqvae":
                means[names.index("restarted")] = float(parts["restarted"])
            for name, value in zip(names, means):
                sums[name] = sums.get(name, 0.0) + value * size
            seen += size
            step += 1
            iterations += 1
            if ctx.is_main:
                log_step(args.out, step, epoch, dict(zip(names, means)))
        seconds = time.perf_counter() - started
        test = evaluate(kind, model, plan.test, ctx, plan.binarize, 0) if plan.test.size else {}
        means = {k: v / seen for k, v in sums.items()}
        if kind == "vqvae":
            # what the EMA's all-reduce and the broadcast restarts promise: one codebook on every rank
            means["codebook_rank_spread"] = ctx.spread(model.quantizer.codebook)
        record = epoch_record(epoch, means, test, seen, seconds, ctx.label())
        history.append(record)
        if ctx.is_main:
            test_part = f"  test {record['test_loss']:.4f}" if record["test_loss"] is not None else ""
            print(f"epoch {epoch} ({done + 1}/{args.epochs} here): train {record['train_loss']:.4f}{test_part}  {record['images_per_sec']:.0f} items/s  {seconds:.1f} s", file=sys.stderr)
            save(plan, ctx, model, optimizer, layout, iterations, epoch, step, history, done + 1)
        ctx.barrier()
    if ctx.is_main:
        print(f"trained: {args.out} (bring it back: vaejs import --format pytorch --from {args.out} --out <run>)", file=sys.stderr)


def metric_name(part):
    return "recon" if part == "reconstruction" else part


def epoch_record(epoch, means, test, seen, seconds, backend):
    """A line of metrics.jsonl as vaejs writes it (a figure that is not finite is null, as JSON.stringify writes it)."""
    record = {"epoch": epoch, "train_loss": means.get("loss"), "test_loss": test.get("loss")}
    record.update({metric_name(k): v for k, v in means.items() if k != "loss"})
    record.update({f"test_{metric_name(k)}": v for k, v in test.items() if k != "loss"})
    record.update(images_per_sec=seen / max(seconds, 1e-9), seconds=seconds, backend=backend)
    return {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in record.items()}


def log_step(out, step, epoch, means):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "steps.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps({"step": step, "epoch": epoch, **means}) + "\n")


# writing


def updated_config(plan, ctx, epoch, step, history, done):
    """The bridge config of the trained model: where training stands, what it trained on, how (the vaejs run's
    flags updated, so that `vaejs train --resume` and `vaejs prior train --resume` continue it on the same data)."""
    config = json.loads(json.dumps(plan.bundle.config))
    training = config["training"]
    fit = {**training.get("fit", {}), "epochs": epoch, "batchSize": plan.batch_size, "seed": plan.seed}
    fit.update(optimizer=plan.optimizer["name"], learningRate=plan.optimizer["learningRate"])
    data = {"train": {"name": plan.train.name, "size": plan.train.size}, "test": {"name": plan.test.name, "size": plan.test.size} if plan.test.size else None}
    app = training.get("app")
    if isinstance(app, dict) and isinstance(app.get("flags"), dict):
        flags = dict(app["flags"])
        key = "codes" if plan.kind == "pixelcnn" else "dataset"
        flags.update({key: plan.dataset.get("codes", plan.dataset["name"]), "limit": plan.args.limit, "testLimit": plan.args.test_limit})
        flags.update(batchSize=plan.batch_size, epochs=epoch, lr=plan.optimizer["learningRate"], seed=plan.seed)
        if plan.dataset.get("imageSize"):
            flags["imageSize"] = plan.dataset["imageSize"]
        app = {**app, "flags": flags}
    training.update(epoch=epoch, step=step, history=history, fit=fit, data=data, app=app, dataset=plan.dataset)
    if plan.kind == "vqvae":
        config["state"]["initialized"] = bool(plan.model.quantizer.initialized)
    config["pytorch"] = {"epochs": done, "torch": torch.__version__, "worldSize": ctx.world, "backend": ctx.backend, "device": ctx.device.type}
    return config


def save(plan, ctx, model, optimizer, layout, iterations, epoch, step, history, done):
    out = plan.args.out
    config = updated_config(plan, ctx, epoch, step, history, done)
    config["optimizer"] = {**plan.optimizer}
    weights = {name: tensor.cpu() for name, tensor in model.tfjs_weights().items()}
    slots, order = export_slots(optimizer, plan.optimizer["name"], layout, iterations)
    config["optimizer"]["order"] = order
    name = f"epoch-{epoch:04d}"
    checkpoints = os.path.join(out, "checkpoints")
    write_bundle(os.path.join(checkpoints, name), config, weights, slots)
    replace_json(os.path.join(checkpoints, "latest.json"), {"checkpoint": name})
    for file in (WEIGHTS_FILE, OPTIMIZER_FILE, CONFIG_FILE):
        temporary = os.path.join(out, f".{file}.tmp-{os.getpid()}")
        shutil.copyfile(os.path.join(checkpoints, name, file), temporary)
        os.replace(temporary, os.path.join(out, file))
    with open(os.path.join(out, "metrics.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(history[-1]) + "\n")
    folders = sorted(d for d in os.listdir(checkpoints) if d.startswith("epoch-"))
    for old in folders[:-KEEP_CHECKPOINTS]:
        shutil.rmtree(os.path.join(checkpoints, old), ignore_errors=True)


def replace_json(path, value):
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(value, f)
    os.replace(temporary, path)


def main(argv=None):
    try:
        args = parse(argv)
        plan = prepare(args)
    except (UsageError, BundleError, DataError) as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    ctx = Context(args.device)
    try:
        train(plan, ctx)
    except UsageError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
