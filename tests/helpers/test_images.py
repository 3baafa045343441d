"""helpers.images: names, sets, files of every awkward kind, and sha256-checked downloads."""

from __future__ import annotations

import hashlib
import socket
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import images, photos
from helpers.errors import ChecksumError, DownloadError, ImageLoadError, UnknownClassError, UnknownImageError

ROOT = Path(__file__).resolve().parents[2]


def _assert_pixels(x: torch.Tensor, size: int = 224) -> None:
    assert x.shape == (1, 3, size, size)
    assert x.dtype == torch.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0


# --- names ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(images.PACKAGED))
def test_packaged_photos_load_offline(name: str, isolated_cache: Path) -> None:
    x = images.load(name)
    _assert_pixels(x)
    assert float(x.std()) > 0.05  # a real photo, not a blank
    assert not isolated_cache.exists()  # nothing was downloaded


def test_manifest_names_have_sources_and_licences() -> None:
    entries = images.manifest()
    assert {"giant_panda", "dog", "dog_beagles", "cat"} <= set(entries)
    for src in entries.values():
        assert src.url.startswith("https://") and len(src.sha256) == 64 and src.license and src.attribution


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(UnknownImageError, match="giant_panda"):
        images.load("giant_pands")


def test_unknown_name_lists_known_names() -> None:
    with pytest.raises(UnknownImageError, match="Known names: .*chelsea"):
        images.load("zebra")


def test_the_imagenet_set_lists_one_photo_per_class() -> None:
    photos = images.sample_set("imagenet-samples")
    assert [p.class_id for p in photos] == list(range(1000))
    assert len({p.name for p in photos}) == 1000 and len({p.sha256 for p in photos}) == 1000
    for p in photos:
        assert p.file == f"imagenet-samples/{p.name}.JPEG" and len(p.sha256) == 64
        assert p.url.startswith("https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e")
    assert "giant_panda" in images.imagenet_sample(388) and "tennis_ball" in images.imagenet_sample(852)
    assert images.source(images.imagenet_sample(263)).class_id == 263
    with pytest.raises(UnknownClassError, match="0 to 999"):
        images.imagenet_sample(1000)
    with pytest.raises(UnknownImageError, match="imagenet-samples"):
        images.sample_set("imagenet-21k")


def test_black_image() -> None:
    x = images.black()
    _assert_pixels(x)
    assert float(x.abs().max()) == 0.0


# --- files of every kind -------------------------------------------------------------
def _gradient(mode_size: tuple[int, int] = (300, 200)) -> np.ndarray:
    w, h = mode_size
    return np.tile(np.linspace(0, 1, w), (h, 1))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="No file at"):
        images.load(tmp_path / "nope.jpg")


def test_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="is a folder"):
        images.load(tmp_path)


