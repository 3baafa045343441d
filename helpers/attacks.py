"""Gradient steps on the input: the whole machinery of the ImageNet attacks.

Notebook 03 writes one gradient step out by hand; from then on the notebooks call these.
All images are pixel tensors in [0, 1]; budgets (epsilon, step sizes) are in the same
units, so 1/255 is one grey level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from . import settings
from .errors import AttackParameterError, InvalidInputError
from .images import check_pixels

ClassSpec = str | int | Sequence[str | int] | torch.Tensor | None


def _class_ids(model: nn.Module, classes: ClassSpec, n: int, device: torch.device) -> torch.Tensor:
    """One class id per image, from a name, an id, or a sequence of either (one per image)."""
    if isinstance(classes, torch.Tensor):
        ids = classes.to(device=device, dtype=torch.long).flatten()
    elif isinstance(classes, (str, int)):
        ids = torch.tensor([model.class_index(classes)] * n, device=device)
    else:
        ids = torch.tensor([model.class_index(c) for c in classes], device=device)
    if ids.numel() == 1 and n > 1:
        ids = ids.expand(n)
    if ids.numel() != n:
        raise AttackParameterError(f"got {ids.numel()} classes for {n} images; give one class, or one per image.")
    return ids


def class_log_prob_gradient(
    model: nn.Module, x: torch.Tensor, classes: ClassSpec
) -> tuple[torch.Tensor, torch.Tensor]:
    """d log p(class | x) / dx for each image, and the probabilities at x (N x classes, detached).

    The log-probability (not the raw logit) is what an attack should climb: raising it
    also pushes every other class down.
    """
    ids = _class_ids(model, classes, x.shape[0], x.device)
    x = x.detach().requires_grad_(True)
    log_probs = torch.log_softmax(model(x), dim=-1)
    chosen = log_probs.gather(1, ids.view(-1, 1)).sum()  # images are independent: one backward for all
    (grad,) = torch.autograd.grad(chosen, x)
    return grad, log_probs.detach().exp()


def signed_step(x: torch.Tensor, grad: torch.Tensor, step_size: float) -> torch.Tensor:
    """x + step_size * sign(grad), kept inside the valid pixel range [0, 1]."""
    return (x + step_size * grad.sign()).clamp(0.0, 1.0)


def project(x: torch.Tensor, original: torch.Tensor, epsilon: float) -> torch.Tensor:
    """The closest image to x that differs from `original` by at most epsilon per pixel and stays in [0, 1]."""
    return torch.max(torch.min(x, original + epsilon), original - epsilon).clamp(0.0, 1.0)


@dataclass
class AttackResult:
    """What an iterative attack produced.

    history[t, i] are image i's class probabilities before step t; history[-1] is after the last step.
    """

    original: torch.Tensor
    image: torch.Tensor
    history: torch.Tensor
    classes: torch.Tensor
    targeted: bool

    @property
    def perturbation(self) -> torch.Tensor:
        return self.image - self.original

    @property
    def linf_255(self) -> float:
        """The largest change of any pixel value, in grey levels (1/255)."""
        return float(self.perturbation.abs().max()) * 255

    @property
    def final_probs(self) -> torch.Tensor:
        return self.history[-1]

    def class_curve(self, class_id: int, image: int = 0) -> torch.Tensor:
        """One class's probability over the steps, for one image."""
        return self.history[:, image, class_id]

    def steps_to_reach(self, threshold: float = 0.5) -> list[int | None]:
        """Per image: the first step after which the attacked class's probability is >= threshold
        (targeted), or <= threshold (untargeted); None if it never got there."""
        p = self.history[:, torch.arange(self.history.shape[1]), self.classes.cpu()]
        hit = p >= threshold if self.targeted else p <= threshold
        out: list[int | None] = []
        for column in hit.T:
            where = torch.nonzero(column)
            out.append(int(where[0]) if len(where) else None)
        return out


def _device_of(model: nn.Module) -> torch.device:
    for tensor in (*model.buffers(), *model.parameters()):
        return tensor.device
    return torch.device("cpu")


