"""Photos as N x 3 x 224 x 224 tensors with pixel values in [0, 1] (notebook 03 onwards).

Attacks change pixels by multiples of 1/255, so every image is kept in that plain pixel
space (the models normalise internally). Named photos come from three places:
  * photos that installed packages ship (they work offline with no download at all);
  * the series' photos, listed in data/images.json;
  * an opt-in set of 1000 ImageNet photos, one per class, listed in data/imagenet_samples.json
    (notebooks 04-05 and helpers.studies use it).
Listed photos are downloaded by URL with their sha256 checked; the folder TRICKNETS_MIRROR names
is read first (the set lives in its subfolder imagenet-samples/), then the download cache.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.error import URLError

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torchvision.transforms import v2 as T

from . import settings
from .errors import ChecksumError, DownloadError, ImageLoadError, UnknownClassError, UnknownImageError
from .files import copy_atomically, sha256_of

IMAGE_SIZE = 224
DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = DATA / "images.json"
#: Named sets of photos that are fetched only when asked for: set name -> its data manifest.
SETS = {"imagenet-samples": DATA / "imagenet_samples.json"}


@dataclass(frozen=True)
class ImageSource:
    """Where a downloadable photo comes from, and the facts needed to credit and verify it.

    `file` is its path inside a mirror folder, the cache, or a folder made by `copy_to`.
    """

    name: str
    file: str
    url: str
    sha256: str
    license: str = ""
    photo_license: str = ""
    attribution: str = ""
    class_id: int | None = None


@lru_cache(maxsize=1)
def manifest() -> dict[str, ImageSource]:
    """The series' photos, by name, from data/images.json."""
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["images"]
    fields = ("name", "file", "url", "sha256", "license", "photo_license", "attribution")
    return {e["name"]: ImageSource(**{k: e[k] for k in fields}) for e in entries}


@lru_cache(maxsize=None)
def sample_set(name: str = "imagenet-samples") -> tuple[ImageSource, ...]:
    """The photos of a named set, in the order of its manifest (for imagenet-samples: by class id)."""
    if name not in SETS:
        raise UnknownImageError(f"no set of photos called {name!r}; the sets are: {', '.join(SETS)}.")
    data = json.loads(SETS[name].read_text(encoding="utf-8"))
    return tuple(ImageSource(name=Path(e["file"]).stem, file=f"{name}/{e['file']}", url=e["url"], sha256=e["sha256"],
                             license=data["licence"], class_id=e["class_id"]) for e in data["images"])


@lru_cache(maxsize=None)
def _set_photos() -> dict[str, ImageSource]:
    return {source.name: source for set_name in SETS for source in sample_set(set_name)}


def imagenet_sample(class_id: int) -> str:
    """The name of the ImageNet photo of class `class_id` in the imagenet-samples set (e.g. 388 -> a giant panda)."""
    photos = sample_set("imagenet-samples")
    if isinstance(class_id, bool) or not isinstance(class_id, int) or not 0 <= class_id < len(photos):
        raise UnknownClassError(f"an ImageNet class id is an int from 0 to {len(photos) - 1}, got {class_id!r}.")
    return photos[class_id].name


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
    """The series' image names load() accepts (the 1000 set photos too, see sample_set())."""
    return sorted(PACKAGED) + sorted(manifest())


def source(name: str) -> ImageSource:
    """The download facts of a listed photo (series or set); UnknownImageError with close matches otherwise."""
    found = manifest().get(name) or _set_photos().get(name)
    if found is None:
        close = difflib.get_close_matches(name, [*available(), *_set_photos()], n=3, cutoff=0.5)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise UnknownImageError(f"No image called {name!r}. {hint}Known names: {', '.join(available())}, "
                                "and the photos of helpers.images.sample_set(); or pass the path of an image file.")
    return found