def test_non_image_file(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("this is not a picture")
    with pytest.raises(ImageLoadError, match="not an image"):
        images.load(f)


def test_truncated_jpeg(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    Image.fromarray((np.random.default_rng(0).random((200, 300, 3)) * 255).astype(np.uint8)).save(good, quality=95)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    with pytest.raises(ImageLoadError, match="could not be decoded"):
        images.load(bad)


def test_grayscale_becomes_rgb(tmp_path: Path) -> None:
    f = tmp_path / "gray.png"
    Image.fromarray((_gradient() * 255).astype(np.uint8), mode="L").save(f)
    x = images.load(f)
    _assert_pixels(x)
    assert torch.equal(x[:, 0], x[:, 1]) and torch.equal(x[:, 1], x[:, 2])


def test_rgba_is_composited_on_white(tmp_path: Path) -> None:
    f = tmp_path / "rgba.png"
    rgba = np.zeros((200, 300, 4), np.uint8)
    rgba[..., 0] = 255  # red, but fully transparent
    Image.fromarray(rgba, mode="RGBA").save(f)
    x = images.load(f)
    _assert_pixels(x)
    assert float(x.min()) > 0.99  # transparent -> white background, not red or black


def test_cmyk_jpeg(tmp_path: Path) -> None:
    f = tmp_path / "cmyk.jpg"
    Image.new("RGB", (300, 200), (200, 30, 30)).convert("CMYK").save(f)
    x = images.load(f)
    _assert_pixels(x)
    r, g, b = (float(x[0, c].mean()) for c in range(3))
    assert r > 0.6 and g < 0.3 and b < 0.3  # still red


def test_16_bit_grayscale_png(tmp_path: Path) -> None:
    deep, flat = tmp_path / "deep.png", tmp_path / "flat.png"
    Image.fromarray((_gradient() * 65535).astype(np.uint16)).save(deep)
    Image.fromarray((_gradient() * 255).round().astype(np.uint8), mode="L").save(flat)
    assert Image.open(deep).mode.startswith("I")  # really a 16-bit file
    x = images.load(deep)
    _assert_pixels(x)
    # the same picture as its 8-bit version: scaled, not clipped to white or wrapped around
    assert float((x - images.load(flat)).abs().max()) <= 2 / 255


def test_palette_png(tmp_path: Path) -> None:
    f = tmp_path / "palette.png"
    Image.new("RGB", (300, 200), (10, 200, 10)).convert("P").save(f)
    _assert_pixels(images.load(f))


def test_custom_size(tmp_path: Path) -> None:
    _assert_pixels(images.load("coffee", size=96), size=96)


# --- mirror, cache and downloads (helpers.photos; its own tests are in test_photos.py) ---------
def test_packaged_names_are_the_ones_photos_skips() -> None:
    """helpers.photos (no Pillow) and helpers.images agree on which names ship with an installed package."""
    assert set(images.PACKAGED) == set(photos.PACKAGED_NAMES)
    assert not set(images.PACKAGED) & set(photos.manifest())


def test_images_and_photos_share_one_manifest() -> None:
    assert images.manifest is photos.manifest and images.local_path is photos.local_path
    assert images.available() == sorted(photos.PACKAGED_NAMES) + sorted(photos.manifest())


@pytest.fixture
def tiny_source(tmp_path: Path) -> tuple[images.ImageSource, bytes]:
    """A fake manifest entry for a small PNG made on the spot."""
    buf = tmp_path / "tiny.png"
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buf)
    data = buf.read_bytes()
    src = images.ImageSource(name="tiny", file="tiny.png", url=f"http://127.0.0.1:{_closed_port()}/tiny.png",
                             sha256=hashlib.sha256(data).hexdigest(), license="test", photo_license="test",
                             attribution="made by the test")
    return src, data


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_manifest_photo_without_mirror(monkeypatch, isolated_cache: Path) -> None:
    """The real code path for a named photo: no mirror, no cache, no network -> a clear DownloadError."""
    monkeypatch.delenv("TRICKNETS_MIRROR_URL", raising=False)
    src = photos.manifest()["giant_panda"]
    monkeypatch.setitem(photos.manifest(), "giant_panda",
                        replace(src, url=f"http://127.0.0.1:{_closed_port()}/img.jpg"))
    with pytest.raises(DownloadError, match="TRICKNETS_MIRROR"):
        images.load("giant_panda")
    assert not (isolated_cache / "images" / src.file).exists()


def test_mirror_is_read_first_and_checked(tiny_source, monkeypatch, tmp_path: Path, isolated_cache: Path) -> None:
    src, data = tiny_source
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.png").write_bytes(data)
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    monkeypatch.setitem(photos.manifest(), "tiny", src)  # its URL is unreachable: only the mirror can serve it
    _assert_pixels(images.load("tiny"))
    (mirror / "tiny.png").write_bytes(data + b"x")
    with pytest.raises(ChecksumError, match="TRICKNETS_MIRROR"):
        images.load("tiny")


def test_a_downloaded_photo_loads(tiny_source, local_http_server, monkeypatch, isolated_cache: Path) -> None:
    """A listed photo in neither mirror nor cache is downloaded (sha256-checked) and decoded."""
    src, data = tiny_source
    base, served = local_http_server
    (served / "tiny.png").write_bytes(data)
    monkeypatch.delenv("TRICKNETS_MIRROR_URL", raising=False)
    monkeypatch.setitem(photos.manifest(), "tiny", replace(src, url=f"{base}/tiny.png"))
    x = images.load("tiny")
    _assert_pixels(x)
    assert (isolated_cache / "images" / "tiny.png").read_bytes() == data
    assert torch.equal(x, images.load(isolated_cache / "images" / "tiny.png"))


def test_the_mirror_serves_every_series_photo(configured_mirror: Path, monkeypatch, isolated_cache: Path) -> None:
    """Every photo in data/images.json is served, sha256-verified, from the configured mirror."""
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    for name in images.manifest():
        assert images.local_path(name).parent == configured_mirror
        _assert_pixels(images.load(name))
    assert not isolated_cache.exists()


def test_load_many_equals_loading_one_by_one(configured_mirror: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRICKNETS_MIRROR", str(configured_mirror))
    names = [images.imagenet_sample(c) for c in (1, 151, 388, 852)] + ["coffee"]
    batch = images.load_many(names)
    assert batch.shape == (5, 3, 224, 224)
    assert torch.equal(batch, torch.cat([images.load(n) for n in names]))
    assert images.load_many([]).shape == (0, 3, 224, 224)
