"""Files written whole or not at all, and their sha256: for the photo cache and mirrors (helpers.images) and for
the notebooks the container copies into a learner's folder (docker/seed_notebooks.py). Imports nothing heavy."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """The one atomic write: yields a temporary path beside `target`; when the block ends without an exception the
    file written there replaces `target` (mode 0644), otherwise it is removed. Readers see the old file or the new,
    never half (the photo cache, mirrors, the lab's tables)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy `source` to `target` with atomic_write."""
    with atomic_write(target) as temporary:
        shutil.copyfile(source, temporary)
    return target
