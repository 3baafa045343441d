"""Photos as 1 x 3 x 224 x 224 tensors with pixel values in [0, 1].

Attacks change pixels by multiples of 1/255, so every image is kept in that plain pixel
space (the models normalise internally). Named photos come from two places:
  * photos that installed packages ship (work offline with no download at all);
  * photos listed in data/images.json, fetched by URL with their sha256 checked, read
    first from the folder named by TRICKNETS_MIRROR, else from the download cache.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.error import URLError

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torchvision.transforms import v2 as T

from . import settings
from .errors import ChecksumError, DownloadError, ImageLoadError, InvalidInputError, UnknownImageError

IMAGE_SIZE = 224
MANIFEST = Path(__file__).resolve().parent.parent / "data" / "images.json"


@dataclass(frozen=True)
class ImageSource:
    """Where a downloadable photo comes from, and the facts needed to credit and verify it."""

    name: str
    file: str
    url: str
    sha256: str
    license: str
    photo_license: str
    attribution: str


@lru_cache(maxsize=1)
def manifest() -> dict[str, ImageSource]:
    """The downloadable photos, by name, from data/images.json."""
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["images"]
    fields = ImageSource.__dataclass_fields__
    return {e["name"]: ImageSource(**{k: e[k] for k in fields}) for e in entries}


def _skimage(name: str) -> Callable[[], Image.Image]:
    def read() -> Image.Image:
        from skimage import data

        return Image.fromarray(getattr(data, name)())

    return read


def _grace_hopper() -> Image.Image:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return Image.open(f).copy()


#: Photos that installed packages ship: always available, no download.
PACKAGED: dict[str, Callable[[], Image.Image]] = {
    "chelsea": _skimage("chelsea"),  # scikit-image's tabby cat
    "coffee": _skimage("coffee"),  # scikit-image's cup of coffee
    "grace_hopper": _grace_hopper,  # matplotlib's portrait of Rear Admiral Grace Hopper
}


def available() -> list[str]:
    """Every image name load() accepts."""
    return sorted(PACKAGED) + sorted(manifest())


# --- checked downloads -----------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(source: ImageSource, destination: Path) -> Path:
    """Download with the sha256 checked; on any failure nothing is left at `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Writes to a temporary file beside `destination`, moves it in place only when the hash matches,
        # and deletes the temporary file otherwise.
        torch.hub.download_url_to_file(
            source.url, str(destination), hash_prefix=source.sha256, progress=settings.progress_enabled()
        )
    except RuntimeError as exc:
        if "invalid hash" not in str(exc):
            raise
        raise ChecksumError(
            f"The file downloaded for {source.name!r} from {source.url} does not have the sha256 recorded in "
            f"data/images.json ({source.sha256}); it was discarded. The URL may now serve another file: "
            f"place the right {source.file} in a folder and point {settings.MIRROR_VAR} at it."
        ) from exc
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"Could not download {source.name!r} from {source.url} ({reason}). If you are offline, copy "
            f"{source.file} (sha256 {source.sha256[:12]}...) into a folder and set {settings.MIRROR_VAR} "
            "to that folder, or run `python -m helpers.fetch` once while online."
        ) from exc
    return destination


def local_path(name: str) -> Path:
    """A verified local copy of a manifest photo: mirror first, then cache, then download into the cache."""
    source = manifest()[name]
    mirror = settings.mirror_dir()
    if mirror is not None and (mirror / source.file).is_file():
        candidate = mirror / source.file
        if sha256_of(candidate) != source.sha256:
            raise ChecksumError(
                f"{candidate} (from {settings.MIRROR_VAR}) does not have the sha256 recorded in data/images.json "
                f"({source.sha256}); replace it with the file from {source.url}."
            )
        return candidate
    cached = settings.cache_dir() / "images" / source.file
    if cached.is_file():
        if sha256_of(cached) == source.sha256:
            return cached
        cached.unlink()  # a damaged cache entry is dropped and fetched again, never used
    return download(source, cached)


# --- decoding --------------------------------------------------------------------------
def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode (grayscale, palette, RGBA, CMYK, 16-bit) as 8-bit RGB, transparency over white."""
    if img.mode in {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}:
        arr = np.asarray(img, dtype=np.float64)
        top = 1.0 if img.mode == "F" and arr.max(initial=0) <= 1.0 else (255.0 if arr.max(initial=0) <= 255 else 65535.0)
        img = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8), mode="L")
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in {"RGBA", "LA", "RGBa", "La"}:
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return img.convert("RGB")


def open_image(path: str | os.PathLike) -> Image.Image:
    """Open and fully decode a file, turning every failure into an ImageLoadError that says what to do."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ImageLoadError(f"No file at {p}. Check the path, or use a name from helpers.images.available().")
    if p.is_dir():
        raise ImageLoadError(f"{p} is a folder; pass the path of an image file inside it.")
    try:
        with Image.open(p) as img:
            img.load()  # decode now, so a truncated file fails here and not later
            return ImageOps.exif_transpose(img)
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{p} is not an image Pillow can read (JPEG, PNG, ...); pick an image file.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageLoadError(f"{p} looks like an image but could not be decoded ({exc}); the file may be "
                             "truncated or damaged: download it again.") from exc


def to_tensor(img: Image.Image, size: int = IMAGE_SIZE) -> torch.Tensor:
    """Resize (shorter side to size*256/224), centre-crop to size x size, scale to [0, 1]: the ImageNet convention."""
    prepare = T.Compose([
        T.Resize(round(size * 256 / 224), antialias=True),  # on the PIL image, as torchvision's references do
        T.CenterCrop(size),
        T.ToImage(),
        T.ToDtype(torch.float32, scale=True),
    ])
    return prepare(to_rgb(img)).unsqueeze(0)


def load(name_or_path: str | os.PathLike, size: int = IMAGE_SIZE) -> torch.Tensor:
    """A named photo (see available()) or an image file, as a 1 x 3 x size x size tensor in [0, 1]."""
    key = str(name_or_path)
    if isinstance(name_or_path, str) and key in PACKAGED:
        return to_tensor(PACKAGED[key](), size)
    if isinstance(name_or_path, str) and key in manifest():
        return to_tensor(open_image(local_path(key)), size)
    looks_like_path = not isinstance(name_or_path, str) or os.sep in key or "." in key or Path(key).exists()
    if looks_like_path:
        return to_tensor(open_image(name_or_path), size)
    close = difflib.get_close_matches(key, available(), n=3, cutoff=0.5)
    hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise UnknownImageError(f"No image called {key!r}. {hint}Known names: {', '.join(available())}; "
                            "or pass the path of an image file.")


def black(size: int = IMAGE_SIZE) -> torch.Tensor:
    """An all-black 1 x 3 x size x size image: the starting point of notebook 03."""
    return torch.zeros(1, 3, size, size)


def check_pixels(x: torch.Tensor) -> None:
    """Refuse tensors a model must not see: wrong shape, NaN/inf, or values outside [0, 1]."""
    if not isinstance(x, torch.Tensor):
        raise InvalidInputError(f"expected a torch.Tensor image, got {type(x).__name__}; use helpers.images.load(...).")
    if x.dim() != 4 or x.shape[1] != 3:
        raise InvalidInputError(f"expected images shaped N x 3 x H x W, got {tuple(x.shape)}; "
                                "add a batch dimension with x.unsqueeze(0).")
    if not torch.isfinite(x).all():
        raise InvalidInputError("the image contains NaN or infinite values; reload it with helpers.images.load(...).")
    if x.min() < 0 or x.max() > 1:
        raise InvalidInputError(f"pixel values must lie in [0, 1], found {float(x.min()):.3g} to {float(x.max()):.3g}; "
                                "images from helpers.images.load(...) already are (divide 0-255 values by 255).")


def to_numpy(x: torch.Tensor) -> np.ndarray:
    """One image (1 x 3 x H x W or 3 x H x W) as an H x W x 3 float array for matplotlib."""
    img = x.detach().float().cpu()
    if img.dim() == 4:
        img = img[0]
    return img.permute(1, 2, 0).clamp(0, 1).numpy()
