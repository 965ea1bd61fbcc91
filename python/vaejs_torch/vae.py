"""The @vaejs/vae model family (its `createVae` config) as a torch.nn.Module: plain and denoising autoencoders, the
VAE, β-VAE and conditional VAE, with MLP or convolutional encoder and decoder; Bernoulli decoder from logits,
Gaussian decoder (sigmoid mean, fixed variance: the sum of squared errors) or Gaussian with a learned log-variance
(one scalar or one per pixel). Loss = reconstruction + β·KL, as vaejs' `lossParts`.
Kingma & Welling 2014, "Auto-Encoding Variational Bayes"; Higgins et al. 2017 (β); Sohn et al. 2015 (conditional);
Vincent et al. 2008 (denoising).
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

from . import layers as L
from .mapping import assign, export_pairs, load_pairs, take

KINDS = ("ae", "dae", "vae", "beta-vae", "cvae")
LIKELIHOODS = ("bernoulli", "gaussian", "gaussian-learned")


def is_variational(kind):
    return kind in ("vae", "beta-vae", "cvae")


def _conv_sizes(height, width, count):
    sizes = [(height, width)]
    for _ in range(count):
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2, (w + 1) // 2))
    return sizes


class Vae(nn.Module):
    """Built from a resolved vaejs VAE config (what `vae.json` holds). forward(x NCHW, eps, labels one-hot) →
    (decoder output NCHW, mean, log_var): logits for Bernoulli, the mean image for the Gaussians; log_var is None
    for the autoencoders ('ae', 'dae'), whose code is `mean`."""

    def __init__(self, config):
        super().__init__()
        for field, value, allowed in (
            ("kind", config.get("kind", "vae"), KINDS),
            ("likelihood", config.get("likelihood", "bernoulli"), LIKELIHOODS),
            ("activation", config.get("activation", "relu"), tuple(L.ACTIVATIONS)),
            ("arch", config.get("arch", "conv"), ("mlp", "conv")),
        ):
            if value not in allowed:
                raise ValueError(f"Vae: expected config.{field} among {list(allowed)}, got '{value}'.")
        self.config = config
        self.kind, self.arch = config.get("kind", "vae"), config.get("arch", "conv")
        self.likelihood = config.get("likelihood", "bernoulli")
        self.variational = is_variational(self.kind)
        self.classes = config.get("numClasses", 0) if self.kind == "cvae" else 0
        self.act = L.ACTIVATIONS[config.get("activation", "relu")]
        height, width, channels = config["inputShape"]
        latent = config["latentDim"]
        self.shape = (channels, height, width)
        heads = ("z_mean", "z_log_var") if self.variational else ("z",)
        if self.arch == "mlp":
            self._build_mlp(config, latent, heads)
        else:
            self._build_conv(config, latent, heads)
        if self.likelihood == "gaussian-learned":
            per_pixel = config.get("learnedVariance", "scalar") == "per-pixel"
            self.log_variance = nn.Parameter(torch.zeros(self.shape if per_pixel else (1,)))
        else:
            self.log_variance = None

    def _build_mlp(self, config, latent, heads):
        pixels = self.shape[0] * self.shape[1] * self.shape[2]
        hidden = list(config["hidden"]) if isinstance(config["hidden"], (list, tuple)) else [config["hidden"]]
        self.encoder_body = nn.ModuleList()
        size = pixels + self.classes
        for units in hidden:
            self.encoder_body.append(nn.Linear(size, units))
            size = units
        self.heads = nn.ModuleDict({name: nn.Linear(size, latent) for name in heads})
        self.decoder_body = nn.ModuleList()
        size = latent + self.classes
        for units in reversed(hidden):
            self.decoder_body.append(nn.Linear(size, units))
            size = units
        self.output = nn.Linear(size, pixels)

    def _build_conv(self, config, latent, heads):
        channels, height, width = self.shape
        filters, kernel, dense = list(config["filters"]), config["kernelSize"], config["denseUnits"]
        sizes = _conv_sizes(height, width, len(filters))
        self.small = (filters[-1], *sizes[-1])
        self.convs = nn.ModuleList()
        previous = channels + self.classes
        for count in filters:
            self.convs.append(L.Conv2dSame(previous, count, kernel, 2))
            previous = count
        flat = filters[-1] * sizes[-1][0] * sizes[-1][1]
        self.enc_dense = nn.Linear(flat, dense) if dense > 0 else None
        self.heads = nn.ModuleDict({name: nn.Linear(dense if dense > 0 else flat, latent) for name in heads})
        self.dec_dense = nn.Linear(latent + self.classes, dense) if dense > 0 else None
        self.project = nn.Linear(dense if dense > 0 else latent + self.classes, flat)
        self.deconvs = nn.ModuleList()
        for i in range(len(filters) - 1, -1, -1):
            self.deconvs.append(L.ConvTranspose2dSame(filters[i], channels if i == 0 else filters[i - 1], kernel, 2))
        self.crop = (sizes[-1][0] * 2 ** len(filters) - height, sizes[-1][1] * 2 ** len(filters) - width)

    # the forward pass

    def encode(self, x, labels=None):
        """x [n, c, h, w] (and labels one-hot [n, classes] for 'cvae') → (mean, log_var or None)."""
        if self.arch == "mlp":
            h = x.flatten(1)
            if self.classes:
                h = torch.cat([h, labels], 1)
            for layer in self.encoder_body:
                h = self.act(layer(h))
        else:
            h = x
            if self.classes:
                planes = labels[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
                h = torch.cat([h, planes], 1)
            for conv in self.convs:
                h = self.act(conv(h))
            h = h.flatten(1)
            if self.enc_dense is not None:
                h = self.act(self.enc_dense(h))
        if not self.variational:
            return self.heads["z"](h), None
        return self.heads["z_mean"](h), self.heads["z_log_var"](h)

    def decode_raw(self, z, labels=None):
        """The decoder output, NCHW: logits for Bernoulli, the mean in (0, 1) for the Gaussians."""
        h = torch.cat([z, labels], 1) if self.classes else z
        if self.arch == "mlp":
            for layer in self.decoder_body:
                h = self.act(layer(h))
            out = self.output(h).view(-1, *self.shape)
        else:
            if self.dec_dense is not None:
                h = self.act(self.dec_dense(h))
            h = self.act(self.project(h)).view(-1, *self.small)
            last = len(self.deconvs) - 1
            for i, deconv in enumerate(self.deconvs):
                h = deconv(h) if i == last else self.act(deconv(h))
            extra_h, extra_w = self.crop
            if extra_h or extra_w:
                h = h[:, :, extra_h // 2 : h.shape[2] - (extra_h - extra_h // 2), extra_w // 2 : h.shape[3] - (extra_w - extra_w // 2)]
            out = h
        return out if self.likelihood == "bernoulli" else torch.sigmoid(out)

    def decode(self, z, labels=None):
        """Images in [0, 1], NCHW."""
        out = self.decode_raw(z, labels)
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out

    def forward(self, x, eps=None, labels=None):
        mean, log_var = self.encode(x, labels)
        if log_var is None:
            z = mean
        else:
            noise = torch.randn_like(mean) if eps is None else eps
            z = mean + noise * torch.exp(0.5 * log_var)
        return self.decode_raw(z, labels), mean, log_var

    def reconstruction_per_example(self, target, output):
        """−log p(target | z) up to vaejs' constant, summed over pixels: [n]."""
        if self.likelihood == "bernoulli":
            terms = F.binary_cross_entropy_with_logits(output, target, reduction="none")
        elif self.likelihood == "gaussian":
            terms = (target - output).pow(2)
        else:
            log_var = self.log_variance
            terms = 0.5 * ((target - output).pow(2) * torch.exp(-log_var) + log_var + math.log(2 * math.pi))
        return terms.flatten(1).sum(1)

    def terms(self, x, target=None, eps=None, labels=None):
        """Per-example reconstruction and KL, [n] each (KL 0 for the autoencoders)."""
        output, mean, log_var = self(x, eps, labels)
        reconstruction = self.reconstruction_per_example(x if target is None else target, output)
        if log_var is None:
            kl = torch.zeros_like(reconstruction)
        else:
            kl = 0.5 * torch.sum(log_var.exp() + mean.pow(2) - 1 - log_var, dim=1)
        return reconstruction, kl

    def loss(self, x, eps=None, beta=None, labels=None, target=None):
        """{'loss', 'reconstruction', 'kl'}: batch means in nats, as vaejs' lossParts (β = 0 for the autoencoders)."""
        reconstruction, kl = self.terms(x, target, eps, labels)
        weight = (self.config.get("beta", 1) if beta is None else beta) if self.variational else 0
        return {"loss": (reconstruction + weight * kl).mean(), "reconstruction": reconstruction.mean(), "kl": kl.mean()}

    def gaussian_constant(self):
        """½·D·log π for 'gaussian' (the normaliser vaejs adds to the negative ELBO), else 0."""
        pixels = self.shape[0] * self.shape[1] * self.shape[2]
        return 0.5 * pixels * math.log(math.pi) if self.likelihood == "gaussian" else 0.0

    # weights in the tfjs layout, by the names the vaejs checkpoint parts give them

    def _pairs(self):
        """(tfjs layer name, torch module, kind, NCHW map shape the dense layer reads or writes, extra rows) per weighted
        layer, in the order of the encoder's then the decoder's weights (vaejs' trainable order)."""
        heads = list(self.heads.items())
        if self.arch == "mlp":
            body = list(self.encoder_body)
            pairs = [(f"enc_dense_{i}", m, "dense-from-map" if i == 0 else "dense", self.shape, self.classes) for i, m in enumerate(body)]
            reads_map = not body
            pairs += [(name, m, "dense-from-map" if reads_map else "dense", self.shape, self.classes) for name, m in heads]
            pairs += [(f"dec_dense_{i}", m, "dense", None, 0) for i, m in enumerate(self.decoder_body)]
            return pairs + [("dec_output", self.output, "dense-to-map", self.shape, 0)]
        reads_map = "dense" if self.enc_dense is not None else "dense-from-map"
        pairs = [(f"enc_conv_{i}", m, "conv", None, 0) for i, m in enumerate(self.convs)]
        if self.enc_dense is not None:
            pairs.append(("enc_dense", self.enc_dense, "dense-from-map", self.small, 0))
        pairs += [(name, m, reads_map, self.small, 0) for name, m in heads]
        if self.dec_dense is not None:
            pairs.append(("dec_dense", self.dec_dense, "dense", None, 0))
        pairs.append(("dec_project", self.project, "dense-to-map", self.small, 0))
        count = len(self.deconvs)
        return pairs + [(f"dec_deconv_{count - 1 - i}", m, "conv-transpose", None, 0) for i, m in enumerate(self.deconvs)]

    def tfjs_names(self):
        """Every tfjs weight name, in vaejs' trainable order (the order of its optimizer's slots)."""
        names = [f"{name}/{part}" for name, *_ in self._pairs() for part in ("kernel", "bias")]
        return names + (["log_variance/log_var"] if self.log_variance is not None else [])

    def tfjs_trainable_names(self):
        return self.tfjs_names()

    def load_tfjs(self, weights):
        """Copies {'enc_conv_0/kernel': tensor in tfjs layout, ...} into this module; raises KeyError/ValueError
        naming the tensor that is missing or of another shape."""
        load_pairs(self._pairs(), weights)
        if self.log_variance is not None:
            shape = tuple(self.log_variance.shape)
            value = take(weights, "log_variance/log_var", (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape)
            with torch.no_grad():
                assign(self.log_variance, value.permute(2, 0, 1) if value.dim() == 3 else value, "log_variance/log_var")

    def tfjs_weights(self):
        out = export_pairs(self._pairs())
        if self.log_variance is not None:
            value = self.log_variance.detach()
            out["log_variance/log_var"] = (value.permute(1, 2, 0) if value.dim() == 3 else value).contiguous().clone()
        return out
