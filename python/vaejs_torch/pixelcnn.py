"""The @vaejs/pixelcnn-prior priors (its `createPixelCnn` config) as torch.nn.Modules: an embedding of the K codes,
then either gated blocks with a vertical and a horizontal stack (architecture 'gated', the first of type A) or masked
k×k convolutions with residual connections (architecture 'masked'), optional class conditioning, and a 1×1 head to
K logits per position. van den Oord et al. 2016, "Pixel Recurrent Neural Networks" (masked) and "Conditional Image
Generation with PixelCNN Decoders" (gated).

Causality as in vaejs: the vertical stack's kernel is (k//2 + 1) × k over rows padded on top (row i sees rows ≤ i) and
reaches the horizontal stack shifted down one row; the horizontal kernel is 1 × (k//2 + 1) over columns padded on
the left, its input shifted right one column in the first block (type A: a position never sees itself). The gated
block runs the same ops in the same order as vaejs' (one convolution per stack, explicit padding, the block's tail).
"""
import torch
from torch import nn
from torch.nn import functional as F

from .mapping import take


class GatedBlock(nn.Module):
    """One gated block, computed as @vaejs/pixelcnn-prior's GatedPixelCnnBlock computes it (gated-block.ts and
    gated-tail.ts): each stack one convolution to both gate halves (2C channels, tanh half first) with its zeros
    padded explicitly; the horizontal convolution adds its own bias and the 1×1 map's; the map from the vertical
    stack runs on rows 0 … h−2 of the vertical pre-activation, without its bias, and a zero row goes on top (row r of
    the horizontal stack reads row r−1); then the class biases, both gates, the output 1×1 map and the residual."""

    def __init__(self, in_channels, channels, kernel_size, mask_type, num_classes, returns_stacks):
        super().__init__()
        half = kernel_size // 2
        self.half, self.channels, self.mask_type = half, channels, mask_type
        self.returns_stacks = returns_stacks
        self.vertical = nn.Conv2d(in_channels, 2 * channels, (half + 1, kernel_size))
        self.to_horizontal = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.horizontal = nn.Conv2d(in_channels, 2 * channels, (1, half + 1))
        self.output = nn.Conv2d(channels, channels, 1)
        self.vertical_class = nn.Linear(num_classes, 2 * channels, bias=False) if num_classes and returns_stacks else None
        self.horizontal_class = nn.Linear(num_classes, 2 * channels, bias=False) if num_classes else None

    @staticmethod
    def _gate(pre):
        a, b = pre.chunk(2, dim=1)
        return torch.tanh(a) * torch.sigmoid(b)

    def forward(self, vertical, horizontal, labels=None):
        half = self.half
        # vertical: row r sees rows r−k//2 … r (k//2 zero rows on top, k//2 zero columns each side)
        vertical_pre = F.conv2d(F.pad(vertical, (half, half, half, 0)), self.vertical.weight) + self.vertical.bias[:, None, None]
        # horizontal: column c sees columns c−k//2 … c; type A: k//2 + 1 zero columns and the last dropped (c unseen)
        if self.mask_type == "A":
            source = F.pad(horizontal, (half + 1, 0, 0, 0))[:, :, :, :-1]
        else:
            source = F.pad(horizontal, (half, 0, 0, 0))
        pre = F.conv2d(source, self.horizontal.weight, self.horizontal.bias + self.to_horizontal.bias)
        # a product over channels, as vaejs' pointwise: on a one-row map it reads no rows, and its weight still gets
        # a (zero) gradient, as DDP expects of every parameter
        mapped = torch.einsum("nchw,oc->nohw", vertical_pre[:, :, :-1], self.to_horizontal.weight[:, :, 0, 0])
        pre = pre + F.pad(mapped, (0, 0, 1, 0))
        if self.horizontal_class is not None and labels is not None:
            pre = pre + self.horizontal_class(labels)[:, :, None, None]
        out = self.output(self._gate(pre))
        if self.mask_type == "B":
            out = out + horizontal
        if not self.returns_stacks:
            return None, out
        if self.vertical_class is not None and labels is not None:
            vertical_pre = vertical_pre + self.vertical_class(labels)[:, :, None, None]
        return self._gate(vertical_pre), out


