"""helpers.lab: the study designs, the tables and their provenance, and the committed tables against the code."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from helpers import files, images, models, studies
from helpers import imagenet_groups as groups
from helpers.lab import design, difficulty, dogs, runner, tables, transfer
from helpers.lab.__main__ import main as lab_main
from helpers.lab.difficulty import Goal, Outcome
from helpers.errors import ParameterError, TableError


def test_the_dog_targets_were_fixed_before_looking() -> None:
    targets = design.dog_targets()
    assert targets == design.dog_targets() and len(targets) == len(set(targets)) == 10
    assert targets[0] == 852  # the original's tennis ball
    forbidden = set(groups.class_ids("dogs")) | set(groups.class_ids("wolves, foxes and wild dogs"))
    assert not forbidden & set(targets)


def test_matching_pairs_each_dog_with_the_closest_unused_photo() -> None:
    confidence = {1: 0.9, 2: 0.5, 10: 0.89, 11: 0.52, 12: 0.99, 13: 0.2}
    assert design.match_on_confidence([1, 2], [10, 11, 12, 13], confidence) == [10, 11]
    # two dogs wanting the same photo: it goes to one of them, the other gets the next closest
    both = design.match_on_confidence([1, 1 + 100], [10, 12], {**confidence, 101: 0.9})
    assert sorted(both) == [10, 12]


def test_tables_keep_their_provenance(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    tables.write_table(path, {"model": "m", "grid": [0.25, 0.5], "n": 3}, [{"a": 1, "b": "x"}, {"a": 2, "b": ""}])
    provenance, rows = tables.read_table(path)
    checks = {k: provenance.pop(k) for k in tables.CHECK_KEYS}
    assert provenance == {"model": "m", "grid": [0.25, 0.5], "n": 3}
    assert checks["rows"] == 2 and len(checks["rows_sha256"]) == 64  # added by write_table, last
    assert rows == [{"a": "1", "b": "x"}, {"a": "2", "b": ""}]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def _table(tmp_path: Path) -> Path:
    """A small table, with values that need CSV quoting, written by write_table."""
    path = tmp_path / "dogs_test.csv"
    rows = [{"photo": f"p{i}", "class_id": i, "note": "a, b" if i == 2 else 'say "hi"', "level": i % 3}
            for i in range(5)]
    tables.write_table(path, {"command": "python -m helpers.lab dogs --model test", "model": "test"}, rows)
    return path


def _edit(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines(keepends=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(change(lines)))


def _data_start(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if not line.startswith("#"))


def _assert_refused(path: Path, match: str) -> None:
    with pytest.raises(TableError, match=match) as info:
        tables.read_table(path)
    message = str(info.value)
    assert str(path) in message and "python -m helpers.lab" in message and f"git checkout -- {path}" in message


def test_a_table_cut_short_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path)
    _edit(path, lambda lines: lines[:-2])  # the last two rows lost
    _assert_refused(path, "has 3 data rows where its provenance records 5: it is cut short")
    path = _table(tmp_path)
    with open(path, "rb+") as f:  # cut in the middle of a row, as a killed writer or a full disk would
        f.truncate(path.stat().st_size - 7)
    _assert_refused(path, "data row 5 has 3 values where its header has 4 columns")
    path = _table(tmp_path)
    _edit(path, lambda lines: lines[:_data_start(lines)])  # nothing but the provenance
    _assert_refused(path, "no header line")


def test_a_table_with_rows_added_or_removed_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path)
    _edit(path, lambda lines: [*lines, lines[-1]])  # a row repeated
    _assert_refused(path, "has 6 data rows where its provenance records 5")
    path = _table(tmp_path)
    _edit(path, lambda lines: [line for i, line in enumerate(lines) if i != _data_start(lines) + 2])
    _assert_refused(path, "has 4 data rows")


def test_an_altered_row_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path)
    _edit(path, lambda lines: [line.replace("p3,3", "p3,4") for line in lines])
    _assert_refused(path, "not the table that was written")
    path = _table(tmp_path)  # two rows swapped: the same rows, in another order
    _edit(path, lambda lines: [*lines[:-2], lines[-1], lines[-2]])
    _assert_refused(path, "not the table that was written")


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path)
    _edit(path, lambda lines: [line.replace("class_id", "class") if line.startswith("photo,") else line
                               for line in lines])
    _assert_refused(path, "not the table that was written")
    path = _table(tmp_path)
    _edit(path, lambda lines: [line.replace("photo,class_id", "photo,photo") for line in lines])
    _assert_refused(path, "damaged header")


def test_damaged_or_unchecked_provenance_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path)
    _edit(path, lambda lines: [line.replace('"test"', '"test') for line in lines])  # JSON cut short
    _assert_refused(path, "line 2 is not a `# key: value` provenance line")
    path = _table(tmp_path)
    _edit(path, lambda lines: [line for line in lines if not line.startswith("# rows_sha256:")])
    _assert_refused(path, "records no rows_sha256")
    path = _table(tmp_path)
    _edit(path, lambda lines: [line.replace("# rows: 5", '# rows: "5"') for line in lines])
    _assert_refused(path, "provenance records '5'")
    path.write_bytes(b"\xff\xfe not UTF-8")
    _assert_refused(path, "cannot be read")


def test_a_missing_table_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="No study table at .*python -m helpers.lab"):
        tables.read_table(tmp_path / "nope.csv")


def test_line_endings_do_not_matter(tmp_path: Path) -> None:
    """A checkout that rewrites line endings (git's autocrlf) changes no value, so the table still reads."""
    path = _table(tmp_path)
    _, rows = tables.read_table(path)
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    assert tables.read_table(path)[1] == rows
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert tables.read_table(path)[1] == rows
    assert rows[2]["note"] == "a, b" and rows[0]["note"] == 'say "hi"'


def test_writing_is_atomic(tmp_path: Path, monkeypatch) -> None:
    """A write that fails half-way leaves the old table as it was and no temporary file."""
    path = _table(tmp_path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)  # tables.write_table writes through files.atomic_write
    with pytest.raises(OSError, match="No space"):
        tables.write_table(path, {"model": "new"}, [{"a": 1}])
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]
    with pytest.raises(ParameterError, match="at least one row"):
        tables.write_table(tmp_path / "empty.csv", {"model": "m"}, [])
    with pytest.raises(ParameterError, match="provenance key"):
        tables.write_table(tmp_path / "bad.csv", {"a: b": 1}, [{"a": 1}])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_rewriting_a_table_gives_the_same_checks(tmp_path: Path) -> None:
    """read_table then write_table: the checks are recomputed, not copied (and the same when nothing changed)."""
    path = _table(tmp_path)
    provenance, rows = tables.read_table(path)
    tables.write_table(tmp_path / "again.csv", provenance, rows)
    assert (tmp_path / "again.csv").read_bytes() == path.read_bytes()
    tables.write_table(tmp_path / "fewer.csv", provenance, rows[:2])
    assert tables.read_table(tmp_path / "fewer.csv")[0]["rows"] == 2


