"""The accuracy study of notebook 04: accuracy against the budget, FGSM and a growing-budget attack, 250 photos."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import torch

from .. import attacks, images, models
from ..compute import chunks
from . import design, tables
from .difficulty import GRID_255, Goal
from .runner import run_pairs


def fgsm_predictions(model: models.Classifier, class_ids: Sequence[int]) -> list[list[int]]:
    """For each photo, the top class after FGSM (away from its true class) at every budget of FGSM_GRID_255."""
    tops: list[list[int]] = []
    for part in chunks(len(class_ids), 8):
        chunk = list(class_ids[part])
        x = images.load_many([images.imagenet_sample(c) for c in chunk]).to(model.dtype)
        grad, _ = attacks.class_log_prob_gradient(model, x, torch.tensor(chunk))
        per_budget = []
        with torch.no_grad():
            for budget in design.FGSM_GRID_255:
                per_budget.append(model(attacks.signed_step(x, -grad, budget / 255)).argmax(-1).tolist())
        tops.extend(list(row) for row in zip(*per_budget))
    return tops


def accuracy_study(model_name: str, workers: int, progress: bool, out: Path) -> dict[str, object]:
    started, commit = time.monotonic(), tables.git_commit()  # the code as it is when the run starts
    model = models.load(model_name, device="cpu")
    photos = design.accuracy_photos()
    fgsm_tops = fgsm_predictions(model, photos)
    correct = [c for c, tops in zip(photos, fgsm_tops) if tops[0] == c]
    pairs = [(c, Goal("untargeted", (c,)), design.ACCURACY_STEPS, GRID_255) for c in correct]
    outcomes, peaks = run_pairs(model_name, pairs, workers, progress)
    pgd = dict(zip(correct, outcomes))
    rows = []
    for c, tops in zip(photos, fgsm_tops):
        o = pgd.get(c)
        row: dict[str, object] = {"photo": images.imagenet_sample(c), "class_id": c}
        row.update({f"fgsm_top_{b:g}": t for b, t in zip(design.FGSM_GRID_255, tops)})
        row.update({"pgd_level": "" if o is None else design.common_level(o),
                    "pgd_budget_255": "" if o is None else o.budget_255, "pgd_steps": "" if o is None else o.steps,
                    "pgd_top_class": "" if o is None else o.top_class})
        rows.append(row)
    seconds = time.monotonic() - started
    provenance = tables.run_provenance(
        model.name, model.dtype, f"python -m helpers.lab accuracy --model {model_name} --workers {workers}", commit,
        photos=len(photos), photo_seed=design.ACCURACY_SEED, fgsm_grid_255=list(design.FGSM_GRID_255),
        grid_255=list(GRID_255), steps_per_level=design.ACCURACY_STEPS,
        pgd="growing-budget untargeted attack (helpers.lab.difficulty) on the clean-correct photos",
        workers=workers, run_seconds=round(seconds), peak_memory_mb=peaks)
    tables.write_table(out, provenance, rows)
    return {"table": str(out), "rows": len(rows), "clean_correct": len(correct), "run_seconds": round(seconds),
            "peak_memory_mb_per_process": peaks}