class GatedPixelCnn(nn.Module):
    """Built from a resolved vaejs PixelCNN config (what `pixelcnn.json` holds). forward(maps int64 [n, h, w],
    labels one-hot [n, classes] or None) → logits [n, K, h, w]."""

    def __init__(self, config):
        super().__init__()
        if config.get("architecture", "gated") != "gated":
            raise ValueError(f"GatedPixelCnn: expected config.architecture 'gated', got '{config['architecture']}'.")
        self.config = config
        categories, channels = config["numCategories"], config["channels"]
        classes, count = config.get("numClasses", 0), config["layers"]
        self.embedding = nn.Embedding(categories, config["embeddingDim"])
        self.blocks = nn.ModuleList(
            GatedBlock(config["embeddingDim"] if i == 0 else channels, channels, config["kernelSize"], "A" if i == 0 else "B", classes, i < count - 1)
            for i in range(count)
        )
        self.head_hidden = nn.Conv2d(channels, config["headChannels"], 1)
        self.head_logits = nn.Conv2d(config["headChannels"], categories, 1)

    def forward(self, maps, labels=None):
        x = self.embedding(maps).permute(0, 3, 1, 2)
        vertical, horizontal = x, x
        for block in self.blocks:
            vertical, horizontal = block(vertical, horizontal, labels)
        return self.head_logits(F.relu(self.head_hidden(F.relu(horizontal))))

    def loss(self, maps, labels=None):
        return prior_loss(self, maps, labels)

    def tfjs_names(self):
        """Every tfjs weight name, in vaejs' order (the network's layers, each's weights as it adds them)."""
        names = ["embedding/embeddings"]
        for i, block in enumerate(self.blocks):
            parts = ["vertical_kernel", "vertical_bias", "to_horizontal_kernel", "to_horizontal_bias", "horizontal_kernel"]
            parts += ["horizontal_bias", "output_kernel", "output_bias"]
            parts += ["vertical_class_bias"] if block.vertical_class is not None else []
            parts += ["horizontal_class_bias"] if block.horizontal_class is not None else []
            names += [f"block_{i}/{part}" for part in parts]
        return names + [f"{head}/{part}" for head in ("head_hidden", "head_logits") for part in ("kernel", "bias")]

    def tfjs_trainable_names(self):
        return self.tfjs_names()

    # weights in the tfjs layout: block_i/vertical_kernel [2, k//2+1, k, in, C], to_horizontal_kernel [2 in, 2 out,
    # C, C], horizontal_kernel [2, 1, k//2+1, in, C], output_kernel [C, C], the biases [2, C] / [C], the class biases
    # [2, classes, C]; head_hidden and head_logits dense [in, out]; embedding/embeddings [K, E]

    def load_tfjs(self, weights):
        def get(name, shape):
            return take(weights, name, tuple(shape))

        config, c = self.config, self.config["channels"]
        k, half, classes = config["kernelSize"], config["kernelSize"] // 2, config.get("numClasses", 0)
        with torch.no_grad():
            self.embedding.weight.copy_(get("embedding/embeddings", self.embedding.weight.shape))
            for i, block in enumerate(self.blocks):
                p = f"block_{i}/"
                cin = block.vertical.in_channels
                vk = get(p + "vertical_kernel", [2, half + 1, k, cin, c])
                block.vertical.weight.copy_(torch.cat([vk[0], vk[1]], 3).permute(3, 2, 0, 1))
                block.vertical.bias.copy_(get(p + "vertical_bias", [2, c]).reshape(-1))
                th = get(p + "to_horizontal_kernel", [2, 2, c, c])  # [input half, output half, in, out]
                block.to_horizontal.weight.copy_(torch.cat([torch.cat([th[i][o].t() for i in range(2)], 1) for o in range(2)], 0)[:, :, None, None])
                block.to_horizontal.bias.copy_(get(p + "to_horizontal_bias", [2, c]).reshape(-1))
                hk = get(p + "horizontal_kernel", [2, 1, half + 1, cin, c])
                block.horizontal.weight.copy_(torch.cat([hk[0], hk[1]], 3).permute(3, 2, 0, 1))
                block.horizontal.bias.copy_(get(p + "horizontal_bias", [2, c]).reshape(-1))
                block.output.weight.copy_(get(p + "output_kernel", [c, c]).t()[:, :, None, None])
                block.output.bias.copy_(get(p + "output_bias", [c]))
                for name, module in (("vertical_class_bias", block.vertical_class), ("horizontal_class_bias", block.horizontal_class)):
                    if module is not None:
                        bias = get(p + name, [2, classes, c])
                        module.weight.copy_(torch.cat([bias[0], bias[1]], 1).t())
            _load_heads(self, weights)

    def tfjs_weights(self):
        config, c = self.config, self.config["channels"]
        out = {"embedding/embeddings": self.embedding.weight.detach().clone()}
        for i, block in enumerate(self.blocks):
            p = f"block_{i}/"
            vw = block.vertical.weight.detach().permute(2, 3, 1, 0)  # [kh, kw, in, 2C]
            out[p + "vertical_kernel"] = torch.stack([vw[..., :c], vw[..., c:]]).contiguous()
            out[p + "vertical_bias"] = block.vertical.bias.detach().reshape(2, c).clone()
            tw = block.to_horizontal.weight.detach()[:, :, 0, 0]  # [2C out, 2C in]
            out[p + "to_horizontal_kernel"] = torch.stack([torch.stack([tw[o * c : (o + 1) * c, i * c : (i + 1) * c].t() for o in range(2)]) for i in range(2)]).contiguous()
            out[p + "to_horizontal_bias"] = block.to_horizontal.bias.detach().reshape(2, c).clone()
            hw = block.horizontal.weight.detach().permute(2, 3, 1, 0)
            out[p + "horizontal_kernel"] = torch.stack([hw[..., :c], hw[..., c:]]).contiguous()
            out[p + "horizontal_bias"] = block.horizontal.bias.detach().reshape(2, c).clone()
            out[p + "output_kernel"] = block.output.weight.detach()[:, :, 0, 0].t().contiguous()
            out[p + "output_bias"] = block.output.bias.detach().clone()
            for name, module in (("vertical_class_bias", block.vertical_class), ("horizontal_class_bias", block.horizontal_class)):
                if module is not None:
                    w = module.weight.detach().t()  # [classes, 2C]
                    out[p + name] = torch.stack([w[:, :c], w[:, c:]]).contiguous()
        return {**out, **_head_weights(self)}


