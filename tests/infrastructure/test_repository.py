"""The repository itself: no photos or weights committed, one pin for torch, documents that agree with the code."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from helpers import images

ROOT = Path(__file__).resolve().parents[2]


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    return [ROOT / rel for rel in out.decode().split("\0") if rel]


def test_photos_are_never_committed() -> None:
    """Listed photos (the series' and the 1000-photo set) must come by URL: none of their bytes is tracked."""
    hashes = {src.sha256 for src in images.manifest().values()} | {p.sha256 for p in images.sample_set()}
    for path in tracked_files():
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in hashes, f"{path} is a listed photo"


def test_no_weight_files_are_committed() -> None:
    assert not [p for p in tracked_files() if p.suffix in {".pt", ".pth", ".ckpt", ".safetensors"}]


def test_torch_is_pinned_in_one_place() -> None:
    """requirements/torch.txt pins torch and torchvision; every other file reads it instead of repeating a version."""
    pins = dict(re.findall(r"^(torch|torchvision)==(\S+)$", (ROOT / "requirements" / "torch.txt").read_text(), re.M))
    assert set(pins) == {"torch", "torchvision"}
    pattern = re.compile(r"(?<![\w-])torch(vision)?\s*[=<>~]=?\s*\d|TORCH(VISION)?_VERSION")
    for path in tracked_files():
        if path.relative_to(ROOT).as_posix() == "requirements/torch.txt" or path.suffix not in {".txt", ".yml", ".yaml", ".toml", ".cfg", "",
                                                                          ".sh", ".md", ".py"} or not path.is_file():
            continue
        if "tests" in path.parts:
            continue
        text = path.read_text(errors="replace")
        assert not pattern.search(text), f"{path.relative_to(ROOT)} repeats a torch version: read requirements/torch.txt"


#: What a draft leaves for later, in any style: XXX, TODO, FIXME, <owner>/<repo>-like angle-bracket stand-ins in a URL.
PLACEHOLDERS = re.compile(r"XXX|\bTODO\b|\bFIXME\b|(?:https?://|\.org/|\.com/|/v2/gh/)\S*<[a-z_-]+>")


def test_the_placeholder_pattern_catches_each_style() -> None:
    for draft in ("1.XXX s", "TODO: measure", "FIXME", "https://mybinder.org/v2/gh/<owner>/<repo>/HEAD",
                  "github.com/<owner>/tricknets"):
        assert PLACEHOLDERS.search(draft), draft
    for fine in ("docker compose logs lab | grep token", "http://127.0.0.1:8888/lab?token=<your token>",
                 "`/user/<name>/`"):
        assert not PLACEHOLDERS.search(fine), fine


def test_no_placeholders_left_in_what_people_read() -> None:
    """Drafts mark what is still to be done (XXX, TODO, <owner>/<repo>); none may reach the README, the docs or a
    notebook's prose."""
    texts = {p: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", ROOT / "CONTRIBUTING.md",
                                                         *(ROOT / "docs").glob("*.md")]}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[path] = "\n".join("".join(c["source"]) for c in cells)
    for path, text in texts.items():
        found = PLACEHOLDERS.search(text)
        assert not found, f"{path.relative_to(ROOT)} still holds a placeholder: {found.group(0)!r}"


def test_requires_python_matches_what_the_locks_were_made_for() -> None:
    """pyproject.toml admits the Pythons the locks were resolved for (3.11 and later; numpy's pin needs 3.11)."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=3\.11"$', pyproject, re.M)
    assert "--python-version 3.11" in (ROOT / "tools" / "lock.sh").read_text()
