"""What the twins share: TensorFlow's 'same' padding for (transposed) convolutions, and the tfjs → torch weight
layouts, each mapping written out once.

tfjs keeps images NHWC and kernels as dense [in, out], conv2d [kh, kw, in, out], conv2dTranspose [kh, kw, out, in];
torch keeps images NCHW and weights as Linear [out, in], Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw].
Both transposed convolutions are the adjoint of the same correlation, so their kernels map by a permutation alone
(no spatial flip).
"""
import math

import torch
from torch import nn
from torch.nn import functional as F


# tfjs-layers' activations by the names a vaejs config gives them (elu α = 1; selu with the same constants as torch;
# swish = x·σ(x), torch's silu)
ACTIVATIONS = {"relu": F.relu, "elu": F.elu, "selu": F.selu, "tanh": torch.tanh, "swish": F.silu}


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding of one axis: (before, after), the extra pixel after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Conv2dSame(nn.Conv2d):
    """nn.Conv2d with TensorFlow's 'same' padding (asymmetric where TF's is: the extra pixel at the bottom/right)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding=0)

    def forward(self, x):
        top, bottom = same_padding(x.shape[2], self.kernel_size[0], self.stride[0])
        left, right = same_padding(x.shape[3], self.kernel_size[1], self.stride[1])
        if top == bottom and left == right:
            return F.conv2d(x, self.weight, self.bias, self.stride, (top, left))
        return F.conv2d(F.pad(x, (left, right, top, bottom)), self.weight, self.bias, self.stride)


class ConvTranspose2dSame(nn.ConvTranspose2d):
    """nn.ConvTranspose2d with TensorFlow's 'same' output (size × stride): the adjoint of Conv2dSame, i.e. the full
    transposed convolution cropped by the forward convolution's padding (before = ⌊(k − s)/2⌋)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding=0)

    def forward(self, x):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        top, left = max(kh - sh, 0) // 2, max(kw - sw, 0) // 2
        height, width = x.shape[2] * sh, x.shape[3] * sw
        if 2 * top == max(kh - sh, 0) and 2 * left == max(kw - sw, 0):
            return F.conv_transpose2d(x, self.weight, self.bias, self.stride, (top, left))
        full = F.conv_transpose2d(x, self.weight, self.bias, self.stride)
        return full[:, :, top : top + height, left : left + width]


# tfjs layout → torch layout, and back


def dense_from_tfjs(kernel):
    return kernel.t().contiguous()


def dense_to_tfjs(weight):
    return weight.t().contiguous()


def conv_from_tfjs(kernel):
    return kernel.permute(3, 2, 0, 1).contiguous()


def conv_to_tfjs(weight):
    return weight.permute(2, 3, 1, 0).contiguous()


# tfjs' conv2dTranspose kernel [kh, kw, out, in] and torch's ConvTranspose2d [in, out, kh, kw]: the same permutation
conv_transpose_from_tfjs = conv_from_tfjs
conv_transpose_to_tfjs = conv_to_tfjs


def hwc_to_chw_rows(kernel, height, width, channels):
    """Reorders the rows of a tfjs dense kernel [h·w·c, out] that reads a flattened NHWC map so that it reads a
    flattened NCHW one (what torch's flatten gives)."""
    return kernel.reshape(height, width, channels, -1).permute(2, 0, 1, 3).reshape(height * width * channels, -1)


def chw_to_hwc_rows(kernel, height, width, channels):
    return kernel.reshape(channels, height, width, -1).permute(1, 2, 0, 3).reshape(height * width * channels, -1)


def count_parameters(module):
    """Trainable parameters, as tfjs' countParams counts a model's trainable weights."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
