"""JupyterLab, started exactly as the container starts it, refuses anyone without the token.

The server is launched with `docker/start-lab.sh` (the Dockerfile's CMD), hence with
`docker/jupyter_server_config.py`. Only two things differ from the container: it listens on
127.0.0.1 and on a free port, and every folder it writes to is a temporary one.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time

import pytest
import requests

from lab_server import CONFIG, HEALTHCHECK, START_SCRIPT, free_port, lab_environment, start_lab, stop, wait_until_up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running lab with a known token, like `JUPYTER_TOKEN=... docker compose up`."""
    home = tmp_path_factory.mktemp("lab")
    token = secrets.token_hex(24)
    process, port, log = start_lab(home, token)
    try:
        (home / "work" / "marker.txt").write_text("the lab's root folder\n")
        wait_until_up(process, port, log)
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "port": port, "log": log}
    finally:
        stop(process)


def get(lab, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"token {token}"} if token is not None else {}
    return requests.get(lab["url"] + path, headers=headers, timeout=10, allow_redirects=False)


@pytest.mark.parametrize("path", ["/api/contents", "/api/sessions", "/api/kernels"])
def test_no_token_is_forbidden(lab, path):
    assert get(lab, path).status_code == 403


def test_wrong_token_is_forbidden(lab):
    assert get(lab, "/api/contents", token="not-the-token").status_code == 403
    assert get(lab, "/api/contents", token=lab["token"][:-1]).status_code == 403


def test_right_token_opens_the_work_folder(lab):
    response = get(lab, "/api/contents", token=lab["token"])
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["content"]] == ["marker.txt"]


def test_token_from_environment_is_not_printed(lab):
    # Jupyter prints "?token=..." for a token it was given; only generated ones are logged.
    assert lab["token"] not in lab["log"].read_text()


def test_healthcheck_needs_no_token(lab):
    assert get(lab, "/api").json()["version"]
    env = {**os.environ, "JUPYTER_PORT": str(lab["port"])}
    result = subprocess.run([sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stdout


def test_healthcheck_fails_when_nothing_listens():
    env = {**os.environ, "JUPYTER_PORT": str(free_port())}
    result = subprocess.run([sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, timeout=30)
    assert result.returncode == 1


def test_random_token_is_generated_and_printed_when_unset(tmp_path):
    process, port, log = start_lab(tmp_path, token=None)
    try:
        wait_until_up(process, port, log)
        deadline = time.monotonic() + 10  # the URL is logged just after the port opens
        while not (found := re.search(r"\?token=([0-9a-f]{32,})", log.read_text())):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        token = found.group(1)
        url = f"http://127.0.0.1:{port}/api/contents"
        assert requests.get(url, headers={"Authorization": f"token {token}"}, timeout=10).status_code == 200
        assert requests.get(url, timeout=10).status_code == 403
    finally:
        stop(process)


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_token_is_refused_by_the_start_script(tmp_path, empty):
    (tmp_path / "work").mkdir()
    result = subprocess.run([str(START_SCRIPT)], cwd=tmp_path / "work", capture_output=True, text=True,
                            env=lab_environment(tmp_path, free_port(), empty), timeout=60)
    assert result.returncode != 0
    assert "JUPYTER_TOKEN is set but empty" in result.stderr


def test_empty_token_is_refused_by_the_config_file_too(tmp_path):
    # Someone running `jupyter lab --config=docker/jupyter_server_config.py` directly is protected too.
    (tmp_path / "work").mkdir()
    args = [sys.executable, "-m", "jupyterlab", f"--config={CONFIG}", "--ip=127.0.0.1", "--allow-root"]
    result = subprocess.run(args, cwd=tmp_path / "work", capture_output=True, text=True,
                            env=lab_environment(tmp_path, free_port(), ""), timeout=60)
    assert result.returncode != 0
    assert "JUPYTER_TOKEN is set but empty" in result.stderr
