"""The dog study of notebook 05: do dog photos need a larger budget than comparable other photos?

Design (helpers.lab.design): a seeded sample of the dog photos the network classifies correctly; for each, the
closest photo in clean confidence (logit scale) from each comparison group (other animals, objects); three goals
per photo (untargeted, leave its superclass, reach each of ten fixed targets), each a growing-budget attack
(helpers.lab.difficulty) in float64; a random share of the targeted attacks run again with twice the steps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from .. import images, models
from .. import imagenet_groups as groups
from ..compute import chunks
from . import design, tables
from .difficulty import GRID_255, Goal
from .runner import run_pairs

GROUPS = ("dog", *design.COMPARISONS)


@torch.no_grad()
def clean_predictions(model: models.Classifier, class_ids: Sequence[int]) -> torch.Tensor:
    """Probabilities (N x 1000) for the imagenet-samples photos of the given classes, 8 at a time."""
    names = [images.imagenet_sample(c) for c in class_ids]
    return torch.cat([model.probabilities(images.load_many(names[part])).cpu() for part in chunks(len(names), 8)])


def choose_photos(clean: torch.Tensor, targets: Sequence[int], dog_sample: int | None) -> dict[str, list[int]]:
    """The class ids of each group's photos: sampled dogs, then each dog's match in every comparison group."""
    correct = [c for c in range(groups.NUM_CLASSES) if int(clean[c].argmax()) == c]
    confidence = {c: float(clean[c, c]) for c in correct}
    dog_ids = set(groups.class_ids("dogs"))
    dogs = design.sample_dogs([c for c in correct if c in dog_ids], dog_sample)
    chosen = {"dog": dogs}
    for group, superclasses in design.COMPARISONS.items():
        pool = [c for c in correct if groups.group_of(c) in superclasses and c not in targets]
        chosen[group] = design.match_on_confidence(dogs, pool, confidence)
    return chosen


def clean_rank(probabilities: torch.Tensor, class_id: int) -> int:
    """1 + how many classes the clean photo rates above `class_id` (1: it is the top class)."""
    return 1 + int((probabilities > probabilities[class_id]).sum())


def dog_study(model_name: str, workers: int, progress: bool, out: Path, dog_sample: int | None) -> dict[str, object]:
    started, commit = time.monotonic(), tables.git_commit()  # the code as it is when the run starts
    model = models.load(model_name, device="cpu")
    targets = design.dog_targets()
    clean = clean_predictions(model, range(groups.NUM_CLASSES))
    chosen = choose_photos(clean, targets, dog_sample)

    pairs, described = [], []
    for group in GROUPS:
        for cid in chosen[group]:
            own = groups.group_of(cid)
            goals: list[tuple[str, Goal, str, int | str]] = [("untargeted", Goal("untargeted", (cid,)), str(cid), ""),
                     ("superclass", Goal("superclass", tuple(groups.class_ids(own))), own, "")]
            goals += [("targeted", Goal("targeted", (t,)), str(t), clean_rank(clean[cid], t)) for t in targets]
            for task, goal, goal_name, rank in goals:
                pairs.append((cid, goal, design.STEPS[goal.kind], design.GRIDS[goal.kind]))
                described.append((cid, group, task, goal_name, rank))
    targeted = [i for i, d in enumerate(described) if d[2] == "targeted"]
    rng = np.random.default_rng(1)
    for i in sorted(int(i) for i in rng.choice(targeted, size=round(design.CHECK_SHARE * len(targeted)),
                                               replace=False)):
        cid, goal, _, grid = pairs[i]
        pairs.append((cid, goal, design.CHECK_STEPS, grid))
        described.append((*described[i][:2], "targeted-check", *described[i][3:]))

    outcomes, peaks = run_pairs(model_name, pairs, workers, progress)
    rows = []
    for (cid, group, task, goal_name, rank), (_, _, steps, _), o in zip(described, pairs, outcomes):
        rows.append({"photo": images.imagenet_sample(cid), "class_id": cid, "group": group,
                     "superclass": groups.group_of(cid), "clean_confidence": f"{float(clean[cid, cid]):.8f}",
                     "task": task, "goal": goal_name, "goal_clean_rank": rank, "steps_per_level": steps,
                     "level": design.common_level(o), "budget_255": o.budget_255, "steps": o.steps,
                     "top_class": o.top_class, "goal_probability": f"{o.goal_probability:.8f}"})
    seconds = time.monotonic() - started
    command = f"python -m helpers.lab dogs --model {model_name} --workers {workers}"
    if dog_sample != design.DOG_SAMPLE:
        command += f" --dog-sample {dog_sample if dog_sample is not None else 0}"
    dog_ids = set(groups.class_ids("dogs"))
    provenance = tables.run_provenance(
        model.name, model.dtype, command, commit,
        grid_255={kind: list(grid) for kind, grid in design.GRIDS.items()}, steps_per_level=design.STEPS,
        check={"share": design.CHECK_SHARE, "steps_per_level": design.CHECK_STEPS, "seed": 1},
        level="the index of the first successful budget in " + str(list(GRID_255))
              + " (-1: true before any step; empty: never)",
        targets=targets, target_seed=design.TARGET_SEED, photos={g: len(chosen[g]) for g in GROUPS},
        correct_dogs=sum(int(clean[c].argmax()) == c for c in dog_ids),
        comparisons={g: list(s) for g, s in design.COMPARISONS.items()},
        selection=(f"a random sample (seed {design.SAMPLE_SEED}) of {len(chosen['dog'])} of the dog photos "
                   "(ImageNet ids 151-268) the model classifies correctly; for each dog (random order, seed 0), "
                   "in each comparison group, the correctly classified photo of the group's superclasses closest "
                   "in logit(clean confidence), without replacement (the targets' own photos excluded)"),
        goal_clean_rank="targeted rows: the target's rank among the 1000 classes on the clean photo (1: top)",
        workers=workers, run_seconds=round(seconds), peak_memory_mb=peaks)
    tables.write_table(out, provenance, rows)
    return {"table": str(out), "rows": len(rows), "photos": provenance["photos"], "run_seconds": round(seconds),
            "peak_memory_mb_per_process": peaks}
