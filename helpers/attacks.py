"""Gradient steps on the input: the whole machinery of the attacks in notebooks 02-05.

Notebook 02 writes FGSM out by hand, notebook 03 one gradient step on a deep network and then
the loop of many small steps; from then on the notebooks call these. Images are pixel tensors
in [0, 1] and budgets (epsilon, step sizes) are in the same units, so 1/255 is one grey level.
The attacks compute in the model's own precision (float64 by default, see helpers.settings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from . import settings
from .checks import whole_number
from .compute import chunks, model_device, model_dtype
from .errors import InvalidInputError, ParameterError
from .pixels import check_budget, check_pixels, default_step_size, project, signed_step

ClassSpec = str | int | Sequence[str | int] | torch.Tensor | None

#: Pixel values attacked together at most: 2 photos of 3 x 224 x 224 (or a whole batch of digits).
#: Larger batches run in chunks, with the same result bit for bit. Each photo in a chunk keeps about
#: 0.1 GB of float64 activations for the backward pass, and on a 2-core CPU small chunks were no slower
#: per photo (6 photos, 10 steps: 4.3 s in chunks of 2, 5.4 s in one batch), so notebook 04 stays
#: under 1.5 GB.
CHUNK_VALUES = 2 * 3 * 224 * 224


def resolve_classes(model: nn.Module, classes: ClassSpec, n: int) -> torch.Tensor:
    """One class id per image, from a name, an id, or a sequence of either (one per image)."""
    class_index = getattr(model, "class_index", None)  # a Classifier's: names, with close matches when unknown

    def one(label: str | int) -> int:
        if class_index is not None:
            return class_index(label)
        if isinstance(label, int) and not isinstance(label, bool):
            return label
        raise ParameterError(f"this model has no class names; give class ids (whole numbers), not {label!r}.")

    if classes is None:
        raise ParameterError("give the class: a name, an id, or one per image.")
    if isinstance(classes, torch.Tensor):
        ids = classes.to(dtype=torch.long).flatten().cpu()
    elif isinstance(classes, (str, int)):
        ids = torch.tensor([one(classes)] * n)
    else:
        ids = torch.tensor([one(c) for c in classes], dtype=torch.long)
    if ids.numel() == 1 and n > 1:
        ids = ids.expand(n)
    if ids.numel() != n:
        raise ParameterError(f"got {ids.numel()} classes for {n} images; give one class, or one per image.")
    return ids


def class_log_prob_gradient(model: nn.Module, x: torch.Tensor, classes: ClassSpec,
                            samples: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Taught in 03 §3: d log p(class | x) / dx for each image, and the probabilities at x (N x classes, detached).

    The log-probability (not the raw logit) is what an attack should climb: raising it also
    pushes every other class down. Notebook 03 writes this computation out by hand.
    samples > 1 is for a model that draws random numbers in its forward pass (a random defence, a
    smoothed classifier): the gradient and the probabilities are averaged over that many forward
    passes, summed in order and divided by `samples` ("expectation over transformation", EOT;
    taught in 06 §3). One sample is the plain gradient, bit for bit.
    """
    whole_number(samples, "samples")
    ids = resolve_classes(model, classes, x.shape[0])
    total_grad: torch.Tensor | None = None
    total_probs: torch.Tensor | None = None
    for _ in range(samples):
        x_var = x.detach().requires_grad_(True)
        log_probs = torch.log_softmax(model(x_var), dim=-1)
        # the model may compute on another device than x (a Classifier moves its input): index where the output is
        chosen = log_probs.gather(1, ids.to(log_probs.device).view(-1, 1)).sum()  # images are independent: one backward
        (grad,) = torch.autograd.grad(chosen, x_var)
        probs = log_probs.detach().exp()
        total_grad = grad if total_grad is None else total_grad + grad
        total_probs = probs if total_probs is None else total_probs + probs
    assert total_grad is not None and total_probs is not None
    if samples == 1:
        return total_grad, total_probs
    return total_grad / samples, total_probs / samples


