"""Check that the locks install from wheels alone (no source builds) on every platform and Python we support.

    python tools/check_wheels.py            # the notebooks lock on 4 platforms x 3 Pythons, the image lock on 2
    python tools/check_wheels.py --json F   # also write the results to F

For each platform/Python pair, uv resolves requirements/torch.txt with the lock, against the real index (PyPI, or
UV_INDEX_URL), for that platform alone and with --only-binary :all:, so a pinned version with no wheel for it fails
and is named. It downloads metadata only, not the wheels. Run by .ci/run, which prints its summary line.

macOS on Intel is not among the platforms: PyTorch publishes no macOS x86-64 wheel of torch 2.14.1 (its files on
PyPI: macosx_14_0_arm64, manylinux_2_28 x86_64 and aarch64, win_amd64). This script checks that this is still so,
and says when a later torch brings the platform back.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements"
PYTHONS = ("3.11", "3.12", "3.13")
#: name -> (uv's --python-platform, environment for uv): the platforms a learner installs the notebooks on.
NOTEBOOK_PLATFORMS = {
    "Linux x86-64": ("x86_64-manylinux_2_28", {}),
    "Linux aarch64": ("aarch64-manylinux_2_28", {}),
    "macOS arm64": ("aarch64-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": "14.0"}),  # torch needs macOS 14
    "Windows amd64": ("x86_64-pc-windows-msvc", {}),
}
#: The image: Debian bookworm's Python 3.11.2 and glibc 2.36, on both of Docker's Linux platforms.
IMAGE_PLATFORMS = {"linux/amd64": "x86_64-manylinux_2_36", "linux/arm64": "aarch64-manylinux_2_36"}
IMAGE_PYTHON = "3.11.2"


def uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def resolves(lock: Path, platform: str, python: str, env: dict[str, str]) -> tuple[bool, str]:
    """(True, '') when torch and the lock resolve to wheels only for this platform and Python, else (False, why)."""
    command = [*uv(), "pip", "compile", "--quiet", "--no-header", "--only-binary", ":all:",
               "--python-platform", platform, "--python-version", python,
               str(REQUIREMENTS / "torch.txt"), str(lock), "-o", os.devnull]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    why = " ".join(line.strip() for line in result.stderr.splitlines() if line.strip())
    return result.returncode == 0, why[:600]


def intel_mac_wheels() -> str:
    """Whether torch 2.14.1 has a macOS x86-64 wheel on the index (it has not; say so if that changes)."""
    ok, why = resolves(REQUIREMENTS / "notebooks.txt", "x86_64-apple-darwin", "3.11", {})
    return ("macOS x86-64: resolves now: add it to NOTEBOOK_PLATFORMS" if ok else
            "macOS x86-64: not supported, as expected: PyTorch publishes no macOS x86-64 wheel of torch 2.14.1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for name, (platform, env) in NOTEBOOK_PLATFORMS.items():
        for python in PYTHONS:
            ok, why = resolves(REQUIREMENTS / "notebooks.txt", platform, python, env)
            results.append({"lock": "notebooks", "platform": name, "python": python, "ok": ok, "why": why})
    for name, platform in IMAGE_PLATFORMS.items():
        ok, why = resolves(REQUIREMENTS / "image.txt", platform, IMAGE_PYTHON, {})
        results.append({"lock": "image", "platform": name, "python": IMAGE_PYTHON, "ok": ok, "why": why})
    for r in results:
        print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['lock']:9} {r['platform']:14} Python {r['python']:7} {r['why']}")
    print(intel_mac_wheels())
    notebooks = [r for r in results if r["lock"] == "notebooks"]
    image = [r for r in results if r["lock"] == "image"]
    failing = [f"{r['platform']} / Python {r['python']} ({r['lock']})" for r in results if not r["ok"]]
    print(f"notebooks requirements resolve to wheels on {sum(r['ok'] for r in notebooks)} of {len(notebooks)} "
          f"platform/Python pairs; the image's on {sum(r['ok'] for r in image)} of {len(image)}"
          + (f"; failing: {', '.join(failing)}" if failing else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
