"""helpers.studies: the study designs, the tables and their provenance, and the committed tables against the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import difficulty, images, studies
from helpers import imagenet_groups as groups
from helpers.difficulty import Goal, Outcome


def test_the_dog_targets_were_fixed_before_looking() -> None:
    targets = studies.dog_targets()
    assert targets == studies.dog_targets() and len(targets) == len(set(targets)) == 10
    assert targets[0] == 852  # the original's tennis ball
    forbidden = set(groups.class_ids("dogs")) | set(groups.class_ids("wolves, foxes and wild dogs"))
    assert not forbidden & set(targets)


def test_matching_pairs_each_dog_with_the_closest_unused_photo() -> None:
    confidence = {1: 0.9, 2: 0.5, 10: 0.89, 11: 0.52, 12: 0.99, 13: 0.2}
    assert studies.match_on_confidence([1, 2], [10, 11, 12, 13], confidence) == [10, 11]
    # two dogs wanting the same photo: it goes to one of them, the other gets the next closest
    both = studies.match_on_confidence([1, 1 + 100], [10, 12], {**confidence, 101: 0.9})
    assert sorted(both) == [10, 12]


def test_tables_keep_their_provenance(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    studies.write_table(path, {"model": "m", "grid": [0.25, 0.5], "n": 3}, [{"a": 1, "b": "x"}, {"a": 2, "b": ""}])
    provenance, rows = studies.read_table(path)
    assert provenance == {"model": "m", "grid": [0.25, 0.5], "n": 3}
    assert rows == [{"a": "1", "b": "x"}, {"a": "2", "b": ""}]
    assert not list(tmp_path.glob("*.partial"))


def test_levels_are_on_the_common_grid() -> None:
    assert studies.common_level(Outcome(0, 0.5, 3, 1, 0.6)) == difficulty.GRID_255.index(0.5)  # a targeted grid's 0
    assert studies.common_level(Outcome(-1, 0.0, 0, 1, 0.6)) == -1
    assert studies.common_level(Outcome(None, float("inf"), 30, 1, 0.1)) == ""


#: The tables the notebooks read: 04 the accuracy of Lite0 and Lite2, 05 the dog study on Lite0 and its Lite2 replication.
COMMITTED = [("accuracy", "efficientnet_lite0"), ("accuracy", "efficientnet_lite2"), ("dogs", "efficientnet_lite0"),
             ("dogs", "efficientnet_lite2")]


@pytest.mark.parametrize(("study", "model"), COMMITTED, ids=[f"{s}-{m}" for s, m in COMMITTED])
def test_the_committed_tables_are_complete(study: str, model: str) -> None:
    provenance, rows = studies.read_table(studies.table_path(study, model))
    assert provenance["model"] == model and provenance["precision"] == "torch.float64"
    assert "(helpers/ modified)" not in provenance["commit"]  # made from committed code
    if study == "dogs":
        photos = {r["photo"] for r in rows}
        assert len(photos) == provenance["photos"]["dog"] + provenance["photos"]["non-dog"]
        for task, per_photo in (("untargeted", 1), ("superclass", 1), ("targeted", 10)):
            assert sum(r["task"] == task for r in rows) == per_photo * len(photos)
    else:
        assert len(rows) == provenance["photos"] == studies.ACCURACY_PHOTOS


def test_a_committed_row_is_what_the_code_computes(lite0, configured_mirror: Path, monkeypatch) -> None:
    """The cheapest untargeted rows of the Lite0 dog table, attacked again here, give the same result."""
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    _, rows = studies.read_table(studies.table_path("dogs", "efficientnet_lite0"))
    cheap = sorted((r for r in rows if r["task"] == "untargeted"), key=lambda r: int(r["steps"]))[:2]
    for r in cheap:
        cid = int(r["class_id"])
        (o,) = difficulty.first_success(lite0, images.load(r["photo"]), [(0, Goal("untargeted", (cid,)))],
                                        grid_255=studies.GRIDS["untargeted"], steps_per_level=int(r["steps_per_level"]))
        assert (str(studies.common_level(o)), str(o.steps), str(o.top_class)) == (r["level"], r["steps"], r["top_class"])
        assert abs(o.goal_probability - float(r["goal_probability"])) < 1e-8
