"""Every notebook also runs in float32, the speed setting README.md offers (`TRICKNETS_PRECISION=float32`).

Its numbers differ from the stored float64 ones (and between CPUs), so this checks only that no cell raises; nbval
checks the stored float64 outputs. The explorer cells are left out: they only draw a widget, and nbclient can wait
forever on one (jupyter/nbclient#312).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def draws_a_widget(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith("# NBVAL_IGNORE_OUTPUT\n# A widget")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_in_float32_without_errors(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and not draws_a_widget(cell)]
    nb.cells = [cell for _, cell in code]
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "TRICKNETS_PRECISION": "float32", "TRICKNETS_PROGRESS": "0"})
    errors = [f"cell {i}: {out.ename}: {out.evalue}" for (i, _), cell in zip(code, nb.cells)
              for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors, "in float32: " + "; ".join(errors)
