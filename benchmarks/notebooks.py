"""Each notebook's cell time and its kernel's peak memory, executed top to bottom as the tests do.

The kernel's resident memory is sampled every 0.1 s while the notebook runs, and its high-water mark
(VmHWM, Linux) is read at the end; the larger is reported. Cell time is the sum of the cells' execution
times. With several precisions (TRICKNETS_PRECISION for the kernel) the runs are interleaved, notebook by
notebook, so that the machine's load hits them alike; the last lines compare the series' totals.

    python benchmarks/notebooks.py                                  # every notebook, float64 (the default)
    python benchmarks/notebooks.py --precision float64 float32      # the cost of the portable precision
    python benchmarks/notebooks.py notebooks/05_dog_resistance.ipynb
    python benchmarks/notebooks.py --before 3150b20                 # that commit's notebooks and helpers, then these
    python benchmarks/notebooks.py --emulate                        # this CPU against the emulated other one

With --before REV the notebooks of commit REV (checked out into a temporary folder, its helpers/ first on the kernel's
path) run interleaved with today's, so that a speed-up is measured side by side in one run. With --emulate each
notebook also runs as the image's self-test emulates another CPU (one thread, ATen's default kernels, oneDNN capped
at SSE4.1; see EMULATED), and the last lines give each notebook's emulated / own time.

Needs the photos (TRICKNETS_MIRROR or `python -m helpers.fetch --set imagenet-samples`). Outputs are not
compared or saved.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent
# The other CPU that the image's self-test and tools/nbval_matrix.py emulate: the slowest of the matrix's settings.
EMULATED = {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}


def rss_and_peak(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in bytes."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    rss, peak = (int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM"))
    return rss, peak


def is_widget(cell) -> bool:
    """A cell that only draws an explorer (see tests/notebooks/test_structure.py)."""
    return cell.cell_type == "code" and cell.source.startswith("# NBVAL_IGNORE_OUTPUT\n# A widget")


def run(path: Path, precision: str, root: Path = ROOT,
        settings: dict[str, str] | None = None) -> tuple[float, int, list[tuple[float, int]]]:
    """(cell seconds, peak kernel memory in bytes, (seconds, cell index) of each cell) of one execution.

    `root`: the checkout whose helpers/ the kernel imports (put first on its PYTHONPATH); `settings`: more
    environment variables for the kernel (EMULATED, say)."""
    nb = nbformat.read(path, as_version=4)
    python_path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, **(settings or {}), "TRICKNETS_PRECISION": precision, "TRICKNETS_PROGRESS": "0",
           "PYTHONPATH": python_path}
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


@contextlib.contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """The repository at `revision`, extracted into a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="tricknets-before-") as folder:
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    parser.add_argument("--precision", nargs="+", default=["float64"], choices=["float64", "float32"])
    parser.add_argument("--before", metavar="REV", help="also run the notebooks and helpers of this git revision")
    parser.add_argument("--emulate", action="store_true", help="also run each notebook as the emulated other CPU")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        roots = {"": ROOT} if args.before is None else {
            "before ": stack.enter_context(checkout(args.before)), "now ": ROOT}
        cpus = {"": {}} if not args.emulate else {"": {}, "emulated ": EMULATED}
        configs = [(cpu, label, precision) for precision in args.precision for label in roots for cpu in cpus]
        names = [f"{cpu}{label}{precision}" for cpu, label, precision in configs]
        totals = {name: 0.0 for name in names}
        slowest: dict[str, list[tuple[float, str]]] = {name: [] for name in names}
        per_notebook: dict[str, dict[str, float]] = {}  # notebook -> config -> cell seconds
        width = max(len(name) for name in names) + 8  # a column per configuration: its time, then its peak
        print(f"{'notebook':34}" + "".join(f"{name + ' time':>{width}}{'peak':>10}" for name in names))
        for i, path in enumerate(args.notebooks):
            order = configs if i % 2 == 0 else configs[::-1]
            measured = {}
            for cpu, label, precision in order:
                notebook = roots[label] / path.resolve().relative_to(ROOT)
                if notebook.exists():
                    measured[f"{cpu}{label}{precision}"] = run(notebook, precision, roots[label], cpus[cpu])
            per_notebook[path.stem] = {name: seconds for name, (seconds, _, _) in measured.items()}
            for name, (seconds, _, cells) in measured.items():
                totals[name] += seconds
                slowest[name] += [(t, f"{path.stem[:2]} cell {index}") for t, index in cells]
            print(f"{path.stem:34}" + "".join(
                f"{measured[n][0]:{width - 2}.1f} s{measured[n][1] / 2**30:6.2f} GiB" if n in measured
                else f"{'-':>{width}}{'':>10}"
                for n in names), flush=True)
        for name in names:
            top = sorted(slowest[name], reverse=True)[:5]
            print(f"slowest cells, {name}: " + ", ".join(f"{where} {t:.1f} s" for t, where in top))
        print("series cell time: " + ", ".join(f"{name} {totals[name]:.0f} s" for name in names))
        if args.emulate:
            for label, precision in ((label, precision) for precision in args.precision for label in roots):
                own, emulated = f"{label}{precision}", f"emulated {label}{precision}"
                print(f"emulated / own, {own}: " + ", ".join(
                    f"{stem[:2]} {seconds[emulated] / seconds[own]:.2f}" for stem, seconds in per_notebook.items()
                    if own in seconds and emulated in seconds)
                      + f"; series {totals[emulated] / totals[own]:.2f}")
        elif len(names) == 2:
            a, b = names
            print(f"ratio {a} / {b}: {totals[a] / totals[b]:.2f}")
        elif args.before is not None:
            for precision in args.precision:
                a, b = f"before {precision}", f"now {precision}"
                print(f"ratio {a} / {b}: {totals[a] / totals[b]:.2f}")


if __name__ == "__main__":
    main()