def prior_loss(model, maps, labels=None):
    """{'loss', 'bitsPerDim'}: mean negative log-likelihood in nats per position, as vaejs' lossParts."""
    loss = F.cross_entropy(model(maps, labels), maps)
    return {"loss": loss, "bitsPerDim": loss / torch.log(torch.tensor(2.0))}


def causal_mask(kernel_size, mask_type):
    """The raster-order mask of a k×k kernel [k, k]: 1 above the centre row, 1 left of the centre in it, the centre 1
    for type B and 0 for type A (vaejs' causalMask)."""
    centre = kernel_size // 2
    mask = torch.zeros(kernel_size, kernel_size)
    mask[:centre] = 1
    mask[centre, :centre] = 1
    if mask_type == "B":
        mask[centre, centre] = 1
    return mask


class MaskedConv(nn.Module):
    """vaejs' MaskedConv2D: a k×k convolution, 'same' padding, its kernel multiplied by the causal mask in forward
    (the masked taps stay in the weight, as in vaejs, and get no gradient), plus an optional per-class bias."""

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.register_buffer("mask", causal_mask(kernel_size, mask_type)[None, None], persistent=False)
        self.class_bias = nn.Linear(num_classes, out_channels, bias=False) if num_classes else None

    def forward(self, x, labels=None):
        out = F.conv2d(x, self.conv.weight * self.mask, self.conv.bias, padding=self.conv.padding)
        if self.class_bias is not None and labels is not None:
            out = out + self.class_bias(labels)[:, :, None, None]
        return out


