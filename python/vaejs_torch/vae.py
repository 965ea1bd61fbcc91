"""The @vaejs/vae model (its `createVae` config: MLP or convolutional encoder and decoder, Gaussian encoder with the
reparameterisation trick, Bernoulli decoder from logits, ELBO = reconstruction + β·KL) as a torch.nn.Module.
Kingma & Welling 2014, "Auto-Encoding Variational Bayes".
"""
import torch
from torch import nn
from torch.nn import functional as F

from . import layers as L


def _conv_sizes(height, width, count):
    sizes = [(height, width)]
    for _ in range(count):
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2, (w + 1) // 2))
    return sizes


class Vae(nn.Module):
    """Built from a resolved vaejs VAE config (what `vae.json` holds). forward(x NCHW) → (logits, mean, log_var)."""

    def __init__(self, config):
        super().__init__()
        unsupported = {
            "kind": (config.get("kind", "vae"), ("vae", "beta-vae")),
            "likelihood": (config.get("likelihood", "bernoulli"), ("bernoulli",)),
            "activation": (config.get("activation", "relu"), ("relu",)),
        }
        for field, (value, allowed) in unsupported.items():
            if value not in allowed:
                raise ValueError(f"Vae: expected config.{field} among {list(allowed)} in this twin, got '{value}'.")
        self.config = config
        height, width, channels = config["inputShape"]
        latent = config["latentDim"]
        self.shape = (channels, height, width)
        if config["arch"] == "mlp":
            hidden = list(config["hidden"])
            self.encoder_body = nn.ModuleList()
            size = height * width * channels
            for units in hidden:
                self.encoder_body.append(nn.Linear(size, units))
                size = units
            self.mean, self.log_var = nn.Linear(size, latent), nn.Linear(size, latent)
            self.decoder_body = nn.ModuleList()
            size = latent
            for units in reversed(hidden):
                self.decoder_body.append(nn.Linear(size, units))
                size = units
            self.output = nn.Linear(size, height * width * channels)
        else:
            filters, kernel = list(config["filters"]), config["kernelSize"]
            sizes = _conv_sizes(height, width, len(filters))
            self.small = (filters[-1], *sizes[-1])
            self.convs = nn.ModuleList()
            previous = channels
            for count in filters:
                self.convs.append(L.Conv2dSame(previous, count, kernel, 2))
                previous = count
            flat = filters[-1] * sizes[-1][0] * sizes[-1][1]
            dense = config["denseUnits"]
            self.enc_dense = nn.Linear(flat, dense) if dense > 0 else None
            head = dense if dense > 0 else flat
            self.mean, self.log_var = nn.Linear(head, latent), nn.Linear(head, latent)
            self.dec_dense = nn.Linear(latent, dense) if dense > 0 else None
            self.project = nn.Linear(dense if dense > 0 else latent, flat)
            self.deconvs = nn.ModuleList()
            for i in range(len(filters) - 1, -1, -1):
                out = channels if i == 0 else filters[i - 1]
                self.deconvs.append(L.ConvTranspose2dSame(filters[i], out, kernel, 2))
            self.crop = (sizes[-1][0] * 2 ** len(filters) - height, sizes[-1][1] * 2 ** len(filters) - width)

    def encode(self, x):
        if self.config["arch"] == "mlp":
            h = x.flatten(1)
            for layer in self.encoder_body:
                h = F.relu(layer(h))
        else:
            h = x
            for conv in self.convs:
                h = F.relu(conv(h))
            h = h.flatten(1)
            if self.enc_dense is not None:
                h = F.relu(self.enc_dense(h))
        return self.mean(h), self.log_var(h)

    def decode(self, z):
        """Bernoulli logits, NCHW."""
        if self.config["arch"] == "mlp":
            h = z
            for layer in self.decoder_body:
                h = F.relu(layer(h))
            return self.output(h).view(-1, *self.shape)
        h = F.relu(self.dec_dense(z)) if self.dec_dense is not None else z
        h = F.relu(self.project(h)).view(-1, *self.small)
        last = len(self.deconvs) - 1
        for i, deconv in enumerate(self.deconvs):
            h = deconv(h) if i == last else F.relu(deconv(h))
        extra_h, extra_w = self.crop
        if extra_h or extra_w:
            h = h[:, :, extra_h // 2 : h.shape[2] - (extra_h - extra_h // 2), extra_w // 2 : h.shape[3] - (extra_w - extra_w // 2)]
        return h

    def forward(self, x, eps=None):
        mean, log_var = self.encode(x)
        noise = torch.randn_like(mean) if eps is None else eps
        z = mean + noise * torch.exp(0.5 * log_var)
        return self.decode(z), mean, log_var

    def loss(self, x, eps=None, beta=None):
        """{'loss', 'reconstruction', 'kl'}: batch means in nats, as vaejs' lossParts."""
        logits, mean, log_var = self(x, eps)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp(), dim=1)
        weight = self.config.get("beta", 1) if beta is None else beta
        return {"loss": (reconstruction + weight * kl).mean(), "reconstruction": reconstruction.mean(), "kl": kl.mean()}

    # weights in the tfjs layout, by the names the vaejs checkpoint parts give them

    def _pairs(self):
        """(tfjs layer name, torch module, kind, NCHW map shape the dense layer reads or writes) per weighted layer."""
        if self.config["arch"] == "mlp":
            body = list(self.encoder_body)
            pairs = [(f"enc_dense_{i}", m, "dense-from-map" if i == 0 else "dense", self.shape) for i, m in enumerate(body)]
            pairs += [("z_mean", self.mean, "dense", None), ("z_log_var", self.log_var, "dense", None)]
            pairs += [(f"dec_dense_{i}", m, "dense", None) for i, m in enumerate(self.decoder_body)]
            pairs += [("dec_output", self.output, "dense-to-map", self.shape)]
            return pairs
        reads_map = "dense" if self.enc_dense is not None else "dense-from-map"
        pairs = [(f"enc_conv_{i}", m, "conv", None) for i, m in enumerate(self.convs)]
        if self.enc_dense is not None:
            pairs.append(("enc_dense", self.enc_dense, "dense-from-map", self.small))
        pairs += [("z_mean", self.mean, reads_map, self.small), ("z_log_var", self.log_var, reads_map, self.small)]
        if self.dec_dense is not None:
            pairs.append(("dec_dense", self.dec_dense, "dense", None))
        pairs.append(("dec_project", self.project, "dense-to-map", self.small))
        count = len(self.deconvs)
        pairs += [(f"dec_deconv_{count - 1 - i}", m, "conv-transpose", None) for i, m in enumerate(self.deconvs)]
        return pairs

    def load_tfjs(self, weights):
        """Copies {'enc_conv_0/kernel': tensor in tfjs layout, ...} into this module; raises KeyError/ValueError
        naming the tensor that is missing or of another shape."""
        load_pairs(self._pairs(), weights)

    def tfjs_weights(self):
        return export_pairs(self._pairs())