def test_levels_are_on_the_common_grid() -> None:
    assert design.common_level(Outcome(0, 0.5, 3, 1, 0.6)) == difficulty.GRID_255.index(0.5)  # a targeted grid's 0
    assert design.common_level(Outcome(-1, 0.0, 0, 1, 0.6)) == -1
    assert design.common_level(Outcome(None, float("inf"), 30, 1, 0.1)) == ""


#: The tables the notebooks read: 04 the accuracy of Lite0 and Lite2 and the transfer study, 05 the dog study on Lite0.
COMMITTED = [("accuracy", "efficientnet_lite0"), ("accuracy", "efficientnet_lite2"), ("dogs", "efficientnet_lite0"),
             ("transfer", "efficientnet_lite0")]


@pytest.mark.parametrize(("study", "model"), COMMITTED, ids=[f"{s}-{m}" for s, m in COMMITTED])
def test_the_committed_tables_are_complete(study: str, model: str) -> None:
    provenance, rows = tables.read_table(tables.table_path(study, model))  # checked: rows and sha256
    assert provenance["model"] == model and provenance["precision"] == "torch.float64"
    assert provenance["rows"] == len(rows) and rows
    assert "(helpers/ modified)" not in provenance["commit"]  # made from committed code
    if study == "dogs":
        photos = {r["photo"] for r in rows}
        assert len(photos) == sum(provenance["photos"].values()) == 3 * provenance["photos"]["dog"]
        for task, per_photo in (("untargeted", 1), ("superclass", 1), ("targeted", 10)):
            assert sum(r["task"] == task for r in rows) == per_photo * len(photos)
        assert provenance["steps_per_level"] == design.STEPS and provenance["targets"] == design.dog_targets()
        check = [r for r in rows if r["task"] == "targeted-check"]
        assert len(check) == round(design.CHECK_SHARE * 10 * len(photos))
        assert {r["steps_per_level"] for r in check} == {str(design.CHECK_STEPS)}
        for group, superclasses in design.COMPARISONS.items():  # each comparison photo from its group's superclasses
            assert {r["superclass"] for r in rows if r["group"] == group} <= set(superclasses)
        assert {r["superclass"] for r in rows if r["group"] == "dog"} == {"dogs"}
    elif study == "transfer":
        photos = design.accuracy_photos()
        assert [int(r["class_id"]) for r in rows] == photos and len(rows) == provenance["photos"]
        assert [int(r["target"]) for r in rows] == design.transfer_targets(photos)
        assert provenance["networks"] == list(design.TRANSFER_NETWORKS)
        assert provenance["budgets_255"] == list(design.TRANSFER_BUDGETS_255)
        assert provenance["steps"] == design.TRANSFER_STEPS
        versions = ["clean"] + [f"{kind}_{b}" for b in design.TRANSFER_BUDGETS_255 for kind in transfer.KINDS]
        assert list(rows[0]) == ["photo", "class_id", "target"] + [
            f"{v}_{transfer.short(n)}" for v in versions for n in design.TRANSFER_NETWORKS]
    else:
        assert len(rows) == provenance["photos"] == design.ACCURACY_PHOTOS