# --- checked downloads -----------------------------------------------------------------
def download(photo: ImageSource, destination: Path) -> Path:
    """Download with the sha256 checked; on any failure nothing is left at `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Writes to a temporary file beside `destination`, moves it in place only when the hash matches,
        # and deletes the temporary file otherwise.
        torch.hub.download_url_to_file(photo.url, str(destination), hash_prefix=photo.sha256, progress=False)
    except RuntimeError as exc:
        if "invalid hash" not in str(exc):
            raise
        raise ChecksumError(
            f"The file downloaded for {photo.name!r} from {photo.url} does not have the sha256 recorded in "
            f"its data manifest ({photo.sha256}); it was discarded. The URL may now serve another file: "
            f"place the right {photo.file} in a folder and point {settings.MIRROR_VAR} at it."
        ) from exc
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"Could not download {photo.name!r} from {photo.url} ({reason}). If you are offline, copy "
            f"{photo.file} (sha256 {photo.sha256[:12]}...) into a folder and set {settings.MIRROR_VAR} "
            "to that folder, or run `python -m helpers.fetch` once while online."
        ) from exc
    return destination


def _mirror_copy(photo: ImageSource) -> Path | None:
    mirror = settings.mirror_dir()
    if mirror is None or not (mirror / photo.file).is_file():
        return None
    candidate = mirror / photo.file
    if sha256_of(candidate) != photo.sha256:
        raise ChecksumError(f"{candidate} (from {settings.MIRROR_VAR}) does not have the sha256 recorded in its data "
                            f"manifest ({photo.sha256}); replace it with the file from {photo.url}.")
    return candidate


def local_path(name: str | ImageSource) -> Path:
    """A verified local copy of a listed photo: the mirror first, then the cache, then a download into the cache."""
    photo = name if isinstance(name, ImageSource) else source(name)
    mirrored = _mirror_copy(photo)
    if mirrored is not None:
        return mirrored
    cached = settings.cache_dir() / "images" / photo.file
    if cached.is_file():
        if sha256_of(cached) == photo.sha256:
            return cached
        cached.unlink()  # a damaged cache entry is dropped and fetched again, never used
    return download(photo, cached)


def copy_to(photo: ImageSource, folder: Path) -> Path:
    """A verified copy of a photo at folder/photo.file (the mirror layout), written atomically; kept if already right."""
    target = folder / photo.file
    if target.is_file() and sha256_of(target) == photo.sha256:
        return target
    return copy_atomically(local_path(photo), target)


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
    """A named photo (see available() and sample_set()) or an image file, as a 1 x 3 x size x size tensor in [0, 1]."""
    key = str(name_or_path)
    if isinstance(name_or_path, str) and key in PACKAGED:
        return to_tensor(PACKAGED[key](), size)
    listed = isinstance(name_or_path, str) and (key in manifest() or key in _set_photos())
    looks_like_path = not isinstance(name_or_path, str) or os.sep in key or "." in key or Path(key).exists()
    if looks_like_path and not listed:
        return to_tensor(open_image(name_or_path), size)
    return to_tensor(open_image(local_path(key)), size)  # an unknown name: UnknownImageError with close matches


def load_many(names: Sequence[str | os.PathLike], size: int = IMAGE_SIZE, workers: int | None = None) -> torch.Tensor:
    """Many photos as one N x 3 x size x size batch; decoded in parallel threads (Pillow releases the GIL).

    `benchmarks/load_photos.py` measures it against a plain loop.
    """
    if not names:
        return torch.empty(0, 3, size, size)
    workers = workers or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return torch.cat(list(pool.map(lambda name: load(name, size), names)))


def black(size: int = IMAGE_SIZE) -> torch.Tensor:
    """An all-black 1 x 3 x size x size image: the starting point of notebook 03."""
    return torch.zeros(1, 3, size, size)


def to_numpy(x: torch.Tensor) -> np.ndarray:
    """One image (1 x 3 x H x W or 3 x H x W) as an H x W x 3 float array for matplotlib."""
    img = x.detach().float().cpu()
    if img.dim() == 4:
        img = img[0]
    return img.permute(1, 2, 0).clamp(0, 1).numpy()
