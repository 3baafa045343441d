"""Where and in what precision a model computes: the one way every helper asks (attacks, smoothing, square,
training, the lab). Plumbing: no notebook teaches it."""

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