@dataclass(repr=False)
class AttackResult:
    """What an iterative attack produced.

    history[t, i] are image i's class probabilities before step t; history[-1] after the last step.
    class_ids[i] is image i's target (targeted) or the class it was pushed away from (untargeted).
    """

    original: torch.Tensor
    adversarial: torch.Tensor
    history: torch.Tensor
    class_ids: torch.Tensor
    targeted: bool

    @property
    def perturbation(self) -> torch.Tensor:
        return self.adversarial - self.original

    @property
    def linf_255(self) -> float:
        """The largest change of any pixel value, in grey levels (1/255)."""
        return float(self.perturbation.abs().max()) * 255

    @property
    def initial_probs(self) -> torch.Tensor:
        """N x classes: the probabilities before the first step."""
        return self.history[0]

    @property
    def final_probs(self) -> torch.Tensor:
        """N x classes: the probabilities after the last step."""
        return self.history[-1]

    def class_curve(self, class_id: int, image: int = 0) -> torch.Tensor:
        """One class's probability over the steps, for one image."""
        return self.history[:, image, class_id]

    def steps_to_reach(self, threshold: float = 0.5) -> list[int | None]:
        """Per image: the first step after which the attacked class's probability is >= threshold
        (targeted), or <= threshold (untargeted); None if it never got there."""
        p = self.history[:, torch.arange(self.history.shape[1]), self.class_ids]
        hit = p >= threshold if self.targeted else p <= threshold
        return [int(where[0]) if len(where := torch.nonzero(column)) else None for column in hit.T]

    def leading_classes(self, image: int = 0) -> list[int]:
        """Every class that is the most likely one at some step, in order of first appearance (shows detours)."""
        seen: list[int] = []
        for cid in self.history[:, image].argmax(dim=-1).tolist():
            if cid not in seen:
                seen.append(cid)
        return seen

    def __repr__(self) -> str:
        kind = "targeted" if self.targeted else "untargeted"
        steps, n = self.history.shape[0] - 1, self.history.shape[1]
        return (f"AttackResult({kind}, {n} image{'s' * (n != 1)}, {steps} step{'s' * (steps != 1)}, "
                f"largest change {self.linf_255:.2f}/255)")


def iterative_attack(
    model: nn.Module,
    images: torch.Tensor,
    *,
    target: ClassSpec = None,
    away_from: ClassSpec = None,
    epsilon: float,
    steps: int = 10,
    step_size: float | None = None,
    start: torch.Tensor | None = None,
    samples: int = 1,
    progress: bool | None = None,
) -> AttackResult:
    """Taught in 03 §4b: repeated signed gradient steps inside an L-infinity ball (projected gradient, "PGD").

    target:    climb log p(target) (a targeted attack, e.g. panda -> vulture);
    away_from: descend log p(class) (untargeted; default: the model's current top class).
    Each step moves every pixel by step_size (default 2.5 * epsilon / steps, at most epsilon), then
    projects back to within epsilon of the original and into [0, 1]. Large batches run in chunks
    (CHUNK_VALUES), with the same result as one batch.
    start:     where the steps begin (default: the images themselves), projected into the box first;
               `pgd` passes random points of the box (random starts, notebook 02 §8).
    samples:   gradients averaged per step, for a model with randomness in its forward pass (EOT, 06 §3).
    """
    if target is not None and away_from is not None:
        raise ParameterError("give either target= (towards a class) or away_from= (away from one), not both.")
    check_budget(epsilon, steps, step_size)
    step_size = default_step_size(epsilon, steps) if step_size is None else step_size
    check_pixels(images, "images")
    device, dtype = model_device(model), model_dtype(model)
    original = images.detach().to(device=device, dtype=dtype)
    n = original.shape[0]
    if start is not None:
        check_pixels(start, "start")
        if start.shape != images.shape:
            raise InvalidInputError(f"start has shape {tuple(start.shape)}, the images {tuple(images.shape)}; "
                                    "give one starting point per image.")
        begin = project(start.detach().to(device=device, dtype=dtype), original, epsilon)
    else:
        begin = original
    parts = chunks(n, CHUNK_VALUES, original[0].numel())
    targeted = target is not None
    if targeted or away_from is not None:
        ids = resolve_classes(model, target if targeted else away_from, n)
    else:
        with torch.no_grad():
            ids = torch.cat([model(original[part]).argmax(dim=-1).cpu() for part in parts])
    direction = 1.0 if targeted else -1.0

    show = settings.progress_enabled() if progress is None else progress
    bar = tqdm(total=steps * len(parts), disable=not show, desc="attack", unit="step", leave=False)
    adversarial, history = [], []
    for part in parts:
        x0, chunk_ids = original[part], ids[part]
        x, seen = begin[part].clone(), []
        for _ in range(steps):
            grad, probs = class_log_prob_gradient(model, x, chunk_ids, samples)
            seen.append(probs.cpu())
            x = project(signed_step(x, direction * grad, step_size), x0, epsilon)
            bar.update()
        with torch.no_grad():
            seen.append(model(x).softmax(dim=-1).cpu())
        adversarial.append(x.detach())
        history.append(torch.stack(seen))
    bar.close()
    result = AttackResult(original=original, adversarial=torch.cat(adversarial), history=torch.cat(history, dim=1),
                          class_ids=ids.clone(), targeted=targeted)
    if not torch.isfinite(result.final_probs).all():
        raise InvalidInputError("the model produced NaN probabilities; check the model and the image.")
    return result


