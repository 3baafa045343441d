"""Taught in the open, by construction: every helper that carries an idea of the series is written out in a notebook.

A function (or class) of `helpers/` whose docstring starts `Taught in NN §x` must have, in notebook NN under its
heading x, a code cell that calls it by name and compares it with the written-out version with `torch.equal`, and
whose stored output shows the check passed. Every other public function of the modules outside `lab/` and `widgets/`
must be listed as plumbing in CONTRIBUTING.md (the line that starts with **Plumbing**), by module or by name.
`pytest -s` prints which notebook cell covers each marked function.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "helpers"
NOTEBOOKS = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
MARKER = re.compile(r"^Taught in (\d\d) §(\w+)\b")
#: Sub-packages outside the rule: the lab (the code behind the tables) and the widgets (explorers to play with).
OUTSIDE = ("lab", "widgets")


@dataclass(frozen=True)
class Marked:
    name: str        # e.g. "attacks.fgsm"
    notebook: str    # "02"
    section: str     # "7"


def modules() -> dict[str, ast.Module]:
    """Every module of helpers/, by dotted name under helpers (e.g. "attacks", "widgets.digits")."""
    found = {}
    for path in sorted(HELPERS.rglob("*.py")):
        name = ".".join(path.relative_to(HELPERS).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def definitions(tree: ast.Module) -> list[ast.FunctionDef | ast.ClassDef]:
    return [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def marked() -> list[Marked]:
    out = []
    for module, tree in modules().items():
        for node in definitions(tree):
            match = MARKER.match(ast.get_docstring(node) or "")
            if match:
                out.append(Marked(f"{module}.{node.name}", match.group(1), match.group(2)))
    return out


def plumbing() -> tuple[set[str], set[str]]:
    """The modules and the functions CONTRIBUTING.md lists as plumbing: the backticked names of its Plumbing line."""
    contributing = ROOT / "CONTRIBUTING.md"
    if not contributing.is_file():  # the image ships no CONTRIBUTING.md (.dockerignore); the repository's run checks it
        pytest.skip("CONTRIBUTING.md is not here (inside the image); the course tier on the repository checks this")
    lines = [line for line in contributing.read_text(encoding="utf-8").splitlines()
             if re.match(r"^\W*Plumbing\b", line)]
    assert len(lines) == 1, "CONTRIBUTING.md needs exactly one line that starts with **Plumbing**"
    names = set(re.findall(r"`([\w.]+)`", lines[0]))
    return {n for n in names if "." not in n}, {n for n in names if "." in n}


def cells(number: str) -> list[dict]:
    return json.loads(NOTEBOOKS[number].read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def shown(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def section_cells(all_cells: list[dict], section: str) -> range | None:
    """The indices of the cells under the heading `## x.` (any level), up to the next heading of its level or above."""
    start = level = None
    for i, cell in enumerate(all_cells):
        if cell["cell_type"] != "markdown":
            continue
        for line in text(cell).splitlines():
            heading = re.match(r"^(#+)\s+(\w+)\.\s", line)
            if not heading:
                continue
            depth = len(heading.group(1))
            if start is None and heading.group(2) == section:
                start, level = i, depth
            elif start is not None and depth <= level:
                return range(start, i)
    return None if start is None else range(start, len(all_cells))


def checking_cell(entry: Marked) -> tuple[int, int] | None:
    """(index among all cells, code-cell number) of the first cell in the section that calls the helper by name,
    compares with torch.equal, and whose stored output says True (and never False)."""
    all_cells = cells(entry.notebook)
    where = section_cells(all_cells, entry.section)
    if where is None:
        return None
    call = re.compile(rf"\b{re.escape(entry.name.rsplit('.', 1)[1])}\(")
    code_number = 0
    for i, cell in enumerate(all_cells):
        if cell["cell_type"] != "code":
            continue
        code_number += 1
        source, output = text(cell), shown(cell)
        if (i in where and call.search(source) and "torch.equal" in source
                and "True" in output and "False" not in output):
            return i, code_number
    return None


MARKED = marked()


def test_the_taught_helpers_are_found() -> None:
    assert len(MARKED) >= 10, [m.name for m in MARKED]


@pytest.mark.parametrize("entry", MARKED, ids=lambda m: m.name)
def test_each_taught_helper_is_written_out_and_checked_in_its_notebook(entry: Marked) -> None:
    assert entry.notebook in NOTEBOOKS, f"{entry.name}: there is no notebook {entry.notebook}"
    assert section_cells(cells(entry.notebook), entry.section) is not None, (
        f"{entry.name}: notebook {entry.notebook} has no heading §{entry.section}")
    found = checking_cell(entry)
    assert found is not None, (
        f"{entry.name}: no code cell under §{entry.section} of notebook {entry.notebook} calls it, compares with "
        "torch.equal and shows True in its stored output")
    index, number = found
    print(f"\n{entry.name:38s} notebook {entry.notebook} §{entry.section:3s} cell {index} (code cell {number})")


def test_every_public_function_outside_lab_and_widgets_is_taught_or_plumbing() -> None:
    plumbing_modules, plumbing_functions = plumbing()
    taught = {m.name for m in MARKED}
    unaccounted = []
    for module, tree in modules().items():
        if module == "__init__" or module.split(".")[0] in OUTSIDE or module in plumbing_modules:
            continue
        for node in definitions(tree):
            name = f"{module}.{node.name}"
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if name not in taught and name not in plumbing_functions:
                    unaccounted.append(name)
    assert not unaccounted, ("neither marked `Taught in NN §x` nor listed as plumbing in CONTRIBUTING.md: "
                             + ", ".join(unaccounted))


def test_the_plumbing_list_names_real_functions_that_are_not_taught() -> None:
    found = modules()
    _, plumbing_functions = plumbing()
    taught = {m.name for m in MARKED}
    for name in sorted(plumbing_functions):
        module, function = name.rsplit(".", 1)
        if module in found:  # a module another change has not added yet is allowed
            assert function in {node.name for node in definitions(found[module])}, f"{name} is listed but not defined"
        assert name not in taught, f"{name} is marked as taught and listed as plumbing"


def test_print_what_is_covered() -> None:
    """The list the issue asks for: each marked helper and the notebook cell that writes it out (`pytest -s`)."""
    rows = []
    for entry in MARKED:
        found = checking_cell(entry)
        where = f"cell {found[0]} (code cell {found[1]})" if found else "NOT FOUND"
        notebook = NOTEBOOKS[entry.notebook].stem if entry.notebook in NOTEBOOKS else entry.notebook
        rows.append(f"{entry.name:38s} {notebook} §{entry.section:3s} {where}")
    print("\ntaught in the open:\n  " + "\n  ".join(sorted(rows, key=lambda r: r.split()[1:])))
    assert "NOT FOUND" not in "\n".join(rows)
