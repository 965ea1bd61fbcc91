"""What `python -m vaejs_torch.train` writes into --out after each epoch (rank 0): a checkpoint
(`checkpoints/epoch-NNNN/`, a whole bridge folder written by bundle.write_bundle), `checkpoints/latest.json`, the
newest state at the top of --out (model.safetensors, optimizer.safetensors, then config.json, each replaced by
rename; the step in model.safetensors' metadata tells an interrupted write), and a line of metrics.jsonl as vaejs
writes one; `steps.jsonl` has every step's loss parts.
"""
import json
import math
import os
import shutil

import torch

from .bundle import CONFIG_FILE, OPTIMIZER_FILE, WEIGHTS_FILE, write_bundle
from .optim import export_slots

KEEP_CHECKPOINTS = 2


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


def save(run, epoch, done):
    plan, out = run.plan, run.plan.args.out
    config = updated_config(plan, run.ctx, epoch, run.step, run.history, done)
    config["optimizer"] = {**plan.optimizer}
    weights = {name: tensor.cpu() for name, tensor in run.model.tfjs_weights().items()}
    slots, order = export_slots(run.optimizer, plan.optimizer["name"], run.layout, run.iterations)
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
        f.write(json.dumps(run.history[-1]) + "\n")
    folders = sorted(d for d in os.listdir(checkpoints) if d.startswith("epoch-"))
    for old in folders[:-KEEP_CHECKPOINTS]:
        shutil.rmtree(os.path.join(checkpoints, old), ignore_errors=True)


def replace_json(path, value):
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(value, f)
    os.replace(temporary, path)