def test_each_photo_s_transfer_target_is_another_class_drawn_with_a_seed() -> None:
    photos = design.accuracy_photos()
    targets = design.transfer_targets(photos)
    assert targets == design.transfer_targets(photos) and len(targets) == len(photos)
    assert all(0 <= t < 1000 and t != c for c, t in zip(photos, targets))
    assert len(set(targets)) > 200  # drawn, not one class for all
    assert design.transfer_targets([0, 999]) != design.transfer_targets([999, 0])  # drawn in the order given


def test_the_noise_control_is_plus_or_minus_one_per_value_and_the_same_in_any_batch() -> None:
    a, b = transfer.noise_sign(7), transfer.noise_sign(8)
    assert set(a.unique().tolist()) == {-1, 1} and a.shape == (1, 3, 224, 224)
    assert torch.equal(a, transfer.noise_sign(7)) and not torch.equal(a, b)
    assert 0.45 < float((a == 1).double().mean()) < 0.55


def test_a_committed_transfer_row_s_clean_and_noise_columns_are_what_the_code_computes(
        lite0, configured_mirror: Path, monkeypatch) -> None:
    """The cheap part of a transfer row (no attack): every network's top class, clean and under the noise."""
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    _, rows = tables.read_table(tables.table_path("transfer", "efficientnet_lite0"))
    row = rows[0]
    networks = {"efficientnet_lite0": lite0, "efficientnet_lite1": models.load("efficientnet_lite1")}
    x = images.load(row["photo"]).to(lite0.dtype)
    for budget in design.TRANSFER_BUDGETS_255:
        noisy = (x + budget / 255 * transfer.noise_sign(int(row["class_id"])).to(x.dtype)).clamp(0, 1)
        for name, network in networks.items():
            with torch.no_grad():
                assert int(network(x).argmax()) == int(row[f"clean_{transfer.short(name)}"])
                assert int(network(noisy).argmax()) == int(row[f"noise_{budget}_{transfer.short(name)}"])


