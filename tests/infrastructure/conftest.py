"""Every test in this folder belongs to the infrastructure tier: `pytest -m infrastructure` runs them, `pytest` (the
course tier) leaves them out. They need the repository's test tools (requirements/dev.txt) and, some of them, a Docker
engine with the built image, Chromium or Node; without those they fail, never skip, naming what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.infrastructure)