def fgsm(model: nn.Module, images: torch.Tensor, labels: ClassSpec, epsilon: float, *,
         targeted: bool = False) -> torch.Tensor:
    """Taught in 02 §7: the fast gradient sign method (Goodfellow et al. 2015), one iterative_attack step of epsilon.

    Untargeted (default): every pixel moves by epsilon to lower log p(label), i.e. to raise the loss.
    Targeted: `labels` are the wanted classes and the step raises their log-probability instead.
    Notebook 02 writes it out by hand; the result is detached and can feed training directly.
    """
    target, away_from = (labels, None) if targeted else (None, labels)
    return iterative_attack(model, images, target=target, away_from=away_from, epsilon=epsilon, steps=1,
                            step_size=epsilon, progress=False).adversarial


def pgd(model: nn.Module, images: torch.Tensor, labels: ClassSpec, *, epsilon: float, steps: int = 40,
        restarts: int = 5, seed: int | torch.Generator = 0, samples: int = 1,
        step_size: float | None = None,
        judge: Callable[[torch.Tensor], torch.Tensor] | None = None) -> torch.Tensor:
    """Taught in 02 §8: PGD with random starts (Madry et al. 2018), the worst of `restarts` runs per image.

    Each run is `iterative_attack` away from `labels`, started from a uniformly random point of the
    epsilon-box (clipped to [0, 1]). An image gets the first run's result that the model misclassifies,
    or, if no run fools it, the original image back: the model's accuracy on the result is its accuracy
    under the attack. `seed` (or a generator, to draw fresh starts on every call) fixes the starts;
    `samples` averages gradients over a random model's draws (EOT, 06 §3). Notebook 02 writes it by hand.
    `judge` (images -> one class per image; default model(images).argmax) decides whether a run fooled
    the model: give it for a random model, whose single forward pass is only one draw of its noise, e.g.
    the majority of the noisy votes that the defence answers with (06, exercise 1).
    """
    whole_number(restarts, "restarts")
    check_budget(epsilon, steps, step_size)
    check_pixels(images, "images")
    device, dtype = model_device(model), model_dtype(model)
    x = images.detach().to(device=device, dtype=dtype)
    ids = resolve_classes(model, labels, x.shape[0]).to(device)
    random = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    worst, fooled = x.clone(), torch.zeros(len(x), dtype=torch.bool, device=device)
    for _ in range(restarts):
        noise = 2 * torch.rand(x.shape, generator=random, dtype=dtype) - 1
        start = (x + epsilon * noise.to(device)).clamp(0.0, 1.0)
        adversarial = iterative_attack(model, x, away_from=ids, epsilon=epsilon, steps=steps, step_size=step_size,
                                       start=start, samples=samples, progress=False).adversarial
        with torch.no_grad():
            answer = model(adversarial).argmax(dim=-1) if judge is None else judge(adversarial)
        answer = torch.as_tensor(answer).to(ids.device)
        if answer.shape != ids.shape:
            raise InvalidInputError(f"judge returned shape {tuple(answer.shape)}; it must return one class id per "
                                    f"image, shape {tuple(ids.shape)}.")
        wrong = answer != ids
        worst[wrong & ~fooled] = adversarial[wrong & ~fooled]
        fooled |= wrong
    return worst
