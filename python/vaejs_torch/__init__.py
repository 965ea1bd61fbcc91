"""PyTorch twins of the vaejs models: the same architectures, built from a vaejs model config, with the tfjs weights
mapped in and out explicitly (NHWC vs NCHW, kernel layouts, TensorFlow's 'same' padding), and the training script
of the PyTorch bridge (`python -m vaejs_torch.train`, under torchrun for several processes or machines).

Used by the bridge (`vaejs export --format pytorch`, `vaejs import`), by the speed benchmark
(benchmarks/backend/native.bench.mjs) as the anchor each vaejs model is measured against, and by the parity tests
that hold both sides to the same outputs on the same weights.
"""
from .pixelcnn import GatedPixelCnn, MaskedPixelCnn, PixelCnn
from .safetensors import read_safetensors, write_safetensors
from .vae import Vae
from .vqvae import VqVae

__version__ = "0.1.0"

#: The model kinds of a vaejs checkpoint (its manifest's format without `vaejs-`) and the twin of each.
KINDS = {"vae": Vae, "vqvae": VqVae, "pixelcnn": PixelCnn}


def build_model(kind, config):
    """The twin of a vaejs model of `kind` ('vae', 'vqvae', 'pixelcnn') built from its resolved config."""
    if kind not in KINDS:
        raise ValueError(f"build_model: expected kind among {sorted(KINDS)}, got '{kind}'.")
    return KINDS[kind](config)


__all__ = ["GatedPixelCnn", "KINDS", "MaskedPixelCnn", "PixelCnn", "Vae", "VqVae", "build_model", "read_safetensors", "write_safetensors"]
