"""Copy the lesson notebooks into a learner's work folder, at every start, without ever overwriting their work.

    python docker/seed_notebooks.py LESSONS WORK

* A lesson missing from WORK is copied in.
* A copy the learner has not changed since it was copied (its sha256 is the one recorded in
  WORK/.tricknets-notebooks.json) is replaced by the lesson's current version: a rebuilt image reaches
  returning learners.
* A copy the learner has changed is kept as it is; when the lesson itself has changed, its new version is
  put beside it as NAME.updated.ipynb.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from helpers.files import copy_atomically, sha256_of as sha256  # light: no torch (PYTHONPATH=/opt/tricknets)

RECORD = ".tricknets-notebooks.json"


def seed(lessons: Path, work: Path) -> list[str]:
    """Bring WORK up to date with LESSONS; returns one line per change."""
    record_path = work / RECORD
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    changes = []
    for lesson in sorted(lessons.glob("*.ipynb")):
        target, current = work / lesson.name, sha256(lesson)
        if not target.exists():
            copy_atomically(lesson, target)
            changes.append(f"copied {lesson.name}")
        elif sha256(target) == current:
            pass
        elif sha256(target) == record.get(lesson.name):
            copy_atomically(lesson, target)
            changes.append(f"updated {lesson.name} (you had not changed it)")
        else:
            updated = target.with_name(f"{target.stem}.updated.ipynb")
            if not updated.exists() or sha256(updated) != current:
                copy_atomically(lesson, updated)
                changes.append(f"kept your {lesson.name}; its new version is {updated.name}")
            continue  # the record keeps the version the learner started from
        record[lesson.name] = current
    handle, temporary = tempfile.mkstemp(dir=work, prefix=".seeding-")
    with os.fdopen(handle, "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    os.replace(temporary, record_path)
    return changes


if __name__ == "__main__":
    lessons_dir, work_dir = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        for line in seed(lessons_dir, work_dir):
            print(f"tricknets: {line}")
    except OSError as exc:
        sys.exit(f"tricknets: could not copy the notebooks into {work_dir} ({exc}); is the folder writable?")
