"""Run every notebook under strict nbval as many CPUs would, and print the failing cells per configuration.

The stored outputs must not depend on the machine (float64; see helpers/settings.py). This script runs the
README's notebook tests once per combination of thread count (OMP_NUM_THREADS), ATen's kernels
(ATEN_CPU_CAPABILITY) and oneDNN's instruction-set cap (ONEDNN_MAX_CPU_ISA) -- 27 combinations by default,
each a few minutes on 2 cores -- and prints a Markdown table: the failing cells of each notebook ("0" when
none). "unset" leaves a variable out, so the library picks what this CPU has.

    python tools/nbval_matrix.py                                   # the full matrix, every notebook
    python tools/nbval_matrix.py --threads 1,2 --aten default --isa SSE41 notebooks/03_paper_towel_from_black.ipynb
    python tools/nbval_matrix.py --out matrix.md                   # also write the table, row by row

Needs the photos (TRICKNETS_MIRROR, or `python -m helpers.fetch --set imagenet-samples`). Exit status 1 if
any cell failed anywhere.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILED = re.compile(r"^FAILED (\S+\.ipynb)::Cell (\d+)", re.MULTILINE)
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error).*?)\s*=*$", re.MULTILINE)


def environment(threads: str, aten: str, isa: str) -> dict[str, str]:
    """This process's environment with the three settings applied ("unset" removes one)."""
    env = dict(os.environ)
    for name, value in (("OMP_NUM_THREADS", threads), ("ATEN_CPU_CAPABILITY", aten), ("ONEDNN_MAX_CPU_ISA", isa)):
        env.pop(name, None)
        if value != "unset":
            env[name] = value
    return env


def run(notebooks: list[str], env: dict[str, str]) -> tuple[dict[str, list[int]], str, float]:
    """(failing cells per notebook, pytest's summary line, seconds) of one strict nbval run."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:randomly", "-p", "no:cacheprovider",
                           *notebooks], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    failing: dict[str, list[int]] = {nb: [] for nb in notebooks}
    for path, cell in FAILED.findall(done.stdout):
        failing.setdefault(path, []).append(int(cell))
    summary = SUMMARY.findall(done.stdout)
    line = summary[-1] if summary else f"pytest exited {done.returncode}: " + (done.stdout + done.stderr)[-300:]
    if done.returncode not in (0, 1) or (done.returncode == 1 and not any(failing.values())):
        failing = {nb: failing.get(nb) or [-1] for nb in notebooks}  # an error that is not a cell mismatch
    return failing, line, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="default: every notebook in notebooks/")
    parser.add_argument("--threads", default="1,2,4", help="OMP_NUM_THREADS values, comma-separated")
    parser.add_argument("--aten", default="default,avx2,unset", help="ATEN_CPU_CAPABILITY values")
    parser.add_argument("--isa", default="SSE41,AVX2,unset", help="ONEDNN_MAX_CPU_ISA values")
    parser.add_argument("--out", type=Path, help="also write the table here, one row as each run ends")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    names = [Path(nb).name.split("_")[0] for nb in notebooks]

    lines = ["| OMP_NUM_THREADS | ATEN_CPU_CAPABILITY | ONEDNN_MAX_CPU_ISA | "
             + " | ".join(f"{n}: failing cells" for n in names) + " | pytest | minutes |",
             "|" + "---|" * (len(names) + 5)]
    print("\n".join(lines), flush=True)
    any_failed = False
    for threads, aten, isa in itertools.product(*(v.split(",") for v in (args.threads, args.aten, args.isa))):
        failing, summary, seconds = run(notebooks, environment(threads, aten, isa))
        cells = [", ".join(map(str, failing.get(nb, []))) or "0" for nb in notebooks]  # -1: pytest itself failed
        any_failed |= any(failing.values())
        lines.append(f"| {threads} | {aten} | {isa} | " + " | ".join(cells) + f" | {summary} | {seconds / 60:.1f} |")
        print(lines[-1], flush=True)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n")
    return 1 if any_failed else 0


if __name__ == "__main__":
    sys.exit(main())
