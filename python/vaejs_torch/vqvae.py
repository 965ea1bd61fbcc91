"""The @vaejs/vqvae model (its `createVqVae` config) as a torch.nn.Module: stride-2 convolutional encoder and a 1×1
convolution to D, nearest-code quantisation with the straight-through estimator, codebook and commitment losses, the
EMA codebook with Laplace smoothing and dead-code restarts, and the mirrored transposed-convolution decoder.
van den Oord et al. 2017, "Neural Discrete Representation Learning" (eq. 3 and appendix A.1); Razavi et al. 2019;
Łańcucki et al. 2020 (restarts).
"""
import torch
from torch import nn
from torch.nn import functional as F

from . import layers as L
from .vae import export_pairs, load_pairs


class VectorQuantizer(nn.Module):
    """Codebook [K, D] (a parameter unless EMA), EMA cluster sizes [K] and sums [K, D] as buffers."""

    def __init__(self, dim, codebook_size, settings):
        super().__init__()
        if settings.get("distance", "euclidean") != "euclidean":
            raise ValueError(f"VectorQuantizer: expected quantizer.distance 'euclidean' in this twin, got '{settings['distance']}'.")
        self.dim, self.codebook_size = dim, codebook_size
        self.beta = settings.get("beta", 0.25)
        self.ema = settings.get("ema", False)
        self.decay, self.epsilon = settings.get("decay", 0.99), settings.get("epsilon", 1e-5)
        self.threshold = settings.get("deadCodeThreshold", 0)
        limit = (3 / dim) ** 0.5
        initial = torch.empty(codebook_size, dim).uniform_(-limit, limit)
        self.codebook = nn.Parameter(initial.clone(), requires_grad=not self.ema)
        self.register_buffer("cluster_size", torch.ones(codebook_size))
        self.register_buffer("embed_sum", initial.clone())

    def nearest(self, flat):
        """argmin_k ||z − e_k||² as vaejs computes it: [−2z, 1]·[e_k, ||e_k||²] in one product (ties: lower k)."""
        codes = self.codebook.detach()
        augmented_codes = torch.cat([codes, codes.pow(2).sum(1, keepdim=True)], 1)
        augmented = torch.cat([-2 * flat.detach(), torch.ones(flat.shape[0], 1)], 1)
        return (augmented @ augmented_codes.t()).argmin(1)

    def forward(self, z_e):
        """z_e [n, D, h, w] → dict of output (straight-through), indices [n, h, w], the losses and code metrics."""
        n, dim, height, width = z_e.shape
        flat = z_e.permute(0, 2, 3, 1).reshape(-1, dim)
        indices = self.nearest(flat)
        quantized = F.embedding(indices, self.codebook)
        codebook_loss = F.mse_loss(quantized, flat.detach())
        commitment_loss = F.mse_loss(flat, quantized.detach())
        loss = self.beta * commitment_loss if self.ema else codebook_loss + self.beta * commitment_loss
        output = flat + (quantized - flat).detach()
        with torch.no_grad():
            counts = torch.bincount(indices, minlength=self.codebook_size).float()
            p = counts / counts.sum()
            perplexity = torch.exp(-(p * torch.log(p.clamp_min(1e-30))).sum())
            usage = (counts > 0).float().mean()
        return {
            "output": output.view(n, height, width, dim).permute(0, 3, 1, 2),
            "indices": indices.view(n, height, width),
            "flat": flat.detach(),
            "codebook": codebook_loss,
            "commitment": commitment_loss,
            "loss": loss,
            "perplexity": perplexity,
            "usage": usage,
        }

    @torch.no_grad()
    def update(self, flat, indices):
        """After the optimiser step: the EMA update, then dead-code restarts from the batch's vectors."""
        indices = indices.reshape(-1)
        codebook = self.codebook.data
        if self.ema:
            counts = torch.bincount(indices, minlength=self.codebook_size).float()
            sums = torch.zeros_like(self.embed_sum).index_add_(0, indices, flat)
            self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.embed_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
            total = self.cluster_size.sum()
            smoothed = (self.cluster_size + self.epsilon) / (total + self.codebook_size * self.epsilon) * total
            codebook.copy_(self.embed_sum / smoothed.unsqueeze(1))
        restarted = 0
        if self.threshold > 0:
            usage = self.cluster_size if self.ema else torch.bincount(indices, minlength=self.codebook_size).float()
            dead = usage < self.threshold
            restarted = int(dead.sum())
            if restarted:
                rows = torch.randperm(flat.shape[0])[: self.codebook_size] if flat.shape[0] >= self.codebook_size else torch.randint(flat.shape[0], (self.codebook_size,))
                replacements = flat[rows]
                codebook[dead] = replacements[dead]
                if self.ema:
                    self.cluster_size[dead] = self.threshold
                    self.embed_sum[dead] = replacements[dead] * self.threshold
        return restarted


