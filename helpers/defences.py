"""A defence that sits in front of a network, and the attacker's answer to it (notebook 06).

`BitDepth` rounds every pixel to a few levels (bit-depth reduction, one of the input transformations
Athalye, Carlini & Wagner 2018 broke). Rounding has a zero gradient almost everywhere, so a gradient
attack run through it sees nothing and reports the defence as robust. `BPDA` keeps the transformation's
forward pass and replaces its backward pass by the identity (a straight-through gradient), which is how
their Backward Pass Differentiable Approximation gets round it. EOT, the answer to a *random* defence,
is the `samples` argument of helpers.attacks.
"""

from __future__ import annotations

import torch
from torch import nn

from .checks import whole_number


class BitDepth(nn.Module):
    """Taught in 06 §1: round pixels in [0, 1] to `levels` evenly spaced values (2 levels: black and white).

    levels = 4 keeps 0, 1/3, 2/3 and 1 (two bits). torch.round rounds halves to even, the same on every machine.
    """

    def __init__(self, levels: int) -> None:
        super().__init__()
        self.levels = whole_number(levels, "levels (2 = black and white)", minimum=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.round(x * (self.levels - 1)) / (self.levels - 1)

    def extra_repr(self) -> str:
        return f"levels={self.levels}"


class _StraightThrough(torch.autograd.Function):
    """Forward: the transformation, exactly. Backward: the incoming gradient, unchanged (as if it were x)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, transform: nn.Module) -> torch.Tensor:
        with torch.no_grad():
            return transform(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


class BPDA(nn.Module):
    """Taught in 06 §1: a transformation whose forward pass is unchanged and whose gradient is the identity's.

    Put `BPDA(BitDepth(4))` where the defended model has `BitDepth(4)`: predictions stay the same value for
    value, but an attack now gets the network's gradient at the rounded image instead of zeros.
    """

    def __init__(self, transform: nn.Module) -> None:
        super().__init__()
        self.transform = transform

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _StraightThrough.apply(x, self.transform)
