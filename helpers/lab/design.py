"""The studies' designs, fixed before any attack runs: seeds, budget grids, steps, targets and the matched photos."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import imagenet_groups as groups
from .difficulty import GRID_255, Outcome

# --- notebook 05: do dogs resist? ----------------------------------------------------------------
#: The targets of the dog study, fixed before any attack was run: the original's tennis ball, then nine
#: classes drawn at random (numpy seed 2015) from those that are neither dogs nor wolves, foxes and wild dogs.
TARGET_SEED = 2015
TENNIS_BALL = 852
#: Signed steps per budget for every goal. Doubling them (CHECK_STEPS) on a random share of the targeted
#: attacks (CHECK_SHARE) measures how much a stronger attack would change: in a pilot on 16 targeted pairs,
#: 5 steps per budget overstated the level of 13, 20 steps agreed with 40 on 15.
STEPS = {"untargeted": 20, "superclass": 20, "targeted": 20}
CHECK_STEPS = 40
CHECK_SHARE = 0.10
#: The budgets each goal climbs. A quarter grey level almost never reaches a chosen class (10 of 2060 targeted
#: attacks in a first Lite0 run), so the targeted attacks start at half a grey level.
GRIDS = {"untargeted": GRID_255, "superclass": GRID_255, "targeted": GRID_255[1:]}
#: The dogs attacked: a seeded random sample of the correctly classified dog photos, drawn before any attack.
DOG_SAMPLE = 30
SAMPLE_SEED = 3
#: The superclasses of the two comparison groups. "animals": every animal superclass except the dogs and their
#: wild relatives (a dhole or a dingo is a dog by another name); "objects": ImageNet's 526 man-made things.
COMPARISONS = {
    "animal": ("birds", "reptiles", "amphibians", "fish", "insects", "spiders, crabs and other invertebrates",
               "marine mammals", "primates", "hoofed mammals", "big cats", "domestic cats", "bears", "other mammals"),
    "object": ("objects",),
}


def dog_targets() -> list[int]:
    """Tennis ball (852) and nine random classes outside the dog breeds and the wild dogs."""
    excluded = set(groups.class_ids("dogs")) | set(groups.class_ids("wolves, foxes and wild dogs")) | {TENNIS_BALL}
    pool = [c for c in range(groups.NUM_CLASSES) if c not in excluded]
    rng = np.random.default_rng(TARGET_SEED)
    return [TENNIS_BALL, *sorted(int(c) for c in rng.choice(pool, size=9, replace=False))]


def sample_dogs(correct_dogs: Sequence[int], size: int | None = DOG_SAMPLE) -> list[int]:
    """A seeded random sample of the correctly classified dogs (all of them when size is None or too large)."""
    if size is None or size >= len(correct_dogs):
        return sorted(correct_dogs)
    return sorted(int(c) for c in np.random.default_rng(SAMPLE_SEED).choice(list(correct_dogs), size=size,
                                                                             replace=False))


def logit(p: float) -> float:
    """log(p / (1 - p)): a confidence on a scale where 90 % and 99 % are as far apart as 50 % and 90 %."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def match_on_confidence(dogs: Sequence[int], pool: Sequence[int], confidence: dict[int, float],
                        seed: int = 0) -> list[int]:
    """For each dog photo (in a random order, seeded) the unused pool photo closest in logit(confidence)."""
    order = np.random.default_rng(seed).permutation(len(dogs))
    free = sorted(pool)
    matched: dict[int, int] = {}
    for i in order:
        dog = dogs[i]
        best = min(free, key=lambda c: (abs(logit(confidence[c]) - logit(confidence[dog])), c))
        matched[dog] = best
        free.remove(best)
    return [matched[d] for d in dogs]


def common_level(outcome: Outcome) -> int | str:
    """An outcome's level on the full grid (GRID_255), whichever grid its attack climbed; "" for never."""
    if outcome.level is None:
        return ""
    return -1 if outcome.level < 0 else GRID_255.index(outcome.budget_255)


# --- notebook 04: accuracy against the budget ------------------------------------------------------
#: Photos in the accuracy study: a random sample (seed 0) of the 1000.
ACCURACY_PHOTOS = 250
ACCURACY_SEED = 0
#: Steps per budget of its growing-budget attack (the table was computed with 10).
ACCURACY_STEPS = 10
#: FGSM budgets of the accuracy study, in grey levels: 0 (clean) and the grid.
FGSM_GRID_255 = (0.0, *GRID_255)


def accuracy_photos() -> list[int]:
    """The class ids of the accuracy study's photos: a seeded random sample of the 1000, sorted."""
    rng = np.random.default_rng(ACCURACY_SEED)
    return sorted(int(c) for c in rng.choice(groups.NUM_CLASSES, size=ACCURACY_PHOTOS, replace=False))


# --- notebook 04: does it transfer? ------------------------------------------------------------------
#: The transfer study attacks the accuracy study's photos on Lite0 and shows the results to Lite1 and Lite2.
TRANSFER_NETWORKS = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")
TRANSFER_BUDGETS_255 = (2, 16)
TRANSFER_STEPS = 10
#: Each photo's target class: drawn (numpy seed 2017, Liu et al.'s year) among the 999 classes that are not its own.
TRANSFER_SEED = 2017


def transfer_targets(class_ids: Sequence[int]) -> list[int]:
    """One random target per photo, never the photo's own class, drawn in the order given (seeded)."""
    rng = np.random.default_rng(TRANSFER_SEED)
    targets = []
    for c in class_ids:
        t = int(rng.integers(groups.NUM_CLASSES - 1))
        targets.append(t + (t >= c))
    return targets
