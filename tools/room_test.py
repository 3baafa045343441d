"""A whole room on one server, for real: docs/jupyterhub_config.py with four learners.

    python tools/room_test.py            (as root or a docker-group user; needs the image, `pip install -r
                                          requirements/hub.txt`, `npm ci`; tests/infrastructure/test_room.py runs it)

It starts JupyterHub with the sample config (on 127.0.0.1 and its own Docker network), creates four learners
through the hub's REST API, and checks: login with the room's password (and not without it), each learner's
token opens their own server and no one else's, the servers run as non-root, data survives a stop and a start,
every container turns healthy. Then it runs notebook 03 in one learner's container alone and in all four at
once, and prints the times and the host's peak memory. Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ("ada", "bo", "chen", "dee")
NOTEBOOK = "03_paper_towel_from_black.ipynb"
#: What `docker exec` must run a command through to get what the learner's own processes get (the thread count).
ENTRYPOINT = ("/opt/tricknets/docker/entrypoint.sh",)


class RoomError(AssertionError):
    pass


def check(condition: object, what: str) -> None:
    if not condition:
        raise RoomError(what)
    print(f"  ok: {what}")


def docker(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RoomError(f"docker {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MemorySampler(threading.Thread):
    """The host's memory in use (MemTotal - MemAvailable), sampled twice a second; `peak` above `baseline`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.baseline = self.used()
        self.peak = self.baseline
        self.running = True

    @staticmethod
    def used() -> int:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) * 1024

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.used())
            time.sleep(0.5)


def wait(condition, what: str, limit_s: float):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    raise RoomError(f"{what}: not after {limit_s:.0f} s")


