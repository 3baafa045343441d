"""helpers.lab.difficulty: the growing-budget attack, its three goals, and results that do not depend on the batch."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import images
from helpers.lab import difficulty
from helpers import imagenet_groups as groups
from helpers.lab.difficulty import Goal
from helpers.errors import InvalidInputError, ParameterError


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    return torch.cat([images.load("coffee"), images.load("chelsea"), images.load("grace_hopper")])


def test_untargeted_and_superclass_goals(lite0, photos) -> None:
    pairs = [(0, Goal("untargeted", (967,))), (1, Goal("superclass", tuple(groups.class_ids("domestic cats")))),
             (2, Goal("superclass", tuple(groups.class_ids("dogs"))))]
    coffee, chelsea, hopper = difficulty.first_success(lite0, photos, pairs, progress=False)
    assert coffee.succeeded and coffee.level >= 0 and coffee.top_class != 967 and coffee.steps >= 1
    assert coffee.budget_255 == difficulty.GRID_255[coffee.level] and coffee.goal_probability < 0.5
    assert chelsea.succeeded and chelsea.goal_probability < 0.5
    # Grace Hopper has almost no dog probability: "below 50 %" is true before any step
    assert (hopper.level, hopper.budget_255, hopper.steps) == (-1, 0.0, 0)


def test_a_goal_out_of_reach_is_reported_as_never(lite0, photos) -> None:
    (outcome,) = difficulty.first_success(lite0, photos, [(0, Goal("targeted", (23,)))], grid_255=(0.05,),
                                          steps_per_level=1, progress=False)
    assert outcome == difficulty.Outcome(None, math.inf, 1, outcome.top_class, outcome.goal_probability)
    assert not outcome.succeeded and outcome.goal_probability < 0.5


def test_outcomes_do_not_depend_on_the_batch(lite0, photos) -> None:
    pairs = [(0, Goal("untargeted", (967,))), (1, Goal("targeted", (434,))), (2, Goal("untargeted", (400,)))]
    settings = dict(grid_255=(0.25, 0.5, 1.0), steps_per_level=3, progress=False)
    together = difficulty.first_success(lite0, photos, pairs, batch_size=3, **settings)
    one_by_one = difficulty.first_success(lite0, photos, pairs, batch_size=1, **settings)
    reversed_ = difficulty.first_success(lite0, lambda i: photos[i:i + 1], pairs[::-1], batch_size=2, **settings)[::-1]
    for a, b, c in zip(together, one_by_one, reversed_):
        assert (a.level, a.steps, a.top_class) == (b.level, b.steps, b.top_class) == (c.level, c.steps, c.top_class)
        assert abs(a.goal_probability - b.goal_probability) < 1e-12 and abs(a.goal_probability - c.goal_probability) < 1e-12


def test_bad_settings(lite0, photos) -> None:
    with pytest.raises(ParameterError, match="kind"):
        Goal("sideways", (1,))
    with pytest.raises(ParameterError, match="class"):
        Goal("targeted", ())
    with pytest.raises(ParameterError, match="grid_255"):
        difficulty.first_success(lite0, photos, [(0, Goal("targeted", (1,)))], grid_255=(2.0, 1.0))
    with pytest.raises(ParameterError, match="steps_per_level"):
        difficulty.first_success(lite0, photos, [(0, Goal("targeted", (1,)))], steps_per_level=0)
    with pytest.raises(InvalidInputError, match="NaN"):
        difficulty.first_success(lite0, photos * float("nan"), [(0, Goal("targeted", (1,)))])
