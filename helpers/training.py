"""A tiny, seeded training loop for small torch models on the digits (notebook 02).

Notebook 02 trains a dozen small networks (a linear softmax model, Szegedy's 100-100-10
and 123-456-10 nets, an adversarially trained one). The loop is the same each time, so it
lives here; what differs between them stays visible in the notebook, passed in as a
`loss_fn` (e.g. the adversarial-training loss) or an `on_batch` callback (e.g. the
confused-logit finder). Everything is seeded and computed in helpers.settings.dtype()
(float64 by default), so stored notebook outputs reproduce on any machine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import settings
from .checks import positive_number, whole_number
from .compute import model_dtype
from .errors import InvalidInputError, ParameterError

#: loss_fn(model, x_batch, y_batch) -> scalar loss to minimise.
BatchLossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
#: on_batch(step, model, x_batch, y_batch), called after each optimiser step (step counts from 1).
BatchCallback = Callable[[int, nn.Module, torch.Tensor, torch.Tensor], None]


def mlp(*sizes: int, seed: int = 0) -> nn.Sequential:
    """A fully connected ReLU network, e.g. mlp(64, 100, 100, 10); mlp(64, 10) is a linear softmax classifier.

    The initial weights come from `seed` alone (the global torch RNG is left untouched), so two
    calls with the same sizes and seed build the same network, in helpers.settings.dtype().
    """
    if len(sizes) < 2:
        raise ParameterError(f"mlp needs at least two layer sizes (inputs and classes), got {sizes!r}.")
    for size in sizes:
        whole_number(size, "each layer size")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers).to(settings.dtype())


def as_tensors(x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Images in helpers.settings.dtype() and labels as int64 tensors, checked to match in length."""
    xt = torch.as_tensor(x, dtype=settings.dtype())
    yt = torch.as_tensor(y, dtype=torch.int64)
    if xt.dim() < 2 or yt.dim() != 1 or len(xt) != len(yt):
        raise InvalidInputError(
            f"expected images shaped (n, features) and n labels, got {tuple(xt.shape)} and {tuple(yt.shape)}."
        )
    return xt, yt


def cross_entropy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The ordinary loss: mean -log p(label | x)."""
    return F.cross_entropy(model(x), y)


def train(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    *,
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    loss_fn: BatchLossFn = cross_entropy,
    on_batch: BatchCallback | None = None,
) -> list[float]:
    """Taught in 02 §1: train with Adam on shuffled mini-batches; returns the mean training loss of each epoch.

    The shuffling order comes from `seed` through its own generator, so a run depends only on
    the model's initial weights, the data and these arguments.
    """
    whole_number(epochs, "epochs")
    whole_number(batch_size, "batch_size")
    positive_number(lr, "lr, the learning rate")
    xt, yt = as_tensors(x, y)
    if not torch.isfinite(xt).all():
        raise InvalidInputError("training images contain NaN or infinite values.")
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history: list[float] = []
    step = 0
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=generator)
        total, count = 0.0, 0
        for start in range(0, len(xt), batch_size):
            idx = order[start : start + batch_size]
            xb, yb = xt[idx], yt[idx]
            loss = loss_fn(model, xb, yb)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            total += float(loss.detach()) * len(idx)
            count += len(idx)
            if on_batch is not None:
                on_batch(step, model, xb, yb)
        history.append(total / count)
    optimiser.zero_grad(set_to_none=True)  # no stale .grad left on the returned model
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Predicted class of each row."""
    return model(torch.as_tensor(x, dtype=model_dtype(model))).argmax(dim=1)


def accuracy(model: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> float:
    """Fraction of rows classified correctly, in [0, 1]."""
    xt, yt = as_tensors(x, y)
    return float((predict(model, xt) == yt).float().mean())
