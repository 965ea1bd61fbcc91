"""The @vaejs/pixelcnn-prior gated PixelCNN (its `createPixelCnn` config, architecture 'gated') as a
torch.nn.Module: an embedding of the K codes, gated blocks with a vertical and a horizontal stack (the first of
type A), optional class conditioning, and a 1×1 head to K logits per position.
van den Oord et al. 2016, "Conditional Image Generation with PixelCNN Decoders".

Causality as in vaejs: the vertical stack's kernel is (k//2 + 1) × k over rows padded on top (row i sees rows ≤ i) and
reaches the horizontal stack shifted down one row; the horizontal kernel is 1 × (k//2 + 1) over columns padded on
the left, its input shifted right one column in the first block (type A: a position never sees itself).
"""
import torch
from torch import nn
from torch.nn import functional as F


def _down_shift(x):
    return F.pad(x, (0, 0, 1, 0))[:, :, :-1, :]


def _right_shift(x):
    return F.pad(x, (1, 0, 0, 0))[:, :, :, :-1]


class GatedBlock(nn.Module):
    def __init__(self, in_channels, channels, kernel_size, mask_type, num_classes, returns_stacks):
        super().__init__()
        half = kernel_size // 2
        self.half, self.channels, self.mask_type = half, channels, mask_type
        self.returns_stacks = returns_stacks
        # each conv computes both gate halves (tanh, sigmoid) as 2C output channels, as one usually writes it in torch
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
        vertical_pre = self.vertical(F.pad(vertical, (half, half, half, 0)))
        from_vertical = self.to_horizontal(_down_shift(vertical_pre))
        source = _right_shift(horizontal) if self.mask_type == "A" else horizontal
        pre = self.horizontal(F.pad(source, (half, 0, 0, 0))) + from_vertical
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
        """{'loss', 'bitsPerDim'}: mean negative log-likelihood in nats per position, as vaejs' lossParts."""
        loss = F.cross_entropy(self(maps, labels), maps)
        return {"loss": loss, "bitsPerDim": loss / torch.log(torch.tensor(2.0))}

    # weights in the tfjs layout: block_i/vertical_kernel [2, k//2+1, k, in, C], to_horizontal_kernel [2 in, 2 out,
    # C, C], horizontal_kernel [2, 1, k//2+1, in, C], output_kernel [C, C], the biases [2, C] / [C], the class biases
    # [2, classes, C]; head_hidden and head_logits dense [in, out]; embedding/embeddings [K, E]

    def load_tfjs(self, weights):
        def take(name, shape):
            if name not in weights:
                raise KeyError(f"load_tfjs: expected tensor '{name}', got none.")
            value = weights[name].float()
            if list(value.shape) != list(shape):
                raise ValueError(f"load_tfjs: expected tensor '{name}' of shape {list(shape)}, got {list(value.shape)}.")
            return value

        config, c = self.config, self.config["channels"]
        k, half, classes = config["kernelSize"], config["kernelSize"] // 2, config.get("numClasses", 0)
        with torch.no_grad():
            self.embedding.weight.copy_(take("embedding/embeddings", self.embedding.weight.shape))
            for i, block in enumerate(self.blocks):
                p = f"block_{i}/"
                cin = block.vertical.in_channels
                vk = take(p + "vertical_kernel", [2, half + 1, k, cin, c])
                block.vertical.weight.copy_(torch.cat([vk[0], vk[1]], 3).permute(3, 2, 0, 1))
                block.vertical.bias.copy_(take(p + "vertical_bias", [2, c]).reshape(-1))
                th = take(p + "to_horizontal_kernel", [2, 2, c, c])  # [input half, output half, in, out]
                block.to_horizontal.weight.copy_(torch.cat([torch.cat([th[i][o].t() for i in range(2)], 1) for o in range(2)], 0)[:, :, None, None])
                block.to_horizontal.bias.copy_(take(p + "to_horizontal_bias", [2, c]).reshape(-1))
                hk = take(p + "horizontal_kernel", [2, 1, half + 1, cin, c])
                block.horizontal.weight.copy_(torch.cat([hk[0], hk[1]], 3).permute(3, 2, 0, 1))
                block.horizontal.bias.copy_(take(p + "horizontal_bias", [2, c]).reshape(-1))
                block.output.weight.copy_(take(p + "output_kernel", [c, c]).t()[:, :, None, None])
                block.output.bias.copy_(take(p + "output_bias", [c]))
                for name, module in (("vertical_class_bias", block.vertical_class), ("horizontal_class_bias", block.horizontal_class)):
                    if module is not None:
                        bias = take(p + name, [2, classes, c])
                        module.weight.copy_(torch.cat([bias[0], bias[1]], 1).t())
            for name, conv in (("head_hidden", self.head_hidden), ("head_logits", self.head_logits)):
                kernel = take(f"{name}/kernel", [conv.in_channels, conv.out_channels])
                conv.weight.copy_(kernel.t()[:, :, None, None])
                conv.bias.copy_(take(f"{name}/bias", [conv.out_channels]))

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
        for name, conv in (("head_hidden", self.head_hidden), ("head_logits", self.head_logits)):
            out[f"{name}/kernel"] = conv.weight.detach()[:, :, 0, 0].t().contiguous()
            out[f"{name}/bias"] = conv.bias.detach().clone()
        return out