def _check_budget(epsilon: float, steps: int, step_size: float) -> None:
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise AttackParameterError(f"steps must be a whole number >= 1, got {steps!r}.")
    for label, value in (("epsilon", epsilon), ("step_size", step_size)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise AttackParameterError(
                f"{label} must be a positive number of pixel units (e.g. 2/255 for two grey levels), got {value!r}."
            )
    if epsilon > 1:
        raise AttackParameterError(f"epsilon={epsilon} is more than the whole pixel range [0, 1]; "
                                   "budgets are in pixel units, e.g. 2/255.")


def iterative_attack(
    model: nn.Module,
    image: torch.Tensor,
    *,
    target: ClassSpec = None,
    away_from: ClassSpec = None,
    epsilon: float,
    steps: int = 10,
    step_size: float | None = None,
    progress: bool | None = None,
) -> AttackResult:
    """Repeated signed gradient steps inside an L-infinity ball (projected gradient ascent/descent).

    target:    climb log p(target) (a targeted attack, e.g. panda -> vulture);
    away_from: descend log p(class) (untargeted; default: the model's current top class).
    Each step moves every pixel by step_size (default 2.5 * epsilon / steps, at most epsilon),
    then projects back to within epsilon of the original and into [0, 1].
    """
    if target is not None and away_from is not None:
        raise AttackParameterError("give either target= (towards a class) or away_from= (away from one), not both.")
    if step_size is None:
        _check_budget(epsilon, steps, 1.0)
        step_size = min(epsilon, 2.5 * epsilon / steps)
    _check_budget(epsilon, steps, step_size)
    device = _device_of(model)
    check_pixels(image)
    original = image.detach().to(device=device, dtype=torch.float32)
    n = original.shape[0]

    targeted = target is not None
    if targeted:
        ids = _class_ids(model, target, n, device)
    elif away_from is not None:
        ids = _class_ids(model, away_from, n, device)
    else:
        with torch.no_grad():
            ids = model(original).argmax(dim=-1)
    direction = 1.0 if targeted else -1.0

    x = original.clone()
    history = []
    show = settings.progress_enabled() if progress is None else progress
    for _ in tqdm(range(steps), disable=not show, desc="attack", unit="step", leave=False):
        grad, probs = class_log_prob_gradient(model, x, ids)
        history.append(probs.cpu())
        x = project(signed_step(x, direction * grad, step_size), original, epsilon)
    with torch.no_grad():
        history.append(model(x).softmax(dim=-1).cpu())
    if not torch.isfinite(history[-1]).all():
        raise InvalidInputError("the model produced NaN probabilities; check the model and the image.")
    return AttackResult(original=original, image=x.detach(), history=torch.stack(history), classes=ids.cpu(),
                        targeted=targeted)


def steps_to_target(
    model: nn.Module,
    image: torch.Tensor,
    *,
    target: ClassSpec,
    threshold: float = 0.5,
    epsilon: float,
    step_size: float,
    max_steps: int,
    progress: bool | None = None,
) -> list[int | None]:
    """Per image: how many steps of iterative_attack(target=...) it takes for p(target) to reach `threshold`.

    The same steps as iterative_attack (so the answer equals its steps_to_reach(threshold)), but an
    image leaves the batch as soon as it gets there: measuring many image/target pairs then costs
    only the steps each pair needs. None: not reached within max_steps.
    """
    _check_budget(epsilon, max_steps, step_size)
    if not 0 < threshold < 1:
        raise AttackParameterError(f"threshold is a probability between 0 and 1, got {threshold!r}.")
    device = _device_of(model)
    check_pixels(image)
    original = image.detach().to(device=device, dtype=torch.float32)
    ids = _class_ids(model, target, original.shape[0], device)
    needed: list[int | None] = [None] * original.shape[0]
    active = torch.arange(original.shape[0], device=device)
    x = original.clone()
    show = settings.progress_enabled() if progress is None else progress
    for step in tqdm(range(max_steps + 1), disable=not show, desc="attack", unit="step", leave=False):
        if step < max_steps:
            grad, probs = class_log_prob_gradient(model, x, ids[active])
        else:  # after the last step only the probabilities are needed
            with torch.no_grad():
                probs = model(x).softmax(dim=-1)
        reached = probs.gather(1, ids[active].view(-1, 1)).flatten() >= threshold
        for i in active[reached].tolist():
            needed[i] = step
        if step == max_steps or bool(reached.all()):
            break
        keep = ~reached
        x = project(signed_step(x[keep], grad[keep], step_size), original[active[keep]], epsilon)
        active = active[keep]
    return needed
