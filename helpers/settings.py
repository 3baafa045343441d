"""Environment variables that change where things live and how they run, read in one place.

Read at call time (not import time), so a notebook or a test can change them with os.environ. Imports torch only
when asked for a device or a precision, so the photo downloads (helpers.photos) run where torch is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SettingsError

if TYPE_CHECKING:
    import torch

MIRROR_VAR = "TRICKNETS_MIRROR"
MIRROR_URL_VAR = "TRICKNETS_MIRROR_URL"
CACHE_VAR = "TRICKNETS_CACHE"
DEVICE_VAR = "TRICKNETS_DEVICE"
PROGRESS_VAR = "TRICKNETS_PROGRESS"
PRECISION_VAR = "TRICKNETS_PRECISION"

#: The precisions TRICKNETS_PRECISION accepts (names of torch dtypes).
PRECISIONS = ("float64", "float32")


def device() -> torch.device:
    """CUDA when available, unless TRICKNETS_DEVICE names another device (e.g. `cpu`)."""
    import torch

    wanted = os.environ.get(DEVICE_VAR, "").strip()
    if not wanted:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(wanted)
    except RuntimeError as exc:
        raise SettingsError(
            f"{DEVICE_VAR}={wanted!r} is not a device name; use 'cpu', 'cuda' or 'cuda:0', or unset it."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SettingsError(
            f"{DEVICE_VAR}={wanted!r} asks for CUDA, but torch sees no CUDA GPU here; "
            f"unset {DEVICE_VAR} or set it to 'cpu'."
        )
    return dev


def dtype() -> torch.dtype:
    """The precision models and digit networks compute in: TRICKNETS_PRECISION, float64 unless set.

    Why float64: an iterative sign-gradient attack is chaotic. In float32 the last digits of a sum
    depend on the CPU and the thread count, a gradient component near zero flips its sign, and the
    attack takes another path (notebook 03 shows it). In float64 every machine tried takes the same
    path, so the stored notebook outputs reproduce anywhere. float32 is about 4x faster; the
    explorer widgets always use it, since nothing they print is stored.
    """
    wanted = os.environ.get(PRECISION_VAR, "").strip().lower() or "float64"
    if wanted not in PRECISIONS:
        raise SettingsError(f"{PRECISION_VAR}={wanted!r} is not a precision; use 'float64' (the default, the "
                            "same numbers on every machine) or 'float32' (faster), or unset it.")
    import torch

    return getattr(torch, wanted)


def cache_dir() -> Path:
    """Downloaded photos live here, outside git."""
    raw = os.environ.get(CACHE_VAR, "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "tricknets"


def mirror_dir() -> Path | None:
    """A folder of already-downloaded photos, read before any download (offline rooms, CI, the container)."""
    raw = os.environ.get(MIRROR_VAR, "").strip()
    return Path(raw).expanduser() if raw else None


def mirror_url() -> str | None:
    """A web server holding the photos in the mirror layout (a room's own), tried instead of each photo's source URL."""
    raw = os.environ.get(MIRROR_URL_VAR, "").strip()
    if raw and not raw.startswith(("http://", "https://", "file:")):
        raise SettingsError(f"{MIRROR_URL_VAR}={raw!r} is not a URL; use e.g. http://192.0.2.10:8000/photos, or unset it.")
    return raw or None


def progress_enabled() -> bool:
    """Progress bars are on unless TRICKNETS_PROGRESS=0 (the test run turns them off)."""
    return os.environ.get(PROGRESS_VAR, "1").strip().lower() not in {"0", "false", "no", "off"}
