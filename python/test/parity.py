#!/usr/bin/env python3
"""The torch side of parity.test.ts, both directions of the round trip.

vaejs → torch: reads each <case>.safetensors the test wrote (the vaejs tensors in the tfjs layout as
`weights/<name>`, the inputs as `input/<name>`, what vaejs computed as `expected/<name>`, and the model's kind and
config in the metadata), builds the twin, loads the weights and computes the same quantities; prints one JSON line per
case: the parameter count, the tensor names and vaejs' trainable order as the twin gives them, whether the weights
read back unchanged (tfjs_weights(load_tfjs(w)) == w) and, for each quantity, the largest difference relative to the
expected values' scale.

torch → vaejs: then trains the twin two Adam steps (and, for a VQ-VAE, its codebook update), computes the same
quantities with the new weights and writes <case>.back.safetensors (`weights/` from tfjs_weights, `expected/`), for
the test to load into vaejs and compare.

    PYTHONPATH=python python3 python/test/parity.py <folder> <case> ...
"""
import json
import os
import sys

import torch

from vaejs_torch import build_model, read_safetensors, write_safetensors
from vaejs_torch.layers import count_parameters
from vaejs_torch.optim import SlotLayout, build_optimizer, export_slots
from vaejs_torch.tfjs_random import gaussian_noise

NEXT_SEED = 5  # the posterior noise of the step both sides take from the same optimizer state
STEP_ITEMS = 4  # on the first items of the case's inputs


def first(inputs, count):
    return {k: v[:count] if v.dim() > 0 and k != "seed" else v for k, v in inputs.items()}


def nchw(x):
    return x.permute(0, 3, 1, 2).contiguous()


def nhwc(x):
    return x.permute(0, 2, 3, 1).contiguous()


def rel(actual, expected):
    actual, expected = actual.detach().double(), expected.double()
    scale = max(expected.abs().max().item(), 1e-12)
    return (actual - expected).abs().max().item() / scale


