"""The pieces every attack shares: the pixel check, the budget check, one signed step, the projection.

Notebook 01 moves a digit by epsilon * sign(w), notebook 02 by epsilon * sign(gradient), notebook 03
writes the step out for a deep network and checks it against `signed_step`; every attack in
helpers (FGSM, iterative attacks, the widgets) is made of these four functions.

Pixel values live in [0, 1], and a budget is in the same units, so 1/255 is one grey level.
Only torch is imported here, so the digit notebooks and the checkers use it without torchvision.
"""

from __future__ import annotations

import torch

from .checks import positive_number, whole_number
from .errors import InvalidInputError, ParameterError


def check_pixels(x: object, what: str = "image") -> None:
    """Refuse what a model must not see: not a float tensor, NaN or infinite values, values outside [0, 1]."""
    if not isinstance(x, torch.Tensor):
        raise InvalidInputError(f"expected the {what} as a torch.Tensor, got {type(x).__name__}; "
                                "load photos with helpers.images.load(...).")
    if not x.is_floating_point():
        raise InvalidInputError(f"the {what} holds {x.dtype} values; pixels are floats in [0, 1] "
                                "(divide 0-255 integers by 255).")
    if x.numel() == 0:
        raise InvalidInputError(f"the {what} is empty (shape {tuple(x.shape)}).")
    if not torch.isfinite(x).all():
        raise InvalidInputError(f"the {what} contains NaN or infinite values; reload it.")
    low, high = float(x.min()), float(x.max())
    if low < 0 or high > 1:
        raise InvalidInputError(f"pixel values must lie in [0, 1], the {what} has {low:.3g} to {high:.3g}; "
                                "images from helpers.images.load(...) already are (divide 0-255 values by 255).")


def check_budget(epsilon: float, steps: int = 1, step_size: float | None = None, *, name: str = "epsilon") -> None:
    """The one budget check: 0 < epsilon <= 1 and 0 < step_size in pixel units, whole steps >= 1.

    name: what the caller calls the budget, for the message (the lab's grids pass theirs, in pixel units).
    """
    whole_number(steps, "steps")
    unit = " of pixel units (e.g. 2/255 for two grey levels)"
    positive_number(epsilon, name, unit)
    if step_size is not None:
        positive_number(step_size, "step_size", unit)
    if epsilon > 1:
        raise ParameterError(f"{name}={epsilon} is more than the whole pixel range [0, 1]; budgets are in "
                             "pixel units, e.g. 2/255.")


def default_step_size(epsilon: float, steps: int) -> float:
    """The series' one step-size rule: 2.5 * epsilon / steps, at most epsilon (Madry et al.'s choice: enough steps
    to cross the box and come back). Used by attacks.iterative_attack, the explorer and the lab (notebook 03)."""
    return min(epsilon, 2.5 * epsilon / max(steps, 1))


def signed_step(x: torch.Tensor, direction: torch.Tensor, step_size: float) -> torch.Tensor:
    """Taught in 03 §4a: x + step_size * sign(direction), kept inside [0, 1].

    Every pixel moves by the full step (or to the edge).

    Why the sign: if each pixel may move by at most step_size, the change that raises a linear
    score w . x the most is step_size * sign(w), which raises it by step_size * ||w||_1 (notebook 01).
    """
    return (x + step_size * direction.sign()).clamp(0.0, 1.0)


def project(x: torch.Tensor, original: torch.Tensor, epsilon: float) -> torch.Tensor:
    """Taught in 03 §4b: the closest image to x within epsilon of `original` in every pixel, and in [0, 1]."""
    return torch.max(torch.min(x, original + epsilon), original - epsilon).clamp(0.0, 1.0)
