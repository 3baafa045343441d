"""Environment variables that change where things live and run, read in one place.

Read at call time (not import time) so a notebook or test can change them with os.environ.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .errors import TrickNetsError

MIRROR_VAR = "TRICKNETS_MIRROR"
CACHE_VAR = "TRICKNETS_CACHE"
DEVICE_VAR = "TRICKNETS_DEVICE"
PROGRESS_VAR = "TRICKNETS_PROGRESS"


def device() -> torch.device:
    """CUDA when available, unless TRICKNETS_DEVICE names another device (e.g. `cpu`)."""
    wanted = os.environ.get(DEVICE_VAR, "").strip()
    if not wanted:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(wanted)
    except RuntimeError as exc:
        raise TrickNetsError(
            f"{DEVICE_VAR}={wanted!r} is not a device name; use 'cpu', 'cuda' or 'cuda:0', or unset it."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TrickNetsError(
            f"{DEVICE_VAR}={wanted!r} asks for CUDA, but torch sees no CUDA GPU here; "
            f"unset {DEVICE_VAR} or set it to 'cpu'."
        )
    return dev


def cache_dir() -> Path:
    """Downloaded photos live here, outside git (the container points it at a baked-in folder)."""
    raw = os.environ.get(CACHE_VAR, "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "tricknets"


def mirror_dir() -> Path | None:
    """A folder of already-downloaded photos, read before any download (offline rooms, CI)."""
    raw = os.environ.get(MIRROR_VAR, "").strip()
    return Path(raw).expanduser() if raw else None


def progress_enabled() -> bool:
    """Progress bars are on unless TRICKNETS_PROGRESS=0 (the test run turns them off)."""
    return os.environ.get(PROGRESS_VAR, "1").strip().lower() not in {"0", "false", "no", "off"}
