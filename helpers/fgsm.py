"""The fast gradient sign method (Goodfellow et al. 2015) on a batch, for small models.

x' = clip(x + epsilon * sign(grad_x loss(model(x), y))): one step that raises the loss as much
as any change of at most epsilon per pixel can, if the model were linear. Notebook 02 writes it
out once; the transferability and adversarial-training experiments then call this version,
which also checks its arguments so a typo gives a clear message instead of silent garbage.
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from .errors import AttackParameterError, InvalidInputError


def fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    epsilon: float,
    *,
    targeted: bool = False,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> torch.Tensor:
    """Adversarial copies of the batch x (N x ...): each value moved by epsilon along the gradient's sign, then clipped.

    Untargeted (default): y are the true labels and the step raises their loss.
    Targeted: y are the wanted labels and the step lowers their loss instead.
    The model's parameters get no .grad (only the input gradient is computed), and the
    result is detached, so it can be fed to training or evaluation directly.
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not math.isfinite(epsilon) or epsilon <= 0:
        raise AttackParameterError(
            f"epsilon must be a finite number > 0 (a per-pixel budget in pixel units, e.g. 0.1), got {epsilon!r}."
        )
    low, high = bounds
    if not low < high:
        raise AttackParameterError(f"bounds must be (low, high) with low < high, got {bounds!r}.")
    if epsilon > high - low:
        raise AttackParameterError(
            f"epsilon={epsilon} is more than the whole pixel range {bounds}; budgets are in pixel units, e.g. 0.1."
        )
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise InvalidInputError(f"x must be a floating-point torch.Tensor batch, got {type(x).__name__}.")
    if x.dim() < 2:
        raise InvalidInputError(f"x must be a batch shaped (N, ...), got shape {tuple(x.shape)}; add x.unsqueeze(0).")
    if not torch.isfinite(x).all():
        raise InvalidInputError("x contains NaN or infinite values; an attack on it would be meaningless.")
    if x.numel() and (x.min() < low or x.max() > high):
        raise InvalidInputError(
            f"x must lie within bounds {bounds}, found {float(x.min()):.3g} to {float(x.max()):.3g}."
        )
    y = torch.as_tensor(y, device=x.device)
    if y.dim() != 1 or len(y) != len(x):
        raise InvalidInputError(f"y must hold one label per row of x ({len(x)}), got shape {tuple(y.shape)}.")

    x_var = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = F.cross_entropy(model(x_var), y.long())
        (grad,) = torch.autograd.grad(loss, x_var)
    step = -grad.sign() if targeted else grad.sign()
    return (x.detach() + float(epsilon) * step).clamp(low, high)
