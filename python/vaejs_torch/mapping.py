"""The tfjs layout of a layer's weights and PyTorch's, mapped both ways for the layers the twins are made of: dense
kernels [in, out] ↔ nn.Linear [out, in]; conv kernels [kh, kw, in, out] ↔ nn.Conv2d [out, in, kh, kw]; transposed
conv kernels [kh, kw, out, in] ↔ nn.ConvTranspose2d [in, out, kh, kw]; and the dense layers that read a flattened
feature map (rows in HWC order in tfjs, CHW in torch) or write one (columns and bias likewise), with any extra rows
after the map's (a conditional model's label one-hot) left in place. A model lists its layers as pairs
(tfjs layer name, module, kind, NCHW map shape, extra rows); `load_pairs` and `export_pairs` do the rest.
"""
import torch

from . import layers as L


def _dense_kernel_from_tfjs(kernel, kind, small, extra):
    if kind == "dense":
        return L.dense_from_tfjs(kernel)
    channels, height, width = small
    if kind == "dense-from-map":
        rows = height * width * channels
        reordered = torch.cat([L.hwc_to_chw_rows(kernel[:rows], height, width, channels), kernel[rows:]], 0) if extra else L.hwc_to_chw_rows(kernel, height, width, channels)
        return L.dense_from_tfjs(reordered)
    return L.dense_from_tfjs(L.hwc_to_chw_rows(kernel.t(), height, width, channels).t())


def _dense_kernel_to_tfjs(weight, kind, small, extra):
    kernel = L.dense_to_tfjs(weight)
    if kind == "dense":
        return kernel
    channels, height, width = small
    if kind == "dense-from-map":
        rows = height * width * channels
        if extra:
            return torch.cat([L.chw_to_hwc_rows(kernel[:rows], height, width, channels), kernel[rows:]], 0).contiguous()
        return L.chw_to_hwc_rows(kernel, height, width, channels).contiguous()
    return L.chw_to_hwc_rows(kernel.t(), height, width, channels).t().contiguous()


def tfjs_kernel_shape(module, kind):
    """The shape vaejs stores a module's kernel in: dense [in, out], conv [kh, kw, in, out], transposed conv
    [kh, kw, out, in] (both convolutions: torch's weight permuted (2, 3, 1, 0))."""
    shape = tuple(module.weight.shape)
    return shape[::-1] if kind.startswith("dense") else (shape[2], shape[3], shape[1], shape[0])


def load_pairs(pairs, weights):
    """Copies tfjs-layout tensors into torch modules: pairs of (tfjs layer name, module, kind, map shape, extra rows).
    Raises KeyError/ValueError naming the first tensor that is missing, or of another dtype or shape than the config
    gives."""
    with torch.no_grad():
        for name, module, kind, small, *rest in pairs:
            extra = rest[0] if rest else 0
            kernel = take(weights, f"{name}/kernel", tfjs_kernel_shape(module, kind))
            bias = take(weights, f"{name}/bias", tuple(module.bias.shape))
            if kind.startswith("dense"):
                value = _dense_kernel_from_tfjs(kernel, kind, small, extra)
                if kind == "dense-to-map":
                    channels, height, width = small
                    bias = L.hwc_to_chw_rows(bias.reshape(-1, 1), height, width, channels).reshape(-1)
            elif kind == "conv":
                value = L.conv_from_tfjs(kernel)
            else:
                value = L.conv_transpose_from_tfjs(kernel)
            assign(module.weight, value, f"{name}/kernel")
            assign(module.bias, bias, f"{name}/bias")


def export_pairs(pairs):
    """The modules' weights in the tfjs layout, by tfjs name (the inverse of load_pairs), in the pairs' order."""
    out = {}
    for name, module, kind, small, *rest in pairs:
        extra = rest[0] if rest else 0
        weight, bias = module.weight.detach(), module.bias.detach()
        if kind.startswith("dense"):
            kernel = _dense_kernel_to_tfjs(weight, kind, small, extra)
            if kind == "dense-to-map":
                channels, height, width = small
                bias = L.chw_to_hwc_rows(bias.reshape(-1, 1), height, width, channels).reshape(-1)
        elif kind == "conv":
            kernel = L.conv_to_tfjs(weight)
        else:
            kernel = L.conv_transpose_to_tfjs(weight)
        out[f"{name}/kernel"], out[f"{name}/bias"] = kernel.contiguous().clone(), bias.contiguous().clone()
    return out


def take(weights, name, shape=None):
    """weights[name], checked: present, float32, and of `shape` (the tfjs layout) when given."""
    if name not in weights:
        raise KeyError(f"load_tfjs: expected tensor '{name}', got none.")
    value = weights[name]
    if value.dtype != torch.float32:
        raise ValueError(f"load_tfjs: expected tensor '{name}' of dtype float32, got {str(value.dtype).replace('torch.', '')}.")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"load_tfjs: expected tensor '{name}' of shape {list(shape)}, got {list(value.shape)}.")
    return value


def assign(parameter, value, name):
    if tuple(parameter.shape) != tuple(value.shape):
        raise ValueError(f"load_tfjs: expected tensor '{name}' of torch shape {list(parameter.shape)}, got {list(value.shape)}.")
    parameter.copy_(value)

