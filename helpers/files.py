"""Files written whole or not at all, and their sha256: for the photo cache and mirrors (helpers.images) and for
the notebooks the container copies into a learner's folder (docker/seed_notebooks.py). Imports nothing heavy."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy `source` to `target` through a temporary file beside it: readers see the old file or the new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target
