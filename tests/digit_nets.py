"""A small seeded digit network, trained in a second, for the tests of attacks on digits (tests/helpers)."""

from __future__ import annotations

import torch
from torch import nn

from helpers import digits, training


def trained_mlp(test_digits: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A 64-32-10 network trained 10 epochs in float64, and the first `test_digits` test digits and labels."""
    split = digits.load_split(seed=0)
    x, y = training.as_tensors(split.x_train, split.y_train)
    net = training.mlp(64, 32, 10, seed=0).double()
    training.train(net, x.double(), y, epochs=10, lr=1e-2, seed=0)
    xt, yt = training.as_tensors(split.x_test[:test_digits], split.y_test[:test_digits])
    return net, xt.double(), yt
