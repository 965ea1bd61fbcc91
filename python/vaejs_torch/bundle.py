"""The bridge folder, as `vaejs export --format pytorch` writes it and `vaejs import` reads it (its definition is
`@vaejs/training`'s bridge-format.ts; this is the Python reader and writer of the same format):

    config.json            {"format": "vaejs-pytorch", "version": 1, "kind", "model", "state", "optimizer", "training"}
    model.safetensors      every weight and state tensor in the tfjs layout, by its vaejs name
    optimizer.safetensors  the optimizer's slots (`iter`, `<weight>/m`, `<weight>/v`, ...) in the layout of their weights

Everything is checked before it is used: a bad file is a BundleError, one line naming the file and the tensor or field,
which the command line prints before it exits with status 2.
"""
import json
import os
import shutil

import torch

from . import build_model
from .safetensors import read_safetensors, write_safetensors

FORMAT = "vaejs-pytorch"
CONFIG_FILE, WEIGHTS_FILE, OPTIMIZER_FILE = "config.json", "model.safetensors", "optimizer.safetensors"
OPTIMIZERS = ("adam", "rmsprop", "sgd")


class BundleError(Exception):
    """A bridge folder (or a flag) that cannot be used: the message is one line naming what is wrong."""


class Bundle:
    """A bridge folder read and checked: its config, the tensors of model.safetensors and of optimizer.safetensors."""

    def __init__(self, folder, config, weights, optimizer):
        self.folder, self.config, self.weights, self.optimizer = folder, config, weights, optimizer

    @property
    def kind(self):
        return self.config["kind"]

    @property
    def training(self):
        return self.config["training"]


def _fail(where, field, expected, got):
    raise BundleError(f"expected {where} {field} {expected}, got {got}.".replace("  ", " "))


def check_config(config, where):
    """The checks of bridge-format.ts' checkBridgeConfig, one line naming the field."""
    if not isinstance(config, dict):
        _fail(where, "", "a JSON object", type(config).__name__)
    if config.get("format") != FORMAT:
        _fail(where, "format", f"'{FORMAT}'", repr(config.get("format")))
    if config.get("version") != 1:
        _fail(where, "version", "1", repr(config.get("version")))
    if config.get("kind") not in ("vae", "vqvae", "pixelcnn"):
        _fail(where, "kind", "vae | vqvae | pixelcnn", repr(config.get("kind")))
    for field in ("model", "state", "training"):
        if not isinstance(config.get(field), dict):
            _fail(where, field, "an object", repr(config.get(field)))
    optimizer = config.get("optimizer")
    if optimizer is not None:
        if not isinstance(optimizer, dict) or optimizer.get("name") not in OPTIMIZERS:
            _fail(where, "optimizer.name", " | ".join(OPTIMIZERS), repr((optimizer or {}).get("name")))
        rate = optimizer.get("learningRate")
        if not isinstance(rate, (int, float)) or not rate > 0:
            _fail(where, "optimizer.learningRate", "a number > 0", repr(rate))
        if not isinstance(optimizer.get("order"), list):
            _fail(where, "optimizer.order", "weight names", repr(optimizer.get("order")))
    training = config["training"]
    for field in ("epoch", "step"):
        if not isinstance(training.get(field), int) or training[field] < 0:
            _fail(where, f"training.{field}", "an integer ≥ 0", repr(training.get(field)))
    if not isinstance(training.get("history"), list):
        _fail(where, "training.history", "an array of epoch records", repr(training.get("history")))
    return config


def _tensors(path):
    if not os.path.exists(path):
        raise BundleError(f"expected file {path}, got none.")
    try:
        return read_safetensors(path)
    except ValueError as error:
        raise BundleError(str(error).replace("read_safetensors: ", "")) from None


def read_bundle(folder, argument="--model"):
    """Reads and checks a bridge folder (config.json, model.safetensors, optimizer.safetensors when the config names
    an optimizer). The tensors are checked against the model by `load_model`."""
    if not os.path.isdir(folder):
        raise BundleError(f"expected {argument} a folder written by vaejs export (or by this script), got '{folder}' (no such folder).")
    path = os.path.join(folder, CONFIG_FILE)
    if not os.path.exists(path):
        raise BundleError(f"expected {argument} a folder with {CONFIG_FILE} (vaejs export writes one), got '{folder}' without.")
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"expected {path} readable JSON, got {error}.") from None
    check_config(config, path)
    weights_path = os.path.join(folder, WEIGHTS_FILE)
    weights, metadata = _tensors(weights_path)
    step = config["training"]["step"]
    if "step" in metadata and metadata["step"] != str(step):
        raise BundleError(f"expected {weights_path} of step {step} (config.json's), got step {metadata['step']} (a write was interrupted; checkpoints/ beside it holds whole ones).")
    optimizer = _tensors(os.path.join(folder, OPTIMIZER_FILE))[0] if config.get("optimizer") else None
    return Bundle(folder, config, weights, optimizer)


def load_model(bundle):
    """The twin of the bundle's model with its weights and state: every tensor it has must be in model.safetensors,
    float32 and of its shape, and no other."""
    where = os.path.join(bundle.folder, WEIGHTS_FILE)
    config_path = os.path.join(bundle.folder, CONFIG_FILE)
    try:
        model = build_model(bundle.kind, bundle.config["model"])
    except KeyError as error:
        raise BundleError(f"expected {config_path} model.{error.args[0]} (a field of a {bundle.kind} config), got none.") from None
    except (TypeError, ValueError) as error:
        raise BundleError(f"expected {config_path} model a {bundle.kind} config, got one the twin refuses ({error})") from None
    names = model.tfjs_names()
    extra = sorted(set(bundle.weights) - set(names))
    if extra:
        raise BundleError(f"expected {where} only the model's tensors, got '{extra[0]}', which it has not.")
    try:
        model.load_tfjs(bundle.weights)
    except (KeyError, ValueError) as error:
        raise BundleError(str(error.args[0]).replace("load_tfjs: expected tensor", f"expected {where} tensor")) from None
    for name, tensor in bundle.weights.items():
        if tensor.dtype.is_floating_point and not torch.isfinite(tensor).all():
            raise BundleError(f"expected {where} tensor '{name}' finite values, got {tensor[~torch.isfinite(tensor)][0].item()}.")
    if bundle.kind == "vqvae":
        model.quantizer.initialized = bool(bundle.config["state"].get("initialized", False))
    return model


def write_bundle(folder, config, weights, optimizer=None, extra=None):
    """Writes a bridge folder whole: into a temporary sibling, renamed into place (an older one is replaced);
    config.json last. `extra(folder)` adds files first."""
    parent = os.path.dirname(os.path.abspath(folder))
    os.makedirs(parent, exist_ok=True)
    temporary = os.path.join(parent, f".{os.path.basename(os.path.abspath(folder))}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    os.makedirs(temporary)
    try:
        write_safetensors(os.path.join(temporary, WEIGHTS_FILE), weights, {"format": FORMAT, "step": config["training"]["step"]})
        if optimizer is not None:
            write_safetensors(os.path.join(temporary, OPTIMIZER_FILE), optimizer)
        if extra:
            extra(temporary)
        with open(os.path.join(temporary, CONFIG_FILE), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        if os.path.exists(folder):
            shutil.rmtree(folder)
        os.replace(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