class MaskedPixelCnn(nn.Module):
    """The original PixelCNN (architecture 'masked'): embedding, a masked convolution of type A, then type B ones each
    on relu(features) added to its input, and the same head as the gated one. forward(maps, labels) → logits NCHW."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        categories, channels = config["numCategories"], config["channels"]
        classes, kernel = config.get("numClasses", 0), config["kernelSize"]
        self.embedding = nn.Embedding(categories, config["embeddingDim"])
        self.blocks = nn.ModuleList(
            MaskedConv(config["embeddingDim"] if i == 0 else channels, channels, kernel, "A" if i == 0 else "B", classes)
            for i in range(config["layers"])
        )
        self.head_hidden = nn.Conv2d(channels, config["headChannels"], 1)
        self.head_logits = nn.Conv2d(config["headChannels"], categories, 1)

    def forward(self, maps, labels=None):
        features = self.embedding(maps).permute(0, 3, 1, 2)
        for i, block in enumerate(self.blocks):
            features = block(features, labels) if i == 0 else features + block(F.relu(features), labels)
        return self.head_logits(F.relu(self.head_hidden(F.relu(features))))

    def loss(self, maps, labels=None):
        return prior_loss(self, maps, labels)

    def tfjs_names(self):
        names = ["embedding/embeddings"]
        for i, block in enumerate(self.blocks):
            names += [f"block_{i}/kernel", f"block_{i}/bias"] + ([f"block_{i}/class_bias"] if block.class_bias is not None else [])
        return names + [f"{head}/{part}" for head in ("head_hidden", "head_logits") for part in ("kernel", "bias")]

    def tfjs_trainable_names(self):
        return self.tfjs_names()

    # weights in the tfjs layout: block_i/kernel [k, k, in, C] (unmasked), bias [C], class_bias [classes, C]

    def load_tfjs(self, weights):
        k = self.config["kernelSize"]
        with torch.no_grad():
            self.embedding.weight.copy_(take(weights, "embedding/embeddings", tuple(self.embedding.weight.shape)))
            for i, block in enumerate(self.blocks):
                conv = block.conv
                conv.weight.copy_(take(weights, f"block_{i}/kernel", (k, k, conv.in_channels, conv.out_channels)).permute(3, 2, 0, 1))
                conv.bias.copy_(take(weights, f"block_{i}/bias", (conv.out_channels,)))
                if block.class_bias is not None:
                    shape = (block.class_bias.in_features, conv.out_channels)
                    block.class_bias.weight.copy_(take(weights, f"block_{i}/class_bias", shape).t())
            _load_heads(self, weights)

    def tfjs_weights(self):
        out = {"embedding/embeddings": self.embedding.weight.detach().clone()}
        for i, block in enumerate(self.blocks):
            out[f"block_{i}/kernel"] = block.conv.weight.detach().permute(2, 3, 1, 0).contiguous()
            out[f"block_{i}/bias"] = block.conv.bias.detach().clone()
            if block.class_bias is not None:
                out[f"block_{i}/class_bias"] = block.class_bias.weight.detach().t().contiguous()
        return {**out, **_head_weights(self)}


def _load_heads(model, weights):
    for name, conv in (("head_hidden", model.head_hidden), ("head_logits", model.head_logits)):
        conv.weight.copy_(take(weights, f"{name}/kernel", (conv.in_channels, conv.out_channels)).t()[:, :, None, None])
        conv.bias.copy_(take(weights, f"{name}/bias", (conv.out_channels,)))


def _head_weights(model):
    out = {}
    for name, conv in (("head_hidden", model.head_hidden), ("head_logits", model.head_logits)):
        out[f"{name}/kernel"] = conv.weight.detach()[:, :, 0, 0].t().contiguous()
        out[f"{name}/bias"] = conv.bias.detach().clone()
    return out


def PixelCnn(config):
    """The prior a vaejs PixelCNN config describes: GatedPixelCnn or MaskedPixelCnn by `architecture`."""
    architecture = config.get("architecture", "gated")
    if architecture not in ("gated", "masked"):
        raise ValueError(f"PixelCnn: expected config.architecture 'gated' or 'masked', got '{architecture}'.")
    return GatedPixelCnn(config) if architecture == "gated" else MaskedPixelCnn(config)