def run_notebook(user: str) -> float:
    """Execute notebook 03 inside the learner's own container (its limits apply); the seconds it took."""
    started = time.monotonic()
    # Through the entrypoint, as the learner's server and kernels start (a bare `docker exec` skips its thread
    # setting), and with the image's own test command: strict nbval on the pristine copy of the notebook.
    docker("exec", "-w", "/opt/tricknets", f"jupyter-{user}", *ENTRYPOINT, "pytest", "-q", "-p", "no:cacheprovider",
           f"notebooks/{NOTEBOOK}", timeout=1800)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the hub's folder (its log) in place")
    args = parser.parse_args()
    port = free_port()
    network = f"tricknets-room-{secrets.token_hex(3)}"
    service_token = secrets.token_hex(24)
    workdir = Path(tempfile.mkdtemp(prefix="tricknets-room-"))
    (workdir / "jupyterhub_config.py").write_text(
        f"load_subconfig({str(ROOT / 'docs' / 'jupyterhub_config.py')!r})\n"
        "c.JupyterHub.services = [{'name': 'room-test', 'api_token': %r}]\n"
        "c.JupyterHub.load_roles = [{'name': 'room-test', 'services': ['room-test'],\n"
        "    'scopes': ['admin:users', 'admin:servers', 'tokens', 'access:servers', 'list:users', 'read:users']}]\n"
        % service_token)
    env = {**os.environ, "TRICKNETS_WORKSHOP_PASSWORD": secrets.token_urlsafe(12),
           "TRICKNETS_ADMIN_PASSWORD": secrets.token_urlsafe(32), "TRICKNETS_HUB_NETWORK": network,
           "TRICKNETS_HUB_URL": f"http://127.0.0.1:{port}"}
    hub_url, api = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/hub/api"
    admin = {"Authorization": f"token {service_token}"}
    log = open(workdir / "hub.log", "w")
    jupyterhub = shutil.which("jupyterhub") or str(Path(sys.executable).parent / "jupyterhub")
    hub = subprocess.Popen([jupyterhub, "-f", str(workdir / "jupyterhub_config.py")], cwd=workdir, env=env,
                           stdout=log, stderr=subprocess.STDOUT)
    memory = MemorySampler()
    failed = None
    try:
        print(f"room: JupyterHub on {hub_url}, network {network}")
        wait(lambda: hub.poll() is None and _ok(f"{api}/", {}), "the hub answers", 90)
        requests.post(f"{api}/users", headers=admin, json={"usernames": list(LEARNERS)}, timeout=30).raise_for_status()
        check(True, f"{len(LEARNERS)} learners created through the REST API")

        # login with the room's password, and not with another
        for password, expected in ((env["TRICKNETS_WORKSHOP_PASSWORD"], True), ("wrong-password", False)):
            session = requests.Session()
            form = session.get(f"{hub_url}/hub/login", timeout=30)
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
            response = session.post(f"{hub_url}/hub/login", data={"username": LEARNERS[0], "password": password,
                                    "_xsrf": xsrf.group(1) if xsrf else ""}, allow_redirects=False, timeout=60)
            logged_in = response.status_code == 302 and "jupyterhub-session-id" in session.cookies.get_dict()
            check(logged_in == expected, f"login {'works' if expected else 'is refused'} with "
                                         f"{'the room' if expected else 'a wrong'} password")

        tokens = {}
        for user in LEARNERS:
            tokens[user] = requests.post(f"{api}/users/{user}/tokens", headers=admin, json={"note": "room test"},
                                         timeout=30).json()["token"]
            requests.post(f"{api}/users/{user}/server", headers=admin, timeout=60)
        memory.start()
        for user in LEARNERS:
            wait(lambda u=user: requests.get(f"{api}/users/{u}", headers=admin, timeout=30).json()
                 .get("servers", {}).get("", {}).get("ready"), f"{user}'s server is ready", 180)
        check(True, "four servers spawned")

        for user in LEARNERS:
            other = LEARNERS[(LEARNERS.index(user) + 1) % len(LEARNERS)]
            base = f"{hub_url}/user/{user}/api/contents"
            own = requests.get(base, headers={"Authorization": f"token {tokens[user]}"}, timeout=30)
            check(own.status_code == 200 and NOTEBOOK in {i["name"] for i in own.json()["content"]},
                  f"{user}'s token opens {user}'s server, with the lessons in it")
            check(requests.get(base, headers={"Authorization": f"token {tokens[other]}"}, timeout=30).status_code
                  == 403, f"{other}'s token does not open {user}'s server")
            check(requests.get(base, timeout=30, allow_redirects=False).status_code in (302, 403),
                  f"no token, no access to {user}'s server")
            uids = {line.split()[1] for line in docker("top", f"jupyter-{user}", "-eo", "pid,uid,args").splitlines()[1:]}
            check(uids and "0" not in uids, f"{user}'s container runs as uid {', '.join(sorted(uids))}, not root")
            threads = docker("exec", f"jupyter-{user}", *ENTRYPOINT, "python", "-c",
                             "import torch; print(torch.get_num_threads())").strip().splitlines()[-1]
            check(threads == "1", f"{user}'s container runs {threads} torch thread (its CPU limit is 1)")
            wait(lambda u=user: docker("inspect", "-f", "{{.State.Health.Status}}", f"jupyter-{u}").strip() == "healthy",
                 f"{user}'s container turns healthy", 120)
            check(True, f"{user}'s container is healthy")

        # persistence across a stop and a start
        user, auth = LEARNERS[0], {"Authorization": f"token {tokens[LEARNERS[0]]}"}
        notebook = {"type": "file", "format": "text", "content": "my own work\n"}
        requests.put(f"{hub_url}/user/{user}/api/contents/mine.txt", headers=auth, json=notebook,
                     timeout=30).raise_for_status()
        requests.delete(f"{api}/users/{user}/server", headers=admin, timeout=120)
        wait(lambda: not requests.get(f"{api}/users/{user}", headers=admin, timeout=30).json().get("servers"),
             f"{user}'s server stops", 120)
        requests.post(f"{api}/users/{user}/server", headers=admin, timeout=60)
        wait(lambda: requests.get(f"{api}/users/{user}", headers=admin, timeout=30).json()
             .get("servers", {}).get("", {}).get("ready"), f"{user}'s server is ready again", 180)
        kept = requests.get(f"{hub_url}/user/{user}/api/contents/mine.txt", headers=auth, timeout=30)
        check(kept.status_code == 200 and kept.json()["content"] == "my own work\n", "files survive a stop and a start")

        alone = run_notebook(LEARNERS[0])
        print(f"room: notebook 03 alone: {alone:.1f} s")
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            together = list(pool.map(run_notebook, LEARNERS))
        memory.running = False
        worst = max(together)
        print(f"room: notebook 03, four learners at once: {', '.join(f'{t:.1f}' for t in together)} s "
              f"(slowest {worst / alone:.2f}x alone)")
        print(f"room: host memory in use: {memory.baseline / 2**30:.1f} GiB before, peak {memory.peak / 2**30:.1f} GiB "
              f"(+{(memory.peak - memory.baseline) / 2**30:.1f} GiB for the four learners)")
        print("room: every check passed")
        return 0
    except (RoomError, requests.RequestException, subprocess.TimeoutExpired) as exc:
        failed = exc
        print(f"room: FAILED: {exc}", file=sys.stderr)
        print((workdir / "hub.log").read_text()[-4000:], file=sys.stderr)
        return 1
    finally:
        memory.running = False
        hub.terminate()
        try:
            hub.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hub.kill()
        for user in LEARNERS:
            subprocess.run(["docker", "rm", "-f", f"jupyter-{user}"], capture_output=True)
            subprocess.run(["docker", "volume", "rm", f"tricknets-{user}"], capture_output=True)
        subprocess.run(["docker", "network", "rm", network], capture_output=True)
        if args.keep or failed is not None:
            print(f"room: the hub's folder (its log) is kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _ok(url: str, headers: dict[str, str]) -> bool:
    try:
        return requests.get(url, headers=headers, timeout=5).ok
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(main())
