"""Where, in what precision and in how large pieces a model computes: the one way every helper asks (attacks,
smoothing, square, training, the lab). Plumbing: no notebook teaches it."""

from __future__ import annotations

import torch
from torch import nn


def model_dtype(model: nn.Module) -> torch.dtype:
    """The precision a model computes in (its first floating-point parameter or buffer)."""
    for tensor in (*model.parameters(), *model.buffers()):
        if tensor.is_floating_point():
            return tensor.dtype
    return torch.get_default_dtype()


def model_device(model: nn.Module) -> torch.device:
    """The device a model's tensors live on (CPU for a model with none)."""
    for tensor in (*model.buffers(), *model.parameters()):
        return tensor.device
    return torch.device("cpu")


def chunks(count: int, most: int, size_each: int = 1) -> list[slice]:
    """The one way a batch is cut into pieces: slices that cover range(count) in order, each of at most
    most // size_each items (at least one), e.g. at most `most` pixel values of photos of `size_each` values.
    Only memory changes: every helper computes each item on its own, so the results are the same bit for bit."""
    step = max(1, most // max(1, size_each))
    return [slice(start, min(start + step, count)) for start in range(0, count, step)]
