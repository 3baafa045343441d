"""Settings shared by the unit tests and the nbval notebook runs.

Notebook kernels inherit this process's environment, so what is set here also holds
inside every notebook that `pytest` re-executes.
"""

from __future__ import annotations

import os
from collections import defaultdict

# Progress bars draw volatile widgets; stored notebook outputs are made without them.
os.environ.setdefault("TRICKNETS_PROGRESS", "0")
# The stored outputs are computed in float64, which makes them the same on every CPU, whatever its
# instruction set or thread count (nothing here pins those). A float32 run would print other numbers.
os.environ["TRICKNETS_PRECISION"] = "float64"
# The CPU by default; `TRICKNETS_DEVICE=cuda pytest` runs the notebooks on a GPU instead.
os.environ.setdefault("TRICKNETS_DEVICE", "cpu")


def pytest_terminal_summary(terminalreporter) -> None:  # pytest passes only the arguments a hook names
    """Print each notebook's total run time (the sum of its cells), the figure docs/WORKSHOP.md quotes."""
    per_notebook: dict[str, float] = defaultdict(float)
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            path = report.nodeid.split("::", 1)[0]
            if path.endswith(".ipynb"):
                per_notebook[path] += report.duration
    if per_notebook:
        terminalreporter.write_sep("-", "notebook run times (sum of cell durations)")
        for path, seconds in sorted(per_notebook.items()):
            terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