def split(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def one_hot(inputs, classes):
    return torch.nn.functional.one_hot(inputs["labels"].long(), classes).float() if "labels" in inputs and classes else None


def vae_quantities(model, inputs):
    x = nchw(inputs["x"])
    target = nchw(inputs["target"]) if "target" in inputs else None
    labels = one_hot(inputs, model.classes)
    mean, log_var = model.encode(x, labels)
    seed = int(inputs["seed"].item())
    eps = gaussian_noise(list(mean.shape), seed)
    parts = model.loss(x, eps=eps, labels=labels, target=target)
    out = {"mean": mean, "output": nhwc(model.decode_raw(mean, labels)), **parts}
    if log_var is not None:
        out["logVar"] = log_var
    if model.log_variance is not None:
        value = model.log_variance.detach()
        out["logVariance"] = (value.permute(1, 2, 0) if value.dim() == 3 else value).flatten().clone()  # vaejs' [h, w, c]
    return out, parts["loss"]


def vqvae_quantities(model, inputs, update):
    x = nchw(inputs["x"])
    parts = model.loss(x)
    out = {name: parts[name] for name in ("loss", "reconstruction", "reconstructionMse", "codebook", "commitment", "perplexity", "usage")}
    out["zE"] = nhwc(model.encode_continuous(x))
    out["indices"] = parts["indices"].int()
    out["decoded"] = nhwc(model.decode(parts["indices"]))
    if update:
        q = model.quantizer
        q.update(parts["flat"], parts["indices"])
        out.update(emaClusterSize=q.cluster_size.clone(), emaEmbedSum=q.embed_sum.clone(), emaCodebook=q.codebook.detach().clone())
    return out, parts


def prior_quantities(model, inputs):
    maps = inputs["maps"].long()
    labels = inputs.get("labels")
    parts = model.loss(maps, labels)
    return {"logits": nhwc(model(maps, labels)), "loss": parts["loss"]}, parts["loss"]


def quantities(kind, model, inputs, update=False):
    if kind == "vae":
        return vae_quantities(model, inputs)
    if kind == "vqvae":
        out, parts = vqvae_quantities(model, inputs, update)
        return out, parts["loss"]
    return prior_quantities(model, inputs)


def compare(kind, out, expected):
    result = {}
    for name, value in out.items():
        if name not in expected:
            continue
        if name == "indices":
            result["indicesDiffer"] = int((value.long() != expected[name].long()).sum())
        else:
            result[name] = rel(value, expected[name])
    return result


def step(kind, model, optimizer, inputs, seed=None):
    """One optimisation step on the case's inputs, as vaejs' trainStep takes it (the VQ-VAE's codebook update after)."""
    optimizer.zero_grad()
    if kind == "vqvae":
        parts = model.loss(nchw(inputs["x"]))
        parts["loss"].backward()
        optimizer.step()
        model.quantizer.update(parts["flat"], parts["indices"])
        return
    if kind == "vae" and seed is not None:
        x = nchw(inputs["x"])
        target = nchw(inputs["target"]) if "target" in inputs else None
        labels = one_hot(inputs, model.classes)
        eps = gaussian_noise([x.shape[0], model.config["latentDim"]], seed)
        model.loss(x, eps=eps, labels=labels, target=target)["loss"].backward()
    else:
        quantities(kind, model, inputs)[1].backward()
    optimizer.step()


def train_steps(kind, model, inputs, steps=2):
    """Two steps of the bridge's Adam (tfjs' ε) on the case's inputs: weights, and an optimizer state, vaejs has not
    seen. Returns the optimizer."""
    optimizer = build_optimizer("adam", [p for p in model.parameters() if p.requires_grad], 1e-2)
    for _ in range(steps):
        step(kind, model, optimizer, inputs)
    return optimizer


def main():
    folder, cases = sys.argv[1], sys.argv[2:]
    torch.set_num_threads(1)
    torch.manual_seed(0)
    for name in cases:
        tensors, metadata = read_safetensors(os.path.join(folder, f"{name}.safetensors"))
        kind, config = metadata["kind"], json.loads(metadata["config"])
        weights, inputs, expected = split(tensors, "weights/"), split(tensors, "input/"), split(tensors, "expected/")
        update = metadata.get("update") == "true"
        model = build_model(kind, config)
        model.load_tfjs(weights)
        result = {"case": name}
        with torch.no_grad():
            out, _ = quantities(kind, model, inputs, update)
        result.update(compare(kind, out, expected))
        model.load_tfjs(weights)  # the update changed the codebook: back to vaejs' weights
        back = model.tfjs_weights()
        result["roundTrip"] = sorted(back) == sorted(weights) and all(torch.equal(back[k], weights[k]) for k in weights)
        result["names"] = model.tfjs_names()
        result["trainable"] = model.tfjs_trainable_names()
        result["parameters"] = count_parameters(model)
        # torch → vaejs
        optimizer = train_steps(kind, model, inputs)
        with torch.no_grad():
            trained, _ = quantities(kind, model, inputs)
        written = {f"weights/{k}": v for k, v in model.tfjs_weights().items()}
        # the optimizer's state as tfjs slots, and the step both sides then take from it (not with restarts: they draw)
        layout = SlotLayout(model)
        slots, order = export_slots(optimizer, "adam", layout, 2)
        written.update({f"slots/{k}": v for k, v in slots.items()})
        if not (kind == "vqvae" and model.quantizer.threshold > 0):
            step(kind, model, optimizer, first(inputs, STEP_ITEMS), NEXT_SEED)
            written.update({f"next/{k}": v for k, v in model.tfjs_weights().items()})
        written.update({f"expected/{k}": v.detach().float() if v.dtype.is_floating_point else v.int() for k, v in trained.items() if k != "indices"})
        if "indices" in trained:
            written["expected/indices"] = trained["indices"].int()
        write_safetensors(os.path.join(folder, f"{name}.back.safetensors"), written, {"order": json.dumps(order)})
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
