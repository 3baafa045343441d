"""The study tables: CSV files whose first lines record their provenance, written whole and checked whole on read.

Notebooks 04 and 05 read them with read_table; `python -m helpers.lab` writes them with write_table.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

import torch

from ..errors import ParameterError, TableError
from ..files import atomic_write

ROOT = Path(__file__).resolve().parent.parent.parent
TABLES = ROOT / "data" / "studies"


def table_path(study: str, model_name: str) -> Path:
    """Where the committed table of a study on a model lives: data/studies/<study>_<model>.csv."""
    return TABLES / f"{study}_{model_name}.csv"


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
    with atomic_write(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as f:
        for key, value in checked.items():
            f.write(f"# {key}: {json.dumps(value)}\n")
        f.write(data.getvalue())
        f.flush()
        os.fsync(f.fileno())


def read_table(path: Path) -> tuple[dict[str, object], list[dict[str, str]]]:
    """(provenance, rows) of a table written by write_table; rows are dicts of strings, as in the file.

    The table is checked whole before anything is returned: a file cut short, with rows added, removed or changed,
    or a wrong header, raises TableError (never a part of the table).
    """
    path = Path(path)
    fix = (f"Re-run the study command that made it (`python -m helpers.lab ...`, the `command` line at the top "
           f"of the table), or restore the committed table with `git checkout -- {path}`.")
    if not path.is_file():
        raise TableError(f"No study table at {path}. Make it with `python -m helpers.lab` (see its --help), or "
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


def git_commit() -> str:
    """The commit the code is at, marked when helpers/ has uncommitted changes (a table records it)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "helpers"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return commit + (" (helpers/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def run_provenance(model_name: str, dtype: torch.dtype, command: str, commit: str, **settings_used: object) -> dict[str, object]:
    """The provenance lines every table starts with, then the study's own settings."""
    return {"command": command, "commit": commit, "model": model_name, "precision": str(dtype),
            "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "date": datetime.date.today().isoformat(), **settings_used}