class VqVae(nn.Module):
    """Built from a resolved vaejs VQ-VAE config (what `vqvae.json` holds). Images NCHW in [0, 1]."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        height, width, channels = config["inputShape"]
        kernel, dim = config["kernelSize"], config["dim"]
        self.encoder = nn.ModuleList()
        previous = channels
        for filters in config["encoderFilters"]:
            self.encoder.append(L.Conv2dSame(previous, filters, kernel, 2))
            previous = filters
        self.to_codes = nn.Conv2d(previous, dim, 1)
        self.quantizer = VectorQuantizer(dim, config["codebookSize"], config.get("quantizer", {}))
        self.decoder = nn.ModuleList()
        previous = dim
        for filters in config["decoderFilters"]:
            self.decoder.append(L.ConvTranspose2dSame(previous, filters, kernel, 2))
            previous = filters
        self.output = L.ConvTranspose2dSame(previous, channels, kernel, 1)
        self.pixels = height * width * channels

    def encode_continuous(self, x):
        h = x
        for conv in self.encoder:
            h = F.relu(conv(h))
        return self.to_codes(h)

    def decode_quantized(self, z_q):
        h = z_q
        for deconv in self.decoder:
            h = F.relu(deconv(h))
        out = self.output(h)
        return torch.sigmoid(out) if self.config.get("outputActivation", "sigmoid") == "sigmoid" else out

    def loss(self, x, target=None):
        """{'loss', 'reconstruction', 'reconstructionMse', 'codebook', 'commitment', 'perplexity', 'usage'}, plus the
        flat encoder outputs and indices for `quantizer.update`: the parts vaejs' lossParts reports."""
        quantized = self.quantizer(self.encode_continuous(x))
        output = self.decode_quantized(quantized["output"])
        reconstruction = (output - (x if target is None else target)).pow(2).flatten(1).sum(1).mean()
        mse = reconstruction / self.pixels
        return {
            "loss": mse / self.config.get("dataVariance", 1) + quantized["loss"],
            "reconstruction": reconstruction,
            "reconstructionMse": mse,
            "codebook": quantized["codebook"],
            "commitment": quantized["commitment"],
            "perplexity": quantized["perplexity"],
            "usage": quantized["usage"],
            "flat": quantized["flat"],
            "indices": quantized["indices"],
        }

    def _pairs(self):
        pairs = [(f"enc_conv_{i}", m, "conv", None) for i, m in enumerate(self.encoder)]
        pairs.append(("enc_codes", self.to_codes, "conv", None))
        pairs += [(f"dec_deconv_{i}", m, "conv-transpose", None) for i, m in enumerate(self.decoder)]
        pairs.append(("dec_output", self.output, "conv-transpose", None))
        return pairs

    def load_tfjs(self, weights):
        load_pairs(self._pairs(), weights)
        q = self.quantizer
        with torch.no_grad():
            for name, target in (("codebook", q.codebook), ("ema_cluster_size", q.cluster_size), ("ema_embed_sum", q.embed_sum)):
                key = f"vector_quantizer/{name}"
                if key not in weights:
                    raise KeyError(f"load_tfjs: expected tensor '{key}', got none.")
                if tuple(weights[key].shape) != tuple(target.shape):
                    raise ValueError(f"load_tfjs: expected tensor '{key}' of shape {list(target.shape)}, got {list(weights[key].shape)}.")
                target.copy_(weights[key])

    def tfjs_weights(self):
        out = export_pairs(self._pairs())
        q = self.quantizer
        out["vector_quantizer/codebook"] = q.codebook.detach().clone()
        out["vector_quantizer/ema_cluster_size"] = q.cluster_size.clone()
        out["vector_quantizer/ema_embed_sum"] = q.embed_sum.clone()
        return out
