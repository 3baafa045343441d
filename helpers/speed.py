"""Exact rewrites of EfficientNet-Lite's layers that compute the same function faster on a CPU.

Why: the notebooks compute in float64 so that every machine prints the same numbers (see
helpers.settings.dtype), and PyTorch's CPU fallback for float64 is slow in two places.

* A frozen batch norm is an affine map per channel, y = a * x + b, so it folds into the
  convolution before it (weights times a, bias b). One pass over the activations less.
* A depthwise convolution (one k x k filter per channel) has no fast float64 CPU kernel: PyTorch
  runs it as one small convolution per channel plus copies. Here it is k * k multiply-adds of
  shifted views of the input (and the same, transposed, for the gradient), which is the same sum.

Measured on a 2-core CPU (`benchmarks/attack_step.py`): about 2x faster float64 attack steps.
The results equal PyTorch's to about 1e-15 relative, i.e. only the rounding differs. On a GPU,
or in float32, the depthwise layer uses PyTorch's own kernel.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

#: EfficientNet-Lite's (convolution, batch norm) attribute pairs, on the network and on each block.
_NET_PAIRS: tuple[tuple[str, str], ...] = (("_conv_stem", "_bn0"), ("_conv_head", "_bn1"))
_BLOCK_PAIRS: tuple[tuple[str, str], ...] = (("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"),
                                             ("_project_conv", "_bn2"))


# Not torch.nn.utils.fusion.fuse_conv_bn_eval: it scales by weight * rsqrt(var + eps) and shifts by
# (0 - mean) * rsqrt * weight + bias, another rounding. On EfficientNet-Lite0 in float64, 0 of its 49 folded weights
# are bit-identical to ours (|diff| <= 3.6e-15, about 2 ulp) and the logits differ by up to 1.1e-14; the stored
# notebook outputs and the lab's tables were computed with this fold, so it stays.
def fold_batch_norm(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> None:
    """Make `conv` compute conv followed by the frozen `bn` (in place); `bn` can then be dropped."""
    assert bn.running_mean is not None and bn.running_var is not None  # a frozen batch norm keeps its statistics
    scale = bn.weight.detach() / torch.sqrt(bn.running_var.detach() + bn.eps)
    shift = bn.bias.detach() - bn.running_mean.detach() * scale
    with torch.no_grad():
        conv.weight.mul_(scale.view(-1, 1, 1, 1))
        if conv.bias is None:
            conv.bias = nn.Parameter(shift.clone(), requires_grad=False)
        else:
            conv.bias.mul_(scale).add_(shift)


def _taps(size_in: int, size_out: int, kernel: int, stride: int, pad_before: int) -> list[tuple[int, int, int] | None]:
    """For each kernel offset i: the output range [lo, hi) it contributes to, and the matching input start."""
    taps: list[tuple[int, int, int] | None] = []
    for i in range(kernel):
        lo = max(0, math.ceil((pad_before - i) / stride))
        hi = min(size_out, (size_in - 1 + pad_before - i) // stride + 1)
        taps.append((lo, hi, lo * stride + i - pad_before) if hi > lo else None)
    return taps


def _windows(shape: torch.Size, weight: torch.Tensor, stride: int, pads: tuple[int, int, int, int]):
    """Yield (output slice, input slice, per-channel weight) for every kernel offset of a depthwise conv."""
    height, width = shape[-2:]
    top, bottom, left, right = pads
    kh, kw = weight.shape[-2:]
    out_h, out_w = (height + top + bottom - kh) // stride + 1, (width + left + right - kw) // stride + 1
    rows, cols = _taps(height, out_h, kh, stride, top), _taps(width, out_w, kw, stride, left)
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            if row is None or col is None:
                continue
            (oy0, oy1, iy0), (ox0, ox1, ix0) = row, col
            out = (slice(oy0, oy1), slice(ox0, ox1))
            inp = (slice(iy0, iy0 + stride * (oy1 - oy0 - 1) + 1, stride),
                   slice(ix0, ix0 + stride * (ox1 - ox0 - 1) + 1, stride))
            yield out, inp, weight[:, 0, i, j].view(1, -1, 1, 1)


class _DepthwiseSum(torch.autograd.Function):
    """A depthwise convolution as a sum of shifted, per-channel scaled views; gradient for the input only."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, stride: int, pads: tuple[int, int, int, int]):
        height, width = x.shape[-2:]
        kh, kw = weight.shape[-2:]
        top, bottom, left, right = pads
        out = x.new_zeros(x.shape[0], x.shape[1], (height + top + bottom - kh) // stride + 1,
                          (width + left + right - kw) // stride + 1)
        for (oy, ox), (iy, ix), w in _windows(x.shape, weight, stride, pads):
            out[:, :, oy, ox].addcmul_(x[:, :, iy, ix], w)
        ctx.save_for_backward(weight)
        ctx.stride, ctx.pads, ctx.input_shape = stride, pads, x.shape
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (weight,) = ctx.saved_tensors
        grad_in = grad_out.new_zeros(ctx.input_shape)
        for (oy, ox), (iy, ix), w in _windows(ctx.input_shape, weight, ctx.stride, ctx.pads):
            grad_in[:, :, iy, ix].addcmul_(grad_out[:, :, oy, ox], w)
        return grad_in, None, None, None


class DepthwiseConv(nn.Module):
    """EfficientNet-Lite's depthwise convolution (TensorFlow 'SAME' padding included), frozen.

    float64 on a CPU: the shifted-view sum above; anything else: PyTorch's conv2d.
    """

    weight: torch.Tensor  # buffers (register_buffer below), declared for the type checker
    bias: torch.Tensor | None

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        padding = getattr(conv, "static_padding", None)
        left, right, top, bottom = padding.padding if isinstance(padding, nn.ZeroPad2d) else (0, 0, 0, 0)
        self.pads = (top, bottom, left, right)
        self.stride = conv.stride[0]
        self.register_buffer("weight", conv.weight.detach().clone())
        self.register_buffer("bias", None if conv.bias is None else conv.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.float64 and x.device.type == "cpu":
            out = _DepthwiseSum.apply(x, self.weight, self.stride, self.pads)
            return out if self.bias is None else out + self.bias.view(1, -1, 1, 1)
        top, bottom, left, right = self.pads
        return F.conv2d(F.pad(x, (left, right, top, bottom)), self.weight, self.bias, self.stride,
                        groups=self.weight.shape[0])


def speed_up_efficientnet_lite(net: nn.Module) -> nn.Module:
    """Fold every batch norm into its convolution and swap in DepthwiseConv (in place; returns `net`).

    Call it after the network has its final dtype, so the folding is done in that precision.
    """
    blocks = net._blocks
    assert isinstance(blocks, nn.ModuleList)  # EfficientNet-Lite's MBConv blocks
    for owner, pairs in [(net, _NET_PAIRS)] + [(block, _BLOCK_PAIRS) for block in blocks]:
        for conv_name, bn_name in pairs:
            if hasattr(owner, conv_name):
                fold_batch_norm(getattr(owner, conv_name), getattr(owner, bn_name))
                setattr(owner, bn_name, nn.Identity())
    for block in blocks:
        conv = block._depthwise_conv
        if not isinstance(conv, nn.Conv2d):  # (EfficientNet-Lite's is a Conv2d with TensorFlow's padding)
            continue
        if conv.groups == conv.in_channels == conv.out_channels and conv.dilation == (1, 1):
            block._depthwise_conv = DepthwiseConv(conv)
    return net