def load_pairs(pairs, weights):
    """Copies tfjs-layout tensors into torch modules: pairs of (tfjs layer name, module, kind, map shape)."""
    with torch.no_grad():
        for name, module, kind, small in pairs:
            kernel, bias = _take(weights, f"{name}/kernel"), _take(weights, f"{name}/bias")
            if kind == "dense":
                value = L.dense_from_tfjs(kernel)
            elif kind == "dense-from-map":
                channels, height, width = small
                value = L.dense_from_tfjs(L.hwc_to_chw_rows(kernel, height, width, channels))
            elif kind == "dense-to-map":
                channels, height, width = small
                value = L.dense_from_tfjs(L.hwc_to_chw_rows(kernel.t(), height, width, channels).t())
                bias = L.hwc_to_chw_rows(bias.reshape(-1, 1), height, width, channels).reshape(-1)
            elif kind == "conv":
                value = L.conv_from_tfjs(kernel)
            else:
                value = L.conv_transpose_from_tfjs(kernel)
            _assign(module.weight, value, f"{name}/kernel")
            _assign(module.bias, bias, f"{name}/bias")


def export_pairs(pairs):
    """The modules' weights in the tfjs layout, by tfjs name (the inverse of load_pairs)."""
    out = {}
    for name, module, kind, small in pairs:
        weight, bias = module.weight.detach(), module.bias.detach()
        if kind == "dense":
            kernel = L.dense_to_tfjs(weight)
        elif kind == "dense-from-map":
            channels, height, width = small
            kernel = L.chw_to_hwc_rows(L.dense_to_tfjs(weight), height, width, channels)
        elif kind == "dense-to-map":
            channels, height, width = small
            kernel = L.chw_to_hwc_rows(L.dense_to_tfjs(weight).t(), height, width, channels).t().contiguous()
            bias = L.chw_to_hwc_rows(bias.reshape(-1, 1), height, width, channels).reshape(-1)
        elif kind == "conv":
            kernel = L.conv_to_tfjs(weight)
        else:
            kernel = L.conv_transpose_to_tfjs(weight)
        out[f"{name}/kernel"], out[f"{name}/bias"] = kernel, bias.contiguous()
    return out


def _take(weights, name):
    if name not in weights:
        raise KeyError(f"load_tfjs: expected tensor '{name}', got none.")
    return weights[name].float()


def _assign(parameter, value, name):
    if tuple(parameter.shape) != tuple(value.shape):
        raise ValueError(f"load_tfjs: expected tensor '{name}' of torch shape {list(parameter.shape)}, got {list(value.shape)}.")
    parameter.copy_(value)
