"""Write docs/WORKSHOP.md's table of CI-measured numbers from a CI run's test-artifacts/: one source for each number.

    python tools/measured_table.py [test-artifacts]     # rewrites the block between the two markers in WORKSHOP.md

It reads what `.ci/run` leaves in test-artifacts/: ci-record.txt (each step's seconds, the image's size, the disk
used), binder.log (the course tier in the Binder environment: each notebook's time and the peak memory),
container-selftest.log (every notebook inside the image as another CPU), room-test.log (four learners at once) and
wheels.txt. Other documents point to this table instead of repeating its numbers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "docs" / "WORKSHOP.md"
BEGIN = "<!-- measured: begin; made by tools/measured_table.py from a CI run's test-artifacts, do not edit -->"
END = "<!-- measured: end -->"


def notebook_times(log: str) -> dict[str, float]:
    """The 'notebook run times' section conftest.py prints at the end of a pytest run: {notebook: seconds}."""
    return {Path(path).stem[:2]: float(seconds)
            for seconds, path in re.findall(r"^\s*([\d.]+) s\s+(notebooks/\S+\.ipynb)$", log, re.M)}


def pytest_seconds(log: str) -> str:
    found = re.findall(r"^=+ (.*? in [\d.]+s.*?) =+$", log, re.M)
    return found[-1] if found else "?"


def record(artifacts: Path) -> dict[str, str]:
    path = artifacts / "ci-record.txt"
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line) if path.exists() else ()
    return dict(pairs)


def times_row(times: dict[str, float]) -> str:
    total = sum(times.values())
    return ", ".join(f"{nb}: {t:.1f} s" for nb, t in sorted(times.items())) + f"; {total:.0f} s in all"


def table(artifacts: Path) -> str:
    def read(name: str) -> str:
        return (artifacts / name).read_text() if (artifacts / name).exists() else ""

    ci, binder, selftest, room = record(artifacts), read("binder.log"), read("container-selftest.log"), read("room-test.log")
    units = read("course-tests.log")
    peak = re.search(r"^peak-bytes (\d+)", binder, re.M)
    rows = [
        ("the course tier, `pytest`, in the Binder environment, in its two halves: `pytest tests` (unit tests, "
         "notebook checks, float32 runs), then `pytest notebooks` (strict nbval) inside 2 GiB",
         f"{pytest_seconds(units)}; then {pytest_seconds(binder)}, peak memory "
         + (f"{int(peak.group(1)) / 2**30:.2f} GiB of 2" if peak else "?"),
         "`bash tools/binder_check.sh` (`.ci/run` step 6)"),
        ("each notebook's cell time in that run (float64, this machine's CPU)", times_row(notebook_times(binder)),
         "the same run's \"notebook run times\""),
        ("each notebook inside the image as another CPU (`OMP_NUM_THREADS=1 ATEN_CPU_CAPABILITY=default "
         "ONEDNN_MAX_CPU_ISA=SSE41`)", times_row(notebook_times(selftest)), "the image's self-test, network off"),
        ("the infrastructure tier, `pytest -m infrastructure`, as a non-root user", f"{ci.get('infra_s', '?')} s",
         "`.ci/run` step 7"),
        ("the GPU image (`docker-compose.gpu.yml`, PyTorch's CUDA 13.0 build)", f"{ci.get('gpu_image_gb', '?')} GB",
         "`.ci/run` step 4"),
        ("the CPU image as CI builds it: PyPI's torch, which is the CUDA 13.0 build (PyTorch's CPU index is out of "
         "reach here)", f"{ci.get('image_gb', '?')} GB, {ci.get('image_without_torch_mb', '?')} MB of it besides the "
         f"torch layer; built online in {ci.get('online_build_s', '?')} s", "`python tools/online_build.py`"),
        ("the CPU image as users build it, with PyTorch's CPU wheels", "not measurable here; expect the size besides "
         "the torch layer (above) plus about 0.8 GB (torch 2.13.0's CPU wheel, the newest here, installs to 0.76 GB)",
         "`docker image ls tricknets-lab`"),
        ("four learners running notebook 03 at once on one server",
         "; ".join(line.removeprefix("room: ") for line in room.splitlines()
                   if line.startswith(("room: notebook 03", "room: host memory"))) or "?",
         "`python tools/room_test.py`"),
        ("all of `.ci/run` on a clean machine", f"{ci.get('total_s', '?')} s; {ci.get('disk_gb', '?')} GB of disk at "
         "its peak",
         "`bash .ci/run`"),
    ]
    note = f" {ci['note']}" if ci.get("note") else ""
    lines = [BEGIN, "", f"Measured by CI's run of commit {ci.get('commit', '?')} on a 2-core machine "
             f"({ci.get('cpu', '?')}), no GPU, torch 2.14.1, float64 unless said otherwise.{note}", "",
             "| what | measured | command |", "| --- | --- | --- |"]
    lines += [f"| {what} | {value} | {command} |" for what, value, command in rows]
    return "\n".join([*lines, "", END])


def main(argv: list[str]) -> int:
    artifacts = Path(argv[0]) if argv else ROOT / "test-artifacts"
    text = WORKSHOP.read_text()
    if BEGIN not in text or END not in text:
        print(f"measured_table: {WORKSHOP} has no measured block (its two markers)", file=sys.stderr)
        return 2
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    WORKSHOP.write_text(before + table(artifacts) + after)
    print(f"measured_table: wrote {WORKSHOP.relative_to(ROOT)} from {artifacts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
