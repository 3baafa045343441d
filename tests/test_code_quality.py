"""The linter and the type checker, each configured once in pyproject.toml ([tool.ruff], [tool.mypy]), find nothing
in the code (not the notebooks), and every comment that silences one of them says why."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The code folders; the image ships only some of them (.dockerignore), and ruff and mypy fail on a missing path.
CODE = ("helpers", "tests", "benchmarks", "tools", "docker")
#: The folders mypy checks (pyproject.toml's [tool.mypy] files): the tests and benchmarks are not typed yet.
TYPED = ("helpers", "docker", "tools")
#: A comment that silences the linter or the type checker: `type: ignore[...]` or `noqa: ...`, with its codes.
MARKER = re.compile(r"#\s*(?:type:\s*ignore(?P<ignore>\[[^\]]*\])?|noqa(?P<noqa>:\s*[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)?)")
#: The rules ruff checks: a `noqa` for any other rule silences nothing and goes.
SELECTED = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]["select"])


def present(folders: tuple[str, ...]) -> list[str]:
    found = [folder for folder in folders if (ROOT / folder).is_dir()]
    assert "helpers" in found
    return found


def test_ruff_finds_nothing() -> None:
    folders = present(CODE)
    assert "tests" in folders
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *folders], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_finds_nothing(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), *present(TYPED)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def unexplained_markers(source: str) -> list[str]:
    """The comments in `source` that silence a check without naming its codes, or a rule ruff does not check, or
    without a reason after the last marker (`# type: ignore[code]  # why`, `# noqa: CODE -- why`, `# noqa: CODE (why)`)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        markers = list(MARKER.finditer(token.string))
        if not markers:
            continue
        coded = all(m.group("ignore") or m.group("noqa") for m in markers)
        codes = [code for m in markers if m.group("noqa") for code in re.findall(r"[A-Z]+\d+", m.group("noqa"))]
        coded = coded and all(code.startswith(SELECTED) for code in codes)
        reason = re.match(r"(#|--|\()\s*\w+", token.string[markers[-1].end():].strip())
        if not (coded and reason):
            found.append(f"line {token.start[0]}: {token.string}")
    return found


def test_every_silenced_check_says_why() -> None:
    files = [p for folder in present(CODE) for p in sorted((ROOT / folder).rglob("*.py"))] + [ROOT / "conftest.py"]
    bad = {str(p.relative_to(ROOT)): unexplained_markers(p.read_text(encoding="utf-8")) for p in files}
    assert not {k: v for k, v in bad.items() if v}, {k: v for k, v in bad.items() if v}


def test_the_marker_detector() -> None:
    good = ("x = f()  # type: ignore[arg-type]  # wrong on purpose\n"
            "import a  # noqa: F401 -- imported to see that it is installed\n"
            "c = g()  # type: ignore[name-defined]  # noqa: F821 -- Jupyter defines g\n"
            "s = '# noqa'  # a marker in a string is not a comment\n")
    assert unexplained_markers(good) == []
    bad = ("x = f()  # type: ignore\ny = g()  # type: ignore[misc]\nimport a  # noqa\nimport b  # noqa: F401\n"
           "f = lambda: 0  # noqa: E731 -- a rule ruff does not check here\n")
    assert [line.split(":")[0] for line in unexplained_markers(bad)] == ["line 1", "line 2", "line 3", "line 4",
                                                                         "line 5"]
