"""`python -m helpers.studies`: the measurements too long for a notebook cell, written to tables in data/studies/.

    python -m helpers.studies dogs --model efficientnet_lite0       # notebook 05: do dogs resist?
    python -m helpers.studies accuracy --model efficientnet_lite0   # notebook 04: accuracy against the budget

Both use the 1000 ImageNet photos of the imagenet-samples set (`python -m helpers.fetch --set
imagenet-samples`, or TRICKNETS_MIRROR) and helpers.difficulty's growing-budget attack, in float64,
so a notebook can re-compute any row on any machine and get the same answer. Each table is a CSV
file whose first lines (`# key: value`) record its provenance: the commit, model, precision and
every setting. A run takes under an hour on a 2-core CPU; it prints its time and its peak memory.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import io
import json
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import attacks, difficulty, images, models, settings
from . import imagenet_groups as groups
from .difficulty import Goal, Outcome
from .errors import ParameterError, TableError, TrickNetsError

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "data" / "studies"

#: The targets of the dog study, fixed before any attack was run: the original's tennis ball, then nine
#: classes drawn at random (numpy seed 2015) from those that are neither dogs nor wolves, foxes and wild dogs.
TARGET_SEED = 2015
#: Steps per budget: the cheap goals get a longer attack; the ten targeted ones per photo get 5, to fit the hour.
STEPS = {"untargeted": 10, "superclass": 10, "targeted": 5}
#: The budgets each goal climbs. A quarter grey level almost never reaches a chosen class (10 of 2060 targeted
#: attacks in a first Lite0 run), so the targeted attacks start at half a grey level: a quarter fewer steps.
GRIDS = {"untargeted": difficulty.GRID_255, "superclass": difficulty.GRID_255, "targeted": difficulty.GRID_255[1:]}
#: The share of targeted pairs re-run with 10 steps per budget, to see what a stronger attack would change.
CHECK_SHARE = 0.04
#: The seed of --dog-sample (a smaller study for the larger networks, to fit the hour).
SAMPLE_SEED = 3
#: Photos in the accuracy study: a random sample (seed 0) of the 1000.
ACCURACY_PHOTOS = 250
ACCURACY_SEED = 0
#: FGSM budgets of the accuracy study, in grey levels: 0 (clean) and the grid.
FGSM_GRID_255 = (0.0, *difficulty.GRID_255)


def dog_targets() -> list[int]:
    """Tennis ball (852) and nine random classes outside the dog breeds and the wild dogs."""
    excluded = set(groups.class_ids("dogs")) | set(groups.class_ids("wolves, foxes and wild dogs")) | {852}
    pool = [c for c in range(groups.NUM_CLASSES) if c not in excluded]
    rng = np.random.default_rng(TARGET_SEED)
    return [852, *sorted(int(c) for c in rng.choice(pool, size=9, replace=False))]


# --- tables ------------------------------------------------------------------------------------
#: The provenance lines write_table adds last and read_table checks: the number of data rows, and a sha256 of the
#: header and the rows as CSV parses them (so line endings and quoting do not change it, a changed value does).
CHECK_KEYS = ("rows", "rows_sha256")


def _rows_sha256(records: Sequence[Sequence[str]]) -> str:
    """sha256 of a table's header and rows (lists of strings, as csv.reader gives them)."""
    canonical = json.dumps([list(r) for r in records], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_table(path: Path, provenance: dict[str, object], rows: Sequence[dict[str, object]]) -> None:
    """A CSV file whose first lines are `# key: value` provenance (values as JSON), the last two the number of rows
    and their sha256 (CHECK_KEYS). Written whole or not at all: a temporary file beside it, moved in place."""
    if not rows:
        raise ParameterError(f"a study table needs at least one row; nothing was written to {path}.")
    for key in provenance:
        if not key or "\n" in key or ": " in key or key.startswith("#"):
            raise ParameterError(f"{key!r} cannot be a provenance key (one line, no ': ', not starting with '#').")
    data = io.StringIO(newline="")
    writer = csv.DictWriter(data, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    records = list(csv.reader(io.StringIO(data.getvalue(), newline="")))
    checked = {k: v for k, v in provenance.items() if k not in CHECK_KEYS}
    checked.update({"rows": len(rows), "rows_sha256": _rows_sha256(records)})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.partial-")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as f:
            for key, value in checked.items():
                f.write(f"# {key}: {json.dumps(value)}\n")
            f.write(data.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def read_table(path: Path) -> tuple[dict[str, object], list[dict[str, str]]]:
    """(provenance, rows) of a table written by write_table; rows are dicts of strings, as in the file.

    The table is checked whole before anything is returned: a file cut short, with rows added, removed or changed,
    or a wrong header, raises TableError (never a part of the table).
    """
    path = Path(path)
    fix = (f"Re-run the study command that made it (`python -m helpers.studies ...`, the `command` line at the top "
           f"of the table), or restore the committed table with `git checkout -- {path}`.")
    if not path.is_file():
        raise TableError(f"No study table at {path}. Make it with `python -m helpers.studies` (see its --help), or "
                         f"restore the committed table with `git checkout -- {path}`.")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"The study table {path} cannot be read ({exc}). {fix}") from exc
    lines = text.splitlines(keepends=True)
    provenance: dict[str, object] = {}
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        key, sep, value = lines[n][2:].rstrip("\r\n").partition(": ")
        try:
            if not lines[n].startswith("# ") or not sep:
                raise ValueError("not a `# key: value` line")
            provenance[key] = json.loads(value)
        except ValueError as exc:
            raise TableError(f"The study table {path} is damaged: its line {n + 1} is not a `# key: value` "
                             f"provenance line ({exc}). {fix}") from exc
        n += 1
    missing = [k for k in CHECK_KEYS if k not in provenance]
    if missing:
        raise TableError(f"The study table {path} records no {' and no '.join(missing)} in its provenance, so it "
                         f"cannot be checked (a table from before the check, or edited by hand). {fix}")
    try:
        records = list(csv.reader(io.StringIO("".join(lines[n:]), newline="")))
    except csv.Error as exc:
        raise TableError(f"The study table {path} is not a well-formed CSV file ({exc}). {fix}") from exc
    if not records or not records[0]:
        raise TableError(f"The study table {path} has no header line after its provenance (cut short?). {fix}")
    header, body = records[0], records[1:]
    if len(set(header)) != len(header) or not all(header):
        raise TableError(f"The study table {path} has a damaged header (empty or repeated column names): "
                         f"{','.join(header)!r}. {fix}")
    for i, record in enumerate(body, start=2):
        if len(record) != len(header):
            raise TableError(f"The study table {path} is damaged: data row {i - 1} has {len(record)} values where "
                             f"its header has {len(header)} columns (a file cut short or edited). {fix}")
    recorded = provenance["rows"]
    if not isinstance(recorded, int) or isinstance(recorded, bool) or len(body) != recorded:
        state = "cut short" if isinstance(recorded, int) and len(body) < recorded else "not as written"
        raise TableError(f"The study table {path} has {len(body)} data rows where its provenance records "
                         f"{recorded!r}: it is {state} (rows lost or added). {fix}")
    if _rows_sha256(records) != provenance["rows_sha256"]:
        raise TableError(f"The study table {path} is not the table that was written: the sha256 of its header and "
                         f"rows differs from the one in its provenance (a header or a value changed). {fix}")
    return provenance, [dict(zip(header, record)) for record in body]


def _git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "helpers"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return commit + (" (helpers/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def _provenance(model: models.Classifier, command: str, commit: str, **settings_used: object) -> dict[str, object]:
    return {"command": command, "commit": commit, "model": model.name, "precision": str(model.dtype),
            "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "date": datetime.date.today().isoformat(), **settings_used}


# --- the work, split over processes -------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """Attacks one process runs: (photo class id, goal, steps per budget, grid of budgets) for each pair."""

    model: str
    pairs: tuple[tuple[int, Goal, int, tuple[float, ...]], ...]


def _run_job(job: Job, threads: int, progress: bool) -> tuple[list[Outcome], int]:
    """Outcomes in the job's order, and this process's peak memory in MB."""
    torch.set_num_threads(threads)
    model = models.load(job.model, device="cpu")
    photos = sorted({pair[0] for pair in job.pairs})
    batch = images.load_many([images.imagenet_sample(cid) for cid in photos])
    position = {cid: i for i, cid in enumerate(photos)}
    outcomes: list[Outcome | None] = [None] * len(job.pairs)
    for steps, grid in sorted({(pair[2], pair[3]) for pair in job.pairs}):
        chosen = [i for i, pair in enumerate(job.pairs) if (pair[2], pair[3]) == (steps, grid)]
        found = difficulty.first_success(model, batch, [(position[job.pairs[i][0]], job.pairs[i][1]) for i in chosen],
                                         grid_255=grid, steps_per_level=steps, progress=progress)
        for i, outcome in zip(chosen, found):
            outcomes[i] = outcome
    return outcomes, peak_memory_mb()


def peak_memory_mb() -> int:
    """This process's peak resident memory in MB, on Linux, macOS and Windows (resource is Unix-only)."""
    try:
        import resource
    except ImportError:  # Windows: the peak working set
        import psutil

        return psutil.Process().memory_info().peak_wset // 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 2**20 if sys.platform == "darwin" else peak // 1024  # bytes on macOS, KiB on Linux


def run_pairs(model: str, pairs: Sequence[tuple[int, Goal, int, tuple[float, ...]]], workers: int,
              progress: bool) -> tuple[list[Outcome], list[int]]:
    """Every pair's Outcome (in order) and each process's peak memory (MB). Results do not depend on `workers`."""
    if workers == 1:
        outcomes, peak = _run_job(Job(model, tuple(pairs)), torch.get_num_threads(), progress)
        return outcomes, [peak]
    jobs = [Job(model, tuple(pairs[w::workers])) for w in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        done = pool.starmap(_run_job, [(job, 1, progress and w == 0) for w, job in enumerate(jobs)])
        pool.close()  # let the workers finish on their own (terminating them leaks a semaphore)
        pool.join()
    outcomes: list[Outcome] = [None] * len(pairs)  # type: ignore[list-item]
    for w, (found, _) in enumerate(done):
        outcomes[w::workers] = found
    return outcomes, [peak for _, peak in done]


def common_level(outcome: Outcome) -> int | str:
    """An outcome's level on the full grid (GRID_255), whichever grid its attack climbed; "" for never."""
    if outcome.level is None:
        return ""
    return -1 if outcome.level < 0 else difficulty.GRID_255.index(outcome.budget_255)


# --- shared first steps -----------------------------------------------------------------------
@torch.no_grad()
def clean_predictions(model: models.Classifier, class_ids: Sequence[int]) -> torch.Tensor:
    """Probabilities (N x 1000) for the imagenet-samples photos of the given classes, 8 at a time."""
    names = [images.imagenet_sample(c) for c in class_ids]
    return torch.cat([model.probabilities(images.load_many(names[i:i + 8])).cpu() for i in range(0, len(names), 8)])


def match_on_confidence(dogs: Sequence[int], pool: Sequence[int], confidence: dict[int, float],
                        seed: int = 0) -> list[int]:
    """For each dog photo (in a random order, seeded) the unused pool photo closest in logit(confidence)."""
    def logit(p: float) -> float:
        p = min(max(p, 1e-12), 1 - 1e-12)
        return math.log(p / (1 - p))

    order = np.random.default_rng(seed).permutation(len(dogs))
    free = sorted(pool)
    matched: dict[int, int] = {}
    for i in order:
        dog = dogs[i]
        best = min(free, key=lambda c: (abs(logit(confidence[c]) - logit(confidence[dog])), c))
        matched[dog] = best
        free.remove(best)
    return [matched[d] for d in dogs]


# --- the dog study (notebook 05) -----------------------------------------------------------------
def dog_study(model_name: str, workers: int, progress: bool, out: Path, dog_sample: int | None = None) -> dict[str, object]:
    started, commit = time.monotonic(), _git_commit()  # the code as it is when the run starts
    model = models.load(model_name, device="cpu")
    targets = dog_targets()
    clean = clean_predictions(model, range(groups.NUM_CLASSES))
    correct = [c for c in range(groups.NUM_CLASSES) if int(clean[c].argmax()) == c]
    confidence = {c: float(clean[c, c]) for c in correct}
    dog_ids = set(groups.class_ids("dogs"))
    dogs = [c for c in correct if c in dog_ids]
    if dog_sample is not None and dog_sample < len(dogs):  # a seeded random sample, chosen before any attack
        dogs = sorted(int(c) for c in np.random.default_rng(SAMPLE_SEED).choice(dogs, size=dog_sample, replace=False))
    pool = [c for c in correct if c not in dog_ids and c not in targets]
    others = match_on_confidence(dogs, pool, confidence)

    photos = [(c, "dog") for c in dogs] + [(c, "non-dog") for c in others]
    pairs, described = [], []
    for cid, group in photos:
        own = groups.group_of(cid)
        goals = [("untargeted", Goal("untargeted", (cid,)), str(cid)),
                 ("superclass", Goal("superclass", tuple(groups.class_ids(own))), own)]
        goals += [("targeted", Goal("targeted", (t,)), str(t)) for t in targets]
        for task, goal, goal_name in goals:
            pairs.append((cid, goal, STEPS[goal.kind], GRIDS[goal.kind]))
            described.append((cid, group, task, goal_name))
    targeted = [i for i, d in enumerate(described) if d[2] == "targeted"]
    rng = np.random.default_rng(1)
    checked = sorted(int(i) for i in rng.choice(targeted, size=round(CHECK_SHARE * len(targeted)), replace=False))
    for i in checked:
        cid, goal, _, grid = pairs[i]
        pairs.append((cid, goal, 10, grid))
        described.append((cid, described[i][1], "targeted-check", described[i][3]))

    outcomes, peaks = run_pairs(model_name, pairs, workers, progress)
    rows = []
    for (cid, group, task, goal_name), (_, _, steps, _), o in zip(described, pairs, outcomes):
        rows.append({"photo": images.imagenet_sample(cid), "class_id": cid, "group": group,
                     "superclass": groups.group_of(cid), "clean_confidence": f"{confidence[cid]:.8f}", "task": task,
                     "goal": goal_name, "steps_per_level": steps, "level": common_level(o),
                     "budget_255": o.budget_255, "steps": o.steps, "top_class": o.top_class,
                     "goal_probability": f"{o.goal_probability:.8f}"})
    seconds = time.monotonic() - started
    command = f"python -m helpers.studies dogs --model {model_name} --workers {workers}"
    if dog_sample is not None:
        command += f" --dog-sample {dog_sample}"
    provenance = _provenance(model, command, commit,
                             grid_255={kind: list(grid) for kind, grid in GRIDS.items()}, steps_per_level=STEPS,
                             level="the index of the first successful budget in " + str(list(difficulty.GRID_255))
                                   + " (-1: true before any step; empty: never)", targets=targets,
                             target_seed=TARGET_SEED, check_share=CHECK_SHARE,
                             photos={"dog": len(dogs), "non-dog": len(others)},
                             correct_dogs=sum(c in dog_ids for c in correct),
                             selection=("every dog photo (ImageNet ids 151-268) the model classifies correctly"
                                        if dog_sample is None else
                                        f"a random sample (seed {SAMPLE_SEED}) of {len(dogs)} of the dog photos "
                                        "(ImageNet ids 151-268) the model classifies correctly")
                                       + "; for each dog (random order, seed 0) the correctly classified non-dog "
                                         "photo closest in logit(clean confidence), without replacement (the "
                                         "targets' own photos excluded)",
                             workers=workers, run_seconds=round(seconds), peak_memory_mb=peaks)
    write_table(out, provenance, rows)
    return {"table": str(out), "rows": len(rows), "photos": provenance["photos"], "run_seconds": round(seconds),
            "peak_memory_mb_per_process": peaks}


# --- accuracy against the budget (notebook 04) ---------------------------------------------------
def accuracy_photos() -> list[int]:
    """The class ids of the accuracy study's photos: a seeded random sample of the 1000, sorted."""
    rng = np.random.default_rng(ACCURACY_SEED)
    return sorted(int(c) for c in rng.choice(groups.NUM_CLASSES, size=ACCURACY_PHOTOS, replace=False))


def fgsm_predictions(model: models.Classifier, class_ids: Sequence[int]) -> list[list[int]]:
    """For each photo, the top class after FGSM (away from its true class) at every budget of FGSM_GRID_255."""
    tops = []
    for start in range(0, len(class_ids), 8):
        chunk = list(class_ids[start:start + 8])
        x = images.load_many([images.imagenet_sample(c) for c in chunk]).to(model.dtype)
        grad, _ = attacks.class_log_prob_gradient(model, x, torch.tensor(chunk))
        per_budget = []
        with torch.no_grad():
            for budget in FGSM_GRID_255:
                per_budget.append(model(attacks.signed_step(x, -grad, budget / 255)).argmax(-1).tolist())
        tops.extend(list(row) for row in zip(*per_budget))
    return tops


def accuracy_study(model_name: str, workers: int, progress: bool, out: Path) -> dict[str, object]:
    started, commit = time.monotonic(), _git_commit()  # the code as it is when the run starts
    model = models.load(model_name, device="cpu")
    photos = accuracy_photos()
    fgsm_tops = fgsm_predictions(model, photos)
    correct = [c for c, tops in zip(photos, fgsm_tops) if tops[0] == c]
    pairs = [(c, Goal("untargeted", (c,)), STEPS["untargeted"], GRIDS["untargeted"]) for c in correct]
    outcomes, peaks = run_pairs(model_name, pairs, workers, progress)
    pgd = dict(zip(correct, outcomes))
    rows = []
    for c, tops in zip(photos, fgsm_tops):
        o = pgd.get(c)
        row: dict[str, object] = {"photo": images.imagenet_sample(c), "class_id": c}
        row.update({f"fgsm_top_{b:g}": t for b, t in zip(FGSM_GRID_255, tops)})
        row.update({"pgd_level": "" if o is None else common_level(o),
                    "pgd_budget_255": "" if o is None else o.budget_255, "pgd_steps": "" if o is None else o.steps,
                    "pgd_top_class": "" if o is None else o.top_class})
        rows.append(row)
    seconds = time.monotonic() - started
    provenance = _provenance(model, f"python -m helpers.studies accuracy --model {model_name} --workers {workers}", commit,
                             photos=len(photos), photo_seed=ACCURACY_SEED, fgsm_grid_255=list(FGSM_GRID_255),
                             grid_255=list(difficulty.GRID_255), steps_per_level=STEPS["untargeted"],
                             pgd="growing-budget untargeted attack (helpers.difficulty) on the clean-correct photos",
                             workers=workers, run_seconds=round(seconds), peak_memory_mb=peaks)
    write_table(out, provenance, rows)
    return {"table": str(out), "rows": len(rows), "clean_correct": len(correct), "run_seconds": round(seconds),
            "peak_memory_mb_per_process": peaks}


STUDIES = {"dogs": dog_study, "accuracy": accuracy_study}


def table_path(study: str, model_name: str) -> Path:
    return TABLES / f"{study}_{model_name}.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.studies", description=__doc__.split("\n\n")[0])
    parser.add_argument("study", choices=sorted(STUDIES))
    parser.add_argument("--model", default="efficientnet_lite0", choices=[m for m in models.MODELS if m != "googlenet"])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes, one torch thread each (default: 2, or 1 on a 1-core machine)")
    parser.add_argument("--out", type=Path, default=None, help="the table to write (default: data/studies/...)")
    parser.add_argument("--dog-sample", type=int, default=None, metavar="N",
                        help="dogs study: attack a seeded random N of the correctly classified dogs (and their "
                             "matched non-dogs) instead of all of them; for the larger networks, to fit the hour")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.dog_sample is not None and (args.study != "dogs" or args.dog_sample < 2):
        parser.error("--dog-sample goes with the dogs study and needs at least 2 photos")
    extra = {"dog_sample": args.dog_sample} if args.study == "dogs" else {}
    if settings.dtype() != torch.float64:
        print(f"note: {settings.PRECISION_VAR} is not float64: the notebooks' live re-computation will not match.",
              file=sys.stderr)
    out = args.out or table_path(args.study, args.model)
    try:
        summary = STUDIES[args.study](args.model, args.workers, settings.progress_enabled(), out, **extra)
    except (TrickNetsError, ParameterError) as exc:
        print(f"helpers.studies: {exc}", file=sys.stderr)
        return 1
    minutes, seconds = divmod(summary.pop("run_seconds"), 60)
    print(f"{args.study} study, {args.model}: {summary.pop('rows')} rows in {summary.pop('table')}; "
          f"run time {minutes} min {seconds} s; " + "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