def _square_in_a_process(items: list[int], threads: int, progress: bool) -> tuple[list[int], int]:
    return [i * i for i in items], runner.peak_memory_mb()


def test_work_split_over_processes_comes_back_in_order() -> None:
    items = list(range(7))
    for workers in (1, 2):
        results, peaks = runner.split_over_processes(_square_in_a_process, items, workers, progress=False)
        assert results == [i * i for i in items] and len(peaks) == workers and all(p > 0 for p in peaks)


def test_a_committed_row_is_what_the_code_computes(lite0, configured_mirror: Path, monkeypatch) -> None:
    """The cheapest untargeted rows of the Lite0 dog table, attacked again here, give the same result."""
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    _, rows = tables.read_table(tables.table_path("dogs", "efficientnet_lite0"))
    cheap = sorted((r for r in rows if r["task"] == "untargeted"), key=lambda r: int(r["steps"]))[:2]
    for r in cheap:
        cid = int(r["class_id"])
        (o,) = difficulty.first_success(lite0, images.load(r["photo"]), [(0, Goal("untargeted", (cid,)))],
                                        grid_255=design.GRIDS["untargeted"], steps_per_level=int(r["steps_per_level"]))
        assert (str(design.common_level(o)), str(o.steps), str(o.top_class)) == (r["level"], r["steps"], r["top_class"])
        assert abs(o.goal_probability - float(r["goal_probability"])) < 1e-8


def _clean_for(correct_ids: list[int]) -> torch.Tensor:
    """Clean 'probabilities' in which exactly the given photos are classified correctly, with varied confidence."""
    clean = torch.full((1000, 1000), 0.5 / 999, dtype=torch.float64)
    for c in range(1000):
        clean[c, (c + 1) % 1000] = 0.5  # wrong: a neighbour on top
    for c in correct_ids:
        p = 0.5 + 0.49 * ((c * 37) % 100) / 100
        clean[c] = (1 - p) / 999
        clean[c, c] = p
    return clean


def test_the_photos_are_sampled_then_matched_within_each_comparison_group() -> None:
    clean = _clean_for([c for c in range(1000) if c % 3])  # two thirds of the photos right
    targets = design.dog_targets()
    chosen = dogs.choose_photos(clean, targets, dog_sample=20)
    assert chosen == dogs.choose_photos(clean, targets, dog_sample=20)  # seeded
    assert len(chosen["dog"]) == 20 and all(groups.group_of(c) == "dogs" and c % 3 for c in chosen["dog"])
    for group, superclasses in design.COMPARISONS.items():
        assert len(chosen[group]) == len(set(chosen[group])) == 20  # one photo per dog, none used twice
        assert all(groups.group_of(c) in superclasses and c % 3 and c not in targets for c in chosen[group])
    assert "wolves, foxes and wild dogs" not in design.COMPARISONS["animal"]
    every = dogs.choose_photos(clean, targets, dog_sample=None)["dog"]
    assert every == [c for c in groups.class_ids("dogs") if c % 3]


def test_a_target_s_clean_rank_counts_the_classes_above_it() -> None:
    p = torch.tensor([0.1, 0.5, 0.3, 0.1], dtype=torch.float64)
    assert [dogs.clean_rank(p, c) for c in range(4)] == [3, 1, 2, 3]  # ties share the better rank


def test_the_lab_command_refuses_bad_options(capsys) -> None:
    for argv in (["dogs", "--workers", "0"], ["dogs", "--dog-sample", "1"], ["nope"],
                 ["transfer", "--model", "efficientnet_lite2"]):
        with pytest.raises(SystemExit) as info:
            lab_main(argv)
        assert info.value.code == 2
    assert studies.main is lab_main  # the former name runs the same command
