"""Start and stop a real JupyterLab exactly as the container does: the one module every lab test uses.

`docker/start-lab.sh` (the image's CMD), hence `docker/jupyter_server_config.py`; only the address
(127.0.0.1 and a free port) and every folder it writes to (temporary ones) differ from the container.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
START_SCRIPT = ROOT / "docker" / "start-lab.sh"
CONFIG = ROOT / "docker" / "jupyter_server_config.py"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"
STARTUP_LIMIT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_environment(home: Path, port: int, token: str | None) -> dict[str, str]:
    """This process's environment with Jupyter's folders moved into `home` (a temp folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this venv's jupyter
    for name, sub in [("HOME", ""), ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                      ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "xdg-config")]:
        env[name] = str(home / sub)
    env["JUPYTER_PORT"] = str(port)  # read by the config file and by docker/healthcheck.py
    env["TRICKNETS_WORK_DIR"] = str(home / "work")
    if token is not None:
        env["JUPYTER_TOKEN"] = token
    return env


def start_lab(home: Path, token: str | None, root_dir: Path | None = None) -> tuple[subprocess.Popen, int, Path]:
    """Run docker/start-lab.sh in the background, showing `root_dir` (default home/work); its log is home/lab.log."""
    root_dir = root_dir or home / "work"
    root_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = lab_environment(home, port, token)  # keeps TRICKNETS_MIRROR / TRICKNETS_PROGRESS / ..._DEVICE
    env["TRICKNETS_WORK_DIR"] = str(root_dir)  # the config file's root_dir, as in the image
    # Answer "No" in advance to JupyterLab's "get notified about official Jupyter news?" toast, so it
    # does not cover screenshots (a user setting in the temporary home, as if a learner had clicked it).
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}\n')
    args = [str(START_SCRIPT), "--ip=127.0.0.1"]
    if os.geteuid() == 0:
        args.append("--allow-root")  # the container runs as `learner`; a CI box may run as root
    log = home / "lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=root_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, port, log


def wait_until_up(process: subprocess.Popen, port: int, log: Path) -> None:
    """Poll the public /api endpoint for at most STARTUP_LIMIT_S seconds."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    pytest.fail(f"JupyterLab not up after {STARTUP_LIMIT_S} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Lab:
    url: str
    token: str
    root_dir: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"


@contextmanager
def running_lab(home: Path, root_dir: Path) -> Iterator[Lab]:
    """JupyterLab via docker/start-lab.sh showing `root_dir`, with a random token; stopped however the block ends."""
    home.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    process, port, log = start_lab(home, token, root_dir)
    try:
        wait_until_up(process, port, log)
        yield Lab(url=f"http://127.0.0.1:{port}", token=token, root_dir=root_dir, log=log)
    except BaseException:
        # pytest shows this with the failure: the server's and the kernel's own messages.
        print(f"--- JupyterLab log ({log}), last 6000 characters ---")
        print(log.read_text(errors="replace")[-6000:].replace(token, "<token>"))
        raise
    finally:
        stop(process)  # also ends the kernels it started


def copy_notebooks(source: Path, dest: Path) -> Path:
    """A throwaway copy of a notebooks folder, so running cells never touches the stored notebooks."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


