"""How this machine's cores share out: the same one-thread job run alone, then 2 and 4 copies at once.

A room on one server (docs/WORKSHOP.md) runs one attack per learner at the same time. With N real cores and
K single-threaded jobs, each job should take max(1, K / N) times as long as alone. Two jobs tell the rest:
  - compute: a small float64 matrix product that stays in the core's own cache (the ideal case);
  - attack:  attack steps on EfficientNet-Lite0, float64, batch 1 (what notebook 03 does).
If `compute` already takes longer than K / N, the virtual cores share physical ones (a cloud VM's vCPUs can be
hyperthreads); if only `attack` does, the jobs compete for memory bandwidth and caches.

    python benchmarks/sharing.py                  # 1, 2 and 4 copies of both jobs
    python benchmarks/sharing.py --copies 1 2 3 4 --seconds 20
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

JOB = r"""
import os, sys, time
import torch
torch.set_num_threads(1)
kind, seconds = sys.argv[1], float(sys.argv[2])
if kind == "compute":
    a = torch.rand(96, 96, dtype=torch.float64)
    def work():
        for _ in range(200):
            a @ a
else:
    os.environ["TRICKNETS_PROGRESS"] = "0"
    os.environ["TRICKNETS_PRECISION"] = "float64"
    from helpers import attacks, images, models
    model = models.load("efficientnet_lite0")
    x = images.black()
    def work():
        attacks.iterative_attack(model, x, target="paper towel", epsilon=2 / 255, steps=1)
work()
print("ready", flush=True)
sys.stdin.readline()                      # start together
done, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    work()
    done += 1
print((time.perf_counter() - started) / done, flush=True)
"""


def seconds_per_unit(kind: str, copies: int, seconds: float) -> list[float]:
    """Each copy's seconds per unit of work while `copies` copies run at once (not pinned to cores)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = [subprocess.Popen([sys.executable, "-c", JOB, kind, str(seconds)], cwd=root, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(copies)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    return [float(p.communicate()[0].strip()) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each measurement runs")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores visible; each job single-threaded; {args.seconds:g} s per measurement")
    print(f"{'job':8}{'copies':>7}{'slowest / alone':>17}{'ideal':>7}")
    for kind in ("compute", "attack"):
        alone = seconds_per_unit(kind, 1, args.seconds)[0]
        for copies in args.copies:
            times = [alone] if copies == 1 else seconds_per_unit(kind, copies, args.seconds)
            print(f"{kind:8}{copies:>7}{max(times) / alone:>17.2f}{max(1.0, copies / cores):>7.2f}", flush=True)


if __name__ == "__main__":
    main()
