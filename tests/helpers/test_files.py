from __future__ import annotations

from pathlib import Path

import pytest

from helpers import files


def test_an_atomic_write_replaces_the_file_only_when_its_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "table.csv"
    with files.atomic_write(target) as temporary:
        temporary.write_text("new")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text() == "new" and [p.name for p in target.parent.iterdir()] == ["table.csv"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_write(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("the disk is full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]
