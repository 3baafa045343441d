"""Each notebook's cell time and its kernel's peak memory, executed top to bottom as the tests do.

The kernel's resident memory is sampled every 0.1 s while the notebook runs, and its high-water mark
(VmHWM, Linux) is read at the end; the larger is reported. Cell time is the sum of the cells' execution
times. With several precisions (TRICKNETS_PRECISION for the kernel) the runs are interleaved, notebook by
notebook, so that the machine's load hits them alike; the last lines compare the series' totals.

    python benchmarks/notebooks.py                                  # every notebook, float64 (the default)
    python benchmarks/notebooks.py --precision float64 float32      # the cost of the portable precision
    python benchmarks/notebooks.py notebooks/05_dog_resistance.ipynb

Needs the photos (TRICKNETS_MIRROR or `python -m helpers.fetch --set imagenet-samples`). Outputs are not
compared or saved.
"""

from __future__ import annotations

import argparse
import datetime
import os
import threading
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent


def rss_and_peak(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in bytes."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def is_widget(cell) -> bool:
    """A cell that only draws an explorer (see tests/notebooks/test_structure.py)."""
    return cell.cell_type == "code" and cell.source.startswith("# NBVAL_IGNORE_OUTPUT\n# A widget")


def run(path: Path, precision: str) -> tuple[float, int, list[tuple[float, int]]]:
    """(cell seconds, peak kernel memory in bytes, (seconds, cell index) of each cell) of one execution."""
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "TRICKNETS_PRECISION": precision, "TRICKNETS_PROGRESS": "0"}
    client = NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            timeout_func=lambda cell: 60 if is_widget(cell) else 1200)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            try:
                peak = max(peak, rss_and_peak(client.km.provisioner.process.pid)[0])
            except (AttributeError, FileNotFoundError, KeyError, ProcessLookupError, TypeError, ValueError):
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    with client.setup_kernel(env=env):
        sampler.start()
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                if not is_widget(cell):
                    raise
                # nbclient sometimes never sees a widget cell finish (jupyter/nbclient#312); the kernel is idle,
                # so go on, and leave the cell's 60 s out of the sum (it has no execution timing).
                cell.metadata.pop("execution", None)
                print(f"   ({path.stem}: nbclient lost track of widget cell {index}; not timed)", flush=True)
        peak = max(peak, *rss_and_peak(pid))
    done.set()
    cells = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            cells.append(((end - start).total_seconds(), index))
    return sum(t for t, _ in cells), peak, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    parser.add_argument("--precision", nargs="+", default=["float64"], choices=["float64", "float32"])
    args = parser.parse_args()
    totals = {p: 0.0 for p in args.precision}
    slowest: dict[str, list[tuple[float, str]]] = {p: [] for p in args.precision}
    print(f"{'notebook':34}" + "".join(f"{p + ' time':>16}{p + ' peak':>16}" for p in args.precision))
    for i, path in enumerate(args.notebooks):
        order = args.precision if i % 2 == 0 else args.precision[::-1]
        measured = {p: run(path, p) for p in order}
        for p in args.precision:
            totals[p] += measured[p][0]
            slowest[p] += [(t, f"{path.stem[:2]} cell {index}") for t, index in measured[p][2]]
        print(f"{path.stem:34}" + "".join(f"{measured[p][0]:14.1f} s{measured[p][1] / 2**30:13.2f} GiB"
                                          for p in args.precision), flush=True)
    for p in args.precision:
        top = sorted(slowest[p], reverse=True)[:5]
        print(f"slowest cells, {p}: " + ", ".join(f"{where} {t:.1f} s" for t, where in top))
    print("series cell time: " + ", ".join(f"{p} {totals[p]:.0f} s" for p in args.precision))
    if len(args.precision) == 2:
        a, b = args.precision
        print(f"ratio {a} / {b}: {totals[a] / totals[b]:.2f}")


if __name__ == "__main__":
    main()
