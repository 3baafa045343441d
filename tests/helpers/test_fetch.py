"""`python -m helpers.fetch`: photos, sets, a mirror folder, model weights, and failures that say what to do."""

from __future__ import annotations

import hashlib
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from helpers import fetch, images, models


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tiny_mirror(tiny_source, monkeypatch, tmp_path: Path, isolated_cache: Path) -> tuple[Path, bytes]:
    """A mirror folder holding the tiny photo, listed in the manifest as 'tiny' (its URL is unreachable)."""
    src, data = tiny_source
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.png").write_bytes(data)
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    monkeypatch.setitem(images.manifest(), "tiny", src)
    return mirror, data


@pytest.fixture
def tiny_source(tmp_path: Path) -> tuple[images.ImageSource, bytes]:
    buf = tmp_path / "made.png"
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buf)
    data = buf.read_bytes()
    return images.ImageSource(name="tiny", file="tiny.png", url=f"http://127.0.0.1:{_closed_port()}/tiny.png",
                              sha256=hashlib.sha256(data).hexdigest(), license="test"), data


def test_fetch_command_reports_failure_clearly(monkeypatch, isolated_cache: Path, capsys) -> None:
    src = images.manifest()["dog"]
    monkeypatch.setitem(images.manifest(), "dog", replace(src, url=f"http://127.0.0.1:{_closed_port()}/dog.jpg"))
    assert fetch.main(["dog"]) == 1
    err = capsys.readouterr().err
    assert "dog: FAILED" in err and "TRICKNETS_MIRROR" in err


def test_fetch_command_uses_mirror(tiny_mirror, capsys) -> None:
    mirror, _ = tiny_mirror
    assert fetch.main(["tiny", "chelsea"]) == 0
    out = capsys.readouterr().out
    assert str(mirror / "tiny.png") in out and "chelsea: ships with" in out


def test_unknown_names_fail_with_close_matches(isolated_cache: Path, capsys) -> None:
    assert fetch.main(["pandaa", "chelsea"]) == 1
    captured = capsys.readouterr()
    assert "pandaa: FAILED - No image called 'pandaa'. Did you mean 'giant_panda'?" in captured.err
    assert "chelsea: ships with" in captured.out


def test_to_folder_writes_a_mirror_that_serves_the_notebooks(tiny_mirror, monkeypatch, tmp_path: Path, capsys) -> None:
    _, data = tiny_mirror
    kit = tmp_path / "kit"
    assert fetch.main(["tiny", "--to", str(kit)]) == 0
    assert (kit / "tiny.png").read_bytes() == data and str(kit / "tiny.png") in capsys.readouterr().out
    monkeypatch.setenv("TRICKNETS_MIRROR", str(kit))  # the folder written is a mirror itself
    assert images.local_path("tiny") == kit / "tiny.png"


def test_a_set_gets_a_progress_bar_and_a_summary(configured_mirror: Path, monkeypatch, tmp_path: Path,
                                                  isolated_cache: Path, capsys) -> None:
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    first = images.sample_set()[:30]
    monkeypatch.setattr(images, "sample_set", lambda name="imagenet-samples": first)
    monkeypatch.setenv("TRICKNETS_PROGRESS", "1")
    assert fetch.main(["--set", "imagenet-samples", "--to", str(tmp_path / "kit"), "coffee"]) == 0
    captured = capsys.readouterr()
    assert "imagenet-samples: 30 of 30 photos sha256-checked in" in captured.out
    assert "imagenet-samples" in captured.err and "30/30" in captured.err  # the tqdm bar
    assert len(list((tmp_path / "kit" / "imagenet-samples").iterdir())) == 30


def test_models_report_their_real_path_or_a_clear_skip(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    name = models.GOOGLENET_URL.rsplit("/", 1)[-1]
    monkeypatch.setattr(models, "GOOGLENET_URL", f"http://127.0.0.1:{_closed_port()}/{name}")
    assert fetch.main(["chelsea", "--models", "googlenet"]) == 1
    assert "googlenet: FAILED" in capsys.readouterr().err
    assert fetch.main(["chelsea", "--models", "googlenet", "--if-reachable"]) == 0
    assert "googlenet: skipped, its weights could not be downloaded now" in capsys.readouterr().out
