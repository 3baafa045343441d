"""The clock the benchmark scripts share: wall time that waits for a GPU's queued work first."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def clock(device: torch.device) -> Callable[[], float]:
    def now() -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    return now
