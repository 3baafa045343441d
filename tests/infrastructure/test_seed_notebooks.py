"""docker/seed_notebooks.py: lessons copied into a learner's folder at every start, never over their own edits."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("seed_notebooks", ROOT / "docker" / "seed_notebooks.py")
seed_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed_notebooks)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    lessons, work = tmp_path / "lessons", tmp_path / "work"
    lessons.mkdir()
    work.mkdir()
    (lessons / "01_a.ipynb").write_text('{"v": 1}')
    (lessons / "02_b.ipynb").write_text('{"v": 1}')
    return lessons, work


def test_a_first_start_copies_every_lesson(folders) -> None:
    lessons, work = folders
    assert seed_notebooks.seed(lessons, work) == ["copied 01_a.ipynb", "copied 02_b.ipynb"]
    assert (work / "01_a.ipynb").read_text() == '{"v": 1}'
    assert seed_notebooks.seed(lessons, work) == []  # nothing to do the second time
    assert set(json.loads((work / seed_notebooks.RECORD).read_text())) == {"01_a.ipynb", "02_b.ipynb"}


def test_a_new_lesson_version_replaces_an_unchanged_copy_and_sits_beside_an_edited_one(folders) -> None:
    lessons, work = folders
    seed_notebooks.seed(lessons, work)
    (work / "02_b.ipynb").write_text('{"v": 1, "mine": true}')  # the learner's edit
    (lessons / "01_a.ipynb").write_text('{"v": 2}')               # a rebuilt image brings new lessons
    (lessons / "02_b.ipynb").write_text('{"v": 2}')
    changes = seed_notebooks.seed(lessons, work)
    assert changes == ["updated 01_a.ipynb (you had not changed it)",
                       "kept your 02_b.ipynb; its new version is 02_b.updated.ipynb"]
    assert (work / "01_a.ipynb").read_text() == '{"v": 2}'
    assert (work / "02_b.ipynb").read_text() == '{"v": 1, "mine": true}'  # never overwritten
    assert (work / "02_b.updated.ipynb").read_text() == '{"v": 2}'
    assert seed_notebooks.seed(lessons, work) == []  # stable: no new copies on the next start
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".partial")) == []


def test_a_deleted_lesson_comes_back_and_other_files_are_left_alone(folders) -> None:
    lessons, work = folders
    seed_notebooks.seed(lessons, work)
    (work / "01_a.ipynb").unlink()
    (work / "my_notes.ipynb").write_text("{}")
    assert seed_notebooks.seed(lessons, work) == ["copied 01_a.ipynb"]
    assert (work / "my_notes.ipynb").read_text() == "{}"
