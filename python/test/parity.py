#!/usr/bin/env python3
"""The torch side of parity.test.ts: reads each <model>.safetensors the test wrote (the vaejs weights in the tfjs
layout as `weights/<name>`, the inputs as `input/<name>`, what vaejs computed as `expected/<name>`, and the model's
config in the metadata), builds the twin, loads the weights, computes the same quantities and prints one JSON line
per model: the parameter count and, for each quantity, the largest difference relative to the expected values'
scale, and whether the weights read back unchanged (tfjs_weights(load_tfjs(w)) == w).

    PYTHONPATH=python python3 python/test/parity.py <folder> mlp conv vqvae prior
"""
import json
import os
import sys

import torch

from vaejs_torch import GatedPixelCnn, Vae, VqVae, read_safetensors
from vaejs_torch.layers import count_parameters


def nchw(x):
    return x.permute(0, 3, 1, 2).contiguous()


def rel(actual, expected):
    actual, expected = actual.detach().double(), expected.double()
    scale = max(expected.abs().max().item(), 1e-12)
    return (actual - expected).abs().max().item() / scale


def split(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def main():
    folder, models = sys.argv[1], sys.argv[2:]
    torch.set_num_threads(1)
    for name in models:
        tensors, metadata = read_safetensors(os.path.join(folder, f"{name}.safetensors"))
        config = json.loads(metadata["config"])
        weights, inputs, expected = split(tensors, "weights/"), split(tensors, "input/"), split(tensors, "expected/")
        result = {"model": name}
        if name in ("mlp", "conv"):
            model = Vae(config)
            model.load_tfjs(weights)
            x, eps = nchw(inputs["x"]), inputs["eps"]
            mean, log_var = model.encode(x)
            logits, _, _ = model(x, eps)
            parts = model.loss(x, eps)
            result.update(
                mean=rel(mean, expected["mean"]),
                logVar=rel(log_var, expected["logVar"]),
                logits=rel(logits.permute(0, 2, 3, 1), expected["logits"]),
                **{part: rel(parts[part], expected[part]) for part in ("loss", "reconstruction", "kl")},
            )
        elif name.startswith("vqvae"):
            model = VqVae(config)
            model.load_tfjs(weights)
            x = nchw(inputs["x"])
            parts = model.loss(x)
            result.update({part: rel(parts[part], expected[part]) for part in ("loss", "reconstruction", "reconstructionMse", "codebook", "commitment", "perplexity", "usage")})
            result["indicesDiffer"] = int((parts["indices"] != expected["indices"].long()).sum())
            result["zE"] = rel(model.encode_continuous(x).permute(0, 2, 3, 1), expected["zE"])
            if "emaCodebook" in expected:
                model.quantizer.update(parts["flat"], parts["indices"])
                result["emaClusterSize"] = rel(model.quantizer.cluster_size, expected["emaClusterSize"])
                result["emaEmbedSum"] = rel(model.quantizer.embed_sum, expected["emaEmbedSum"])
                result["emaCodebook"] = rel(model.quantizer.codebook, expected["emaCodebook"])
        else:
            model = GatedPixelCnn(config)
            model.load_tfjs(weights)
            maps = inputs["maps"].long()
            labels = inputs.get("labels")
            logits = model(maps, labels)
            result["logits"] = rel(logits.permute(0, 2, 3, 1), expected["logits"])
            result["loss"] = rel(model.loss(maps, labels)["loss"], expected["loss"])
        back = model.tfjs_weights()
        result["roundTrip"] = sorted(back) == sorted(weights) and all(torch.equal(back[k], weights[k]) for k in weights)
        result["parameters"] = count_parameters(model)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
