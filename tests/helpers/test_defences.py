"""helpers.defences: bit-depth reduction and BPDA's straight-through gradient; bad settings."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import defences, training
from helpers.errors import ParameterError


def test_bit_depth_rounds_to_evenly_spaced_levels() -> None:
    x = torch.tensor([[0.0, 0.1, 0.2, 0.5, 0.8, 1.0]], dtype=torch.float64)
    assert defences.BitDepth(2)(x).tolist() == [[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]]  # 0.5 rounds half to even
    assert defences.BitDepth(4)(x).tolist() == [[0.0, 0.0, 1 / 3, 2 / 3, 2 / 3, 1.0]]
    assert set(defences.BitDepth(4)(torch.rand(50, 64, dtype=torch.float64)).flatten().tolist()) <= {0, 1 / 3, 2 / 3, 1}


def test_rounding_hides_the_gradient_and_bpda_restores_it() -> None:
    net = training.mlp(64, 10, 10, seed=0).double()
    x = torch.rand(5, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y = torch.arange(5)
    plain = nn.Sequential(defences.BitDepth(4), net)
    bpda = nn.Sequential(defences.BPDA(defences.BitDepth(4)), net)
    assert torch.equal(plain(x), bpda(x))  # the forward pass is the defence's, value for value

    def grad(model: nn.Module, at: torch.Tensor) -> torch.Tensor:
        at = at.clone().requires_grad_(True)
        return torch.autograd.grad(F.cross_entropy(model(at), y, reduction="sum"), at)[0]

    assert torch.count_nonzero(grad(plain, x)) == 0
    # straight through: the gradient of the network at the rounded image
    assert torch.equal(grad(bpda, x), grad(net, defences.BitDepth(4)(x)))


@pytest.mark.parametrize("levels", [1, 0, 2.5, True])
def test_bad_levels(levels: object) -> None:
    with pytest.raises(ParameterError, match="levels"):
        defences.BitDepth(levels)  # type: ignore[arg-type]  # wrong types on purpose
