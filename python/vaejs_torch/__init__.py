"""PyTorch twins of the vaejs models: the same architectures, built from a vaejs model config, with the tfjs weights
mapped in and out explicitly (NHWC vs NCHW, kernel layouts, TensorFlow's 'same' padding).

Used by the speed benchmark (benchmarks/backend/native.bench.mjs) as the anchor each vaejs model is measured against,
and by the parity tests that hold both sides to the same outputs on the same weights.
"""
from .pixelcnn import GatedPixelCnn
from .safetensors import read_safetensors, write_safetensors
from .vae import Vae
from .vqvae import VqVae

__all__ = ["GatedPixelCnn", "Vae", "VqVae", "read_safetensors", "write_safetensors"]
