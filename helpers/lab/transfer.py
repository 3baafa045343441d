"""The transfer study of notebook 04 §7: attacks made on Lite0, shown to Lite0, Lite1 and Lite2.

For each photo, three changes of the same L-infinity size, all computed on Lite0 alone: a targeted attack (towards
a random class), an untargeted attack (away from Lite0's clean top class) and, as the control, random noise of
±epsilon on every value. The table records every network's top class for the clean photo and for each change.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import torch

from .. import attacks, images, models
from ..compute import chunks
from ..errors import ParameterError
from . import design, tables
from .runner import peak_memory_mb, split_over_processes

KINDS = ("targeted", "untargeted", "noise")


def noise_sign(class_id: int) -> torch.Tensor:
    """The control's ±1 per value for one photo, seeded by its class id (the same in any batch)."""
    generator = torch.Generator().manual_seed(class_id)
    return torch.randint(0, 2, (1, 3, images.IMAGE_SIZE, images.IMAGE_SIZE), generator=generator) * 2 - 1


def short(network: str) -> str:
    """efficientnet_lite1 -> lite1: the column suffix of a network."""
    return network.removeprefix("efficientnet_")


def transfer_rows(networks: dict[str, models.Classifier], class_ids: Sequence[int], targets: Sequence[int],
                  budgets_255: Sequence[int] = design.TRANSFER_BUDGETS_255) -> list[dict[str, object]]:
    """One table row per photo: its target, and every network's top class, clean and after each change.

    budgets_255: the budgets to compute (the study's two by default); notebook 04 re-checks a row at the smaller one.
    """
    source = networks[design.TRANSFER_NETWORKS[0]]
    x = images.load_many([images.imagenet_sample(c) for c in class_ids]).to(source.dtype)
    target_ids = torch.tensor(list(targets))
    noise = torch.cat([noise_sign(c) for c in class_ids]).to(source.dtype)
    changed = {"clean": x}
    for budget in budgets_255:
        epsilon = budget / 255
        changed[f"targeted_{budget}"] = attacks.iterative_attack(
            source, x, target=target_ids, epsilon=epsilon, steps=design.TRANSFER_STEPS, progress=False).adversarial
        changed[f"untargeted_{budget}"] = attacks.iterative_attack(
            source, x, epsilon=epsilon, steps=design.TRANSFER_STEPS, progress=False).adversarial
        changed[f"noise_{budget}"] = (x + epsilon * noise).clamp(0, 1)
    rows: list[dict[str, object]] = [{"photo": images.imagenet_sample(c), "class_id": c, "target": t}
                                     for c, t in zip(class_ids, targets)]
    for version, batch in changed.items():
        for name, network in networks.items():
            with torch.no_grad():
                tops = network(batch.to(network.dtype)).argmax(-1).tolist()
            for row, top in zip(rows, tops):
                row[f"{version}_{short(name)}"] = top
    return rows


def _rows_in_one_process(items: Sequence[tuple[int, int]], threads: int, progress: bool) -> tuple[list, int]:
    """Rows for (class id, target) pairs in one process, a few photos at a time; and its peak memory (MB)."""
    torch.set_num_threads(threads)
    networks = {name: models.load(name, device="cpu") for name in design.TRANSFER_NETWORKS}
    rows = []
    for piece in chunks(len(items), 2):
        part = items[piece]
        rows += transfer_rows(networks, [c for c, _ in part], [t for _, t in part])
        if progress:
            print(f"\rtransfer: {piece.stop}/{len(items)} photos", end="", flush=True)
    if progress:
        print()
    return rows, peak_memory_mb()


def transfer_study(model_name: str, workers: int, progress: bool, out: Path) -> dict[str, object]:
    """Run the study on the accuracy study's photos and write its table (model_name must be the source, Lite0)."""
    started, commit = time.monotonic(), tables.git_commit()
    if model_name != design.TRANSFER_NETWORKS[0]:
        raise ParameterError(f"the transfer study attacks {design.TRANSFER_NETWORKS[0]} (the other two networks only "
                         f"look); run it with --model {design.TRANSFER_NETWORKS[0]}.")
    photos = design.accuracy_photos()
    items = list(zip(photos, design.transfer_targets(photos)))
    rows, peaks = split_over_processes(_rows_in_one_process, items, workers, progress)
    seconds = time.monotonic() - started
    provenance = tables.run_provenance(
        model_name, models.load(model_name, device="cpu").dtype,
        f"python -m helpers.lab transfer --model {model_name} --workers {workers}", commit,
        photos=len(photos), photo_seed=design.ACCURACY_SEED, target_seed=design.TRANSFER_SEED,
        networks=list(design.TRANSFER_NETWORKS), budgets_255=list(design.TRANSFER_BUDGETS_255),
        steps=design.TRANSFER_STEPS, workers=workers, run_seconds=round(seconds), peak_memory_mb=peaks)
    tables.write_table(out, provenance, rows)
    return {"table": str(out), "rows": len(rows), "run_seconds": round(seconds), "peak_memory_mb_per_process": peaks}
