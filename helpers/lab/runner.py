"""The study's attacks split over worker processes, one torch thread each; results do not depend on the split."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .. import images, models
from .difficulty import Goal, Outcome, first_success


@dataclass(frozen=True)
class Job:
    """Attacks one process runs: (photo class id, goal, steps per budget, grid of budgets) for each pair."""

    model: str
    pairs: tuple[tuple[int, Goal, int, tuple[float, ...]], ...]


def _run_job(job: Job, threads: int, progress: bool) -> tuple[list[Outcome], int]:
    """Outcomes in the job's order, and this process's peak memory in MB."""
    torch.set_num_threads(threads)
    model = models.load(job.model, device="cpu")
    photos = sorted({pair[0] for pair in job.pairs})
    batch = images.load_many([images.imagenet_sample(cid) for cid in photos])
    position = {cid: i for i, cid in enumerate(photos)}
    outcomes: list[Outcome | None] = [None] * len(job.pairs)
    for steps, grid in sorted({(pair[2], pair[3]) for pair in job.pairs}):
        chosen = [i for i, pair in enumerate(job.pairs) if (pair[2], pair[3]) == (steps, grid)]
        found = first_success(model, batch, [(position[job.pairs[i][0]], job.pairs[i][1]) for i in chosen],
                              grid_255=grid, steps_per_level=steps, progress=progress)
        for i, outcome in zip(chosen, found):
            outcomes[i] = outcome
    return _all_done(outcomes), peak_memory_mb()


def peak_memory_mb() -> int:
    """This process's peak resident memory in MB, on Linux, macOS and Windows (resource is Unix-only)."""
    try:
        import resource
    except ImportError:  # Windows: the peak working set
        import psutil

        return psutil.Process().memory_info().peak_wset // 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 2**20 if sys.platform == "darwin" else peak // 1024  # bytes on macOS, KiB on Linux


def run_pairs(model: str, pairs: Sequence[tuple[int, Goal, int, tuple[float, ...]]], workers: int,
              progress: bool) -> tuple[list[Outcome], list[int]]:
    """Every pair's Outcome (in order) and each process's peak memory (MB). Results do not depend on `workers`."""
    if workers == 1:
        found, peak = _run_job(Job(model, tuple(pairs)), torch.get_num_threads(), progress)
        return found, [peak]
    jobs = [Job(model, tuple(pairs[w::workers])) for w in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        done = pool.starmap(_run_job, [(job, 1, progress and w == 0) for w, job in enumerate(jobs)])
        pool.close()  # let the workers finish on their own (terminating them leaks a semaphore)
        pool.join()
    outcomes: list[Outcome | None] = [None] * len(pairs)
    for w, (found, _) in enumerate(done):
        outcomes[w::workers] = found
    return _all_done(outcomes), [peak for _, peak in done]


def _all_done(outcomes: Sequence[Outcome | None]) -> list[Outcome]:
    """The outcomes, once every pair has one (a pair without one is a bug in the split, not a result)."""
    missing = [i for i, o in enumerate(outcomes) if o is None]
    if missing:
        raise RuntimeError(f"no outcome for pairs {missing[:5]}: the work was not split over the workers correctly.")
    return [o for o in outcomes if o is not None]
