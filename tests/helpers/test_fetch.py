"""`python -m helpers.fetch`: photos, sets, a mirror folder, model weights, and failures that say what to do."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from helpers import fetch, models, photos

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_mirror_url(monkeypatch) -> None:
    """Downloads go where each test says, whatever the environment of the run."""
    monkeypatch.delenv("TRICKNETS_MIRROR_URL", raising=False)


@pytest.fixture
def tiny_mirror(tiny_source, monkeypatch, tmp_path: Path, isolated_cache: Path) -> tuple[Path, bytes]:
    """A mirror folder holding the tiny photo, listed in the manifest as 'tiny' (its URL is unreachable)."""
    src, data = tiny_source
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.png").write_bytes(data)
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    monkeypatch.setitem(photos.manifest(), "tiny", src)
    return mirror, data


@pytest.fixture
def tiny_source(tmp_path: Path) -> tuple[photos.ImageSource, bytes]:
    buf = tmp_path / "made.png"
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buf)
    data = buf.read_bytes()
    return photos.ImageSource(name="tiny", file="tiny.png", url=f"http://127.0.0.1:{_closed_port()}/tiny.png",
                              sha256=hashlib.sha256(data).hexdigest(), license="test"), data


def test_fetch_command_reports_failure_clearly(monkeypatch, isolated_cache: Path, capsys) -> None:
    src = photos.manifest()["dog"]
    monkeypatch.setitem(photos.manifest(), "dog", replace(src, url=f"http://127.0.0.1:{_closed_port()}/dog.jpg"))
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
    assert photos.local_path("tiny") == kit / "tiny.png"


def test_a_set_gets_a_progress_bar_and_a_summary(configured_mirror: Path, monkeypatch, tmp_path: Path,
                                                  isolated_cache: Path, capsys) -> None:
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    first = photos.sample_set()[:30]
    monkeypatch.setattr(photos, "sample_set", lambda name="imagenet-samples": first)  # where fetch reads it
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


def test_a_set_reports_each_failure_and_fetches_the_rest(configured_mirror: Path, monkeypatch, tmp_path: Path,
                                                         isolated_cache: Path, capsys) -> None:
    """One photo of a set that cannot be had (not in the mirror, its URL unreachable) fails alone."""
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    first = list(photos.sample_set()[:3])
    first[1] = replace(first[1], file="imagenet-samples/not-in-the-mirror.JPEG",
                       url=f"http://127.0.0.1:{_closed_port()}/x.JPEG")
    monkeypatch.setattr(photos, "sample_set", lambda name="imagenet-samples": tuple(first))
    assert fetch.main(["--set", "imagenet-samples", "--to", str(tmp_path / "kit"), "coffee"]) == 1
    captured = capsys.readouterr()
    assert f"{first[1].name}: FAILED" in captured.err and "imagenet-samples: 2 of 3 photos" in captured.out
    assert len(list((tmp_path / "kit" / "imagenet-samples").iterdir())) == 2


def test_fetch_command_downloads_from_the_mirror_url(tiny_source, local_http_server, monkeypatch,
                                                     isolated_cache: Path, capsys) -> None:
    """TRICKNETS_MIRROR_URL: the photos come from a room's web server, their own URLs never tried."""
    src, data = tiny_source
    base, served = local_http_server
    (served / "tiny.png").write_bytes(data)
    monkeypatch.setitem(photos.manifest(), "tiny", src)  # its own URL is a closed port
    monkeypatch.setenv("TRICKNETS_MIRROR_URL", base)
    assert fetch.main(["tiny"]) == 0
    assert (isolated_cache / "images" / "tiny.png").read_bytes() == data
    assert "photos: 1 of 1 photos sha256-checked" in capsys.readouterr().out


def test_fetching_photos_needs_no_torch() -> None:
    """helpers.fetch and helpers.photos import only the standard library (the photo layer is filled before torch)."""
    code = "import helpers.fetch, helpers.photos, sys; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_listing_and_fetching_from_a_mirror_work_without_torch(configured_mirror: Path, tmp_path: Path) -> None:
    """With torch, numpy and Pillow made unimportable, --list and a fetch from the mirror still work."""
    code = ("import sys\n"
            "for name in ('torch', 'torchvision', 'numpy', 'PIL'): sys.modules[name] = None  # import fails\n"
            "from helpers import fetch\n"
            "assert fetch.main(['--list']) == 0\n"
            f"sys.exit(fetch.main(['dog', 'chelsea', '--to', {str(tmp_path / 'kit')!r}]))\n")
    env = {**os.environ, "TRICKNETS_MIRROR": str(configured_mirror), "TRICKNETS_CACHE": str(tmp_path / "cache")}
    env.pop("TRICKNETS_MIRROR_URL", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "set imagenet-samples: 1000 photos" in done.stdout and "chelsea: ships with" in done.stdout
    assert (tmp_path / "kit" / photos.manifest()["dog"].file).is_file()
