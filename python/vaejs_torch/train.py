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
import os
import sys
import warnings

from .bundle import CONFIG_FILE, BundleError, load_model, read_bundle
from .data import DataError, load_codes, load_splits
from .distributed import Context
from .loop import train

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


def main(argv=None):
    try:
        args = parse(argv)
        plan = prepare(args)
    except (UsageError, BundleError, DataError) as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    ctx = Context(args.device)
    try:
        if plan.batch_size < ctx.world:
            print(f"{PROGRAM}: expected --batch-size at least the number of processes ({ctx.world}), got {plan.batch_size}.", file=sys.stderr)
            return 2
        train(plan, ctx)
    finally:
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
