"""The Square attack (Andriushchenko et al. 2020) in L-infinity, simplified for small images: no gradients at all.

A defence that only hides its gradients (notebook 06 §1) cannot hide from an attack that never asks for
one. This random search keeps every pixel at a corner of the epsilon-box, x +- epsilon (clipped to [0, 1]).
Each query sets one random square of pixels all to x + s * epsilon, one random sign s for the whole square,
and keeps the change when it lowers the margin f_label - max_other f_k. Where the square already sits at
that sign, s is flipped (as in the authors' code, which redraws it), so every query tries a new point.
The square's side shrinks as the queries go on.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .checks import whole_number
from .compute import model_dtype
from .errors import InvalidInputError
from .pixels import check_budget, check_pixels

#: Fraction of the image a square covers at the start; halved at these fractions of the query budget.
P_START = 0.3
HALVINGS = (0.01, 0.05, 0.2, 0.5, 0.8)


def margin(model: nn.Module, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """f_label(x) - max_{k != label} f_k(x): negative exactly when the model misclassifies x."""
    with torch.no_grad():
        z = model(x)
    true = z.gather(1, labels[:, None]).squeeze(1)
    others = z.scatter(1, labels[:, None], float("-inf"))
    return true - others.max(dim=1).values


def square_attack(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, epsilon: float, side: int,
                  queries: int = 1000, seed: int = 0) -> torch.Tensor:
    """Taught in 06 §1: adversarial versions of flat side x side images (N x side^2) within epsilon.

    Found with `queries` model calls, starting from vertical stripes of +-epsilon (one random sign per column); an
    image that is already misclassified is left as it is. Deterministic for a given seed.
    """
    check_budget(epsilon)
    check_pixels(images, "images")
    if images.dim() != 2 or images.shape[1] != side * side:
        raise InvalidInputError(f"expected flat images of {side} x {side} = {side * side} values per row, "
                                f"got shape {tuple(images.shape)}.")
    whole_number(queries, "queries")
    generator = torch.Generator().manual_seed(seed)
    x0 = images.detach().to(model_dtype(model))
    n = len(x0)
    stripes = torch.randint(0, 2, (n, 1, side), generator=generator).to(x0.dtype) * 2 - 1
    x = (x0 + epsilon * stripes.expand(n, side, side).reshape(n, -1)).clamp(0.0, 1.0)
    best = margin(model, x, labels)
    rows = torch.arange(side)
    for i in range(queries - 1):
        p = P_START / 2 ** sum(i >= h * queries for h in HALVINGS)
        s = max(1, min(side, round(math.sqrt(p * side * side))))
        top = torch.randint(0, side - s + 1, (n,), generator=generator)
        left = torch.randint(0, side - s + 1, (n,), generator=generator)
        signs = torch.randint(0, 2, (n,), generator=generator).to(x0.dtype) * 2 - 1
        inside = (((rows[None, :] >= top[:, None]) & (rows[None, :] < top[:, None] + s))[:, :, None]
                  & ((rows[None, :] >= left[:, None]) & (rows[None, :] < left[:, None] + s))[:, None, :]).reshape(n, -1)
        candidate = torch.where(inside, (x0 + epsilon * signs[:, None]).clamp(0.0, 1.0), x)
        unchanged = (candidate == x).all(dim=1)     # the square is already at s: the other sign is new
        signs = torch.where(unchanged, -signs, signs)
        candidate = torch.where(inside, (x0 + epsilon * signs[:, None]).clamp(0.0, 1.0), x)
        active = best >= 0                      # only images not yet fooled keep searching
        if not active.any():
            break
        trial = margin(model, candidate, labels)
        better = active & (trial < best)
        x = torch.where(better[:, None], candidate, x)
        best = torch.where(better, trial, best)
    return x.detach()
