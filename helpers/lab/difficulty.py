"""How hard is a photo to fool? The smallest budget on a fixed grid at which a fixed attack succeeds.

Part of the lab (helpers.lab): notebooks 04 (accuracy against the budget) and 05 (do dogs resist?)
read tables that `python -m helpers.lab` computes with this module, and re-compute some rows live.

The attack is PGD (notebook 03's loop) whose budget grows along the grid: at each budget eps it
takes STEPS_PER_LEVEL signed steps of pixels.default_step_size(eps, STEPS_PER_LEVEL), starting where the previous,
smaller budget ended (that ball lies inside the new one). Success is checked before every step
and after the last, so a photo's difficulty is the first grid budget at which the attack has
succeeded. One pass with a growing budget costs only the steps each photo needs: a photo leaves
the batch at its first success and the next one in line takes its place.

Three goals (Goal.kind):
  "untargeted":  the top class is no longer any of `classes` (the photo's own class);
  "superclass":  the summed probability of `classes` (e.g. all 118 dog breeds) falls below 50 %;
  "targeted":    the summed probability of `classes` (one target class) reaches 50 %.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from .. import settings
from ..compute import model_device, model_dtype
from ..checks import class_id, whole_number
from ..errors import ParameterError
from ..imagenet_groups import NUM_CLASSES
from ..pixels import check_budget, check_pixels, default_step_size, project, signed_step

#: Budgets in grey levels (1/255), smallest first.
GRID_255: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: Signed steps the attack takes at each budget of the grid.
STEPS_PER_LEVEL = 5
KINDS = ("untargeted", "superclass", "targeted")


@dataclass(frozen=True)
class Goal:
    """What one attack on one photo must achieve (see the module docstring)."""

    kind: str
    classes: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ParameterError(f"a goal's kind is one of {', '.join(KINDS)}, got {self.kind!r}.")
        if not self.classes:
            raise ParameterError("a goal needs at least one class id.")
        for cid in self.classes:
            class_id(cid, NUM_CLASSES)


@dataclass(frozen=True)
class Outcome:
    """The result of one attack: where on the grid it first succeeded, and what the model said then."""

    level: int | None  # index into the grid of the first success; -1: already true before any step; None: never
    budget_255: float  # the grid budget of that level (0 for -1, inf for None)
    steps: int  # signed steps taken
    top_class: int  # the model's top class when the attack stopped
    goal_probability: float  # the summed probability of the goal's classes then

    @property
    def succeeded(self) -> bool:
        return self.level is not None


def first_success(
    model: nn.Module,
    image_of: Callable[[int], torch.Tensor] | torch.Tensor,
    pairs: Sequence[tuple[int, Goal]],
    *,
    grid_255: Sequence[float] = GRID_255,
    steps_per_level: int = STEPS_PER_LEVEL,
    batch_size: int = 8,
    progress: bool | None = None,
) -> list[Outcome]:
    """One Outcome per (image index, Goal) pair, in the order given.

    image_of: a batch of images (N x 3 x H x W, indexed by the pairs) or a function index -> 1 x 3 x H x W.
    Each pair's result depends only on its own image and goal, not on what shares its batch.
    """
    if not grid_255 or list(grid_255) != sorted(grid_255):
        raise ParameterError(f"grid_255 must be increasing budgets in grey levels (0, 255], got {grid_255!r}.")
    budgets = [b / 255 for b in grid_255]
    for budget in budgets:
        check_budget(budget, name="a budget of grid_255, divided by 255,")
    whole_number(steps_per_level, "steps_per_level")
    whole_number(batch_size, "batch_size")
    fetch = image_of.__getitem__ if isinstance(image_of, torch.Tensor) else image_of
    device, dtype = model_device(model), model_dtype(model)
    levels = len(budgets)

    queue = deque(range(len(pairs)))
    results: list[Outcome | None] = [None] * len(pairs)
    slots: list[dict] = []  # the pairs in the batch: their state
    show = settings.progress_enabled() if progress is None else progress
    bar = tqdm(total=len(pairs), disable=not show, desc="attacks", unit="attack", leave=False)
    while queue or slots:
        while queue and len(slots) < batch_size:
            index = queue.popleft()
            image_index, goal = pairs[index]
            image = fetch(image_index)
            check_pixels(image)
            start = image.detach().reshape(1, *image.shape[-3:]).to(device=device, dtype=dtype)
            mask = torch.zeros(1, NUM_CLASSES, dtype=torch.bool, device=device)
            mask[0, list(goal.classes)] = True
            slots.append(dict(index=index, goal=goal, x0=start, x=start.clone(), mask=mask, level=0, step=0, steps=0,
                              reached=-1))
        x = torch.cat([s["x"] for s in slots]).requires_grad_(True)
        mask = torch.cat([s["mask"] for s in slots])
        log_probs = torch.log_softmax(model(x), dim=-1)
        goal_log_prob = log_probs.masked_fill(~mask, float("-inf")).logsumexp(dim=-1)
        with torch.no_grad():
            top = log_probs.argmax(dim=-1)
            goal_probability = goal_log_prob.exp()
        done = []
        for i, s in enumerate(slots):
            kind = s["goal"].kind
            if kind == "untargeted":
                success = not bool(mask[i, top[i]])
            elif kind == "superclass":
                success = float(goal_probability[i]) < 0.5
            else:
                success = float(goal_probability[i]) >= 0.5
            exhausted = s["level"] == levels
            if success or exhausted:
                level = s["reached"] if success else None
                budget = math.inf if level is None else (0.0 if level < 0 else grid_255[level])
                results[s["index"]] = Outcome(level, budget, s["steps"], int(top[i]), float(goal_probability[i]))
                done.append(i)
                bar.update()
        keep = [i for i in range(len(slots)) if i not in done]
        if keep:
            sign = torch.tensor([1.0 if slots[i]["goal"].kind == "targeted" else -1.0 for i in range(len(slots))],
                                device=device, dtype=dtype)
            (grad,) = torch.autograd.grad((sign * goal_log_prob).sum(), x)
            with torch.no_grad():
                for i in keep:
                    s = slots[i]
                    epsilon = budgets[s["level"]]
                    step = default_step_size(epsilon, steps_per_level)
                    s["x"] = project(signed_step(x[i:i + 1], grad[i:i + 1], step), s["x0"], epsilon)
                    s["reached"], s["steps"], s["step"] = s["level"], s["steps"] + 1, s["step"] + 1
                    if s["step"] == steps_per_level:
                        s["level"], s["step"] = s["level"] + 1, 0
        slots = [slots[i] for i in keep]
    bar.close()
    finished = [r for r in results if r is not None]
    assert len(finished) == len(pairs)  # the loop ends only when every pair has its outcome
    return finished
