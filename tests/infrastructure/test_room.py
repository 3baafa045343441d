"""One server for a whole room: tools/room_test.py starts docs/jupyterhub_config.py with four learners on the
built image and checks login, token isolation, non-root, persistence, health and threads (its own checks fail it).
It prints notebook 03's time alone and four at once, and the host's peak memory; CI's log shows them."""

from __future__ import annotations

import subprocess
import sys

import pytest

import container

pytestmark = [pytest.mark.slow, pytest.mark.container]


@pytest.mark.timeout(1800)
def test_four_learners_on_one_server() -> None:
    container.require_image()
    result = subprocess.run([sys.executable, str(container.ROOT / "tools" / "room_test.py")], capture_output=True,
                            text=True, timeout=1750)
    artifacts = container.ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "room-test.log").write_text(result.stdout + result.stderr)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "room: every check passed" in result.stdout
