"""What a learner on Windows or macOS runs: nothing in helpers/ imports a Unix-only module where a notebook can reach
it, and the package declares the Pythons its pins need."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Standard-library modules that exist on Unix only (Python's docs: "Availability: Unix").
UNIX_ONLY = {"resource", "fcntl", "pwd", "grp", "termios", "tty", "pty", "posix", "crypt", "spwd", "syslog", "nis"}


def module_level_imports(path: Path) -> set[str]:
    """Modules imported when `path` is imported: top-level statements, not those inside functions."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_unix_only_module_is_imported_by_a_helper() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(module_level_imports(p) & UNIX_ONLY)
                 for p in sorted((ROOT / "helpers").rglob("*.py"))}
    assert not {k: v for k, v in offenders.items() if v}, offenders


def test_the_detector_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os, resource\nfrom fcntl import flock\ndef f():\n    import pwd\n")
    assert module_level_imports(sample) & UNIX_ONLY == {"resource", "fcntl"}



def test_peak_memory_is_read_without_a_unix_only_import_at_module_level() -> None:
    from helpers.lab import runner

    assert 20 < runner.peak_memory_mb() < 200_000  # MB: this test process holds torch at least
