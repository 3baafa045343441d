"""The study's attacks split over worker processes, one torch thread each; results do not depend on the split."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

import torch

from .. import images, models
from .difficulty import Goal, Outcome, first_success

T = TypeVar("T")
R = TypeVar("R")


#: One attack of a study: (photo class id, goal, steps per budget, grid of budgets).
Pair = tuple[int, Goal, int, tuple[float, ...]]


def _run_pairs_here(model_name: str, pairs: Sequence[Pair], threads: int, progress: bool) -> tuple[list[Outcome], int]:
    """Outcomes in the pairs' order, and this process's peak memory in MB."""
    torch.set_num_threads(threads)
    model = models.load(model_name, device="cpu")
    photos = sorted({pair[0] for pair in pairs})
    batch = images.load_many([images.imagenet_sample(cid) for cid in photos])
    position = {cid: i for i, cid in enumerate(photos)}
    outcomes: list[Outcome | None] = [None] * len(pairs)
    for steps, grid in sorted({(pair[2], pair[3]) for pair in pairs}):
        chosen = [i for i, pair in enumerate(pairs) if (pair[2], pair[3]) == (steps, grid)]
        found = first_success(model, batch, [(position[pairs[i][0]], pairs[i][1]) for i in chosen],
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


def split_over_processes(work: Callable[[Sequence[T], int, bool], tuple[list[R], int]], items: Sequence[T],
                         workers: int, progress: bool) -> tuple[list[R], list[int]]:
    """`work`'s results for every item, in order, and each process's peak memory (MB).

    Item i goes to worker i % workers, which runs `work(its items, 1 thread, progress)` in its own process (a
    module-level function, for the spawn context); only the first worker shows progress. One worker: this process,
    with its threads. Results do not depend on `workers`.
    """
    if workers == 1:
        found, peak = work(list(items), torch.get_num_threads(), progress)
        return _all_done(list(found) + [None] * (len(items) - len(found))), [peak]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        done = pool.starmap(work, [(list(items[w::workers]), 1, progress and w == 0) for w in range(workers)])
        pool.close()  # let the workers finish on their own (terminating them leaks a semaphore)
        pool.join()
    results: list[R | None] = [None] * len(items)
    for w, (found, _) in enumerate(done):
        results[w::workers] = found
    return _all_done(results), [peak for _, peak in done]


def run_pairs(model: str, pairs: Sequence[Pair], workers: int, progress: bool) -> tuple[list[Outcome], list[int]]:
    """Every pair's Outcome (in order) and each process's peak memory (MB). Results do not depend on `workers`."""
    return split_over_processes(partial(_run_pairs_here, model), pairs, workers, progress)


def _all_done(results: Sequence[R | None]) -> list[R]:
    """The results, once every item has one (an item without one is a bug in the split, not a result)."""
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise RuntimeError(f"no result for items {missing[:5]}: the work was not split over the workers correctly.")
    return [r for r in results if r is not None]
