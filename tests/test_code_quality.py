"""The linter, configured once in pyproject.toml ([tool.ruff]), finds nothing in the code (not the notebooks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The code folders; the image ships only some of them (.dockerignore), and ruff fails on a path that is missing.
CODE = ("helpers", "tests", "benchmarks", "tools", "docker")


def test_ruff_finds_nothing() -> None:
    present = [folder for folder in CODE if (ROOT / folder).is_dir()]
    assert "helpers" in present and "tests" in present
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *present], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
