"""Photos as N x 3 x 224 x 224 tensors with pixel values in [0, 1] (notebook 03 onwards).

Attacks change pixels by multiples of 1/255, so every image is kept in that plain pixel
space (the models normalise internally). Named photos come from three places:
  * photos that installed packages ship (they work offline with no download at all);
  * the series' photos, listed in data/images.json;
  * an opt-in set of 1000 ImageNet photos, one per class, listed in data/imagenet_samples.json
    (notebooks 04-05 and helpers.studies use it).
Listed photos are downloaded by helpers.photos (by URL, sha256-checked, retried; the folder
TRICKNETS_MIRROR names is read first, the set in its subfolder imagenet-samples/, then the cache).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torchvision.transforms import v2 as T

from . import checks
from .errors import ImageLoadError
from .photos import SETS, ImageSource, copy_to, local_path, manifest, sample_set, set_photos, source

__all__ = ["SETS", "ImageSource", "available", "black", "copy_to", "imagenet_sample", "load", "load_many",
           "local_path", "manifest", "open_image", "sample_set", "source", "to_rgb", "to_tensor"]

IMAGE_SIZE = 224


def imagenet_sample(class_id: int) -> str:
    """The name of the ImageNet photo of class `class_id` in the imagenet-samples set (e.g. 388 -> a giant panda)."""
    photos = sample_set("imagenet-samples")
    return photos[checks.class_id(class_id, len(photos))].name


def _skimage(name: str) -> Callable[[], Image.Image]:
    def read() -> Image.Image:
        from skimage import data

        return Image.fromarray(getattr(data, name)())

    return read


def _grace_hopper() -> Image.Image:
    from matplotlib import cbook

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as img:
        return img.copy()


#: Photos that installed packages ship: always available, no download (helpers.photos.PACKAGED_NAMES).
PACKAGED: dict[str, Callable[[], Image.Image]] = {
    "chelsea": _skimage("chelsea"),  # scikit-image's tabby cat
    "coffee": _skimage("coffee"),  # scikit-image's cup of coffee
    "grace_hopper": _grace_hopper,  # matplotlib's portrait of Rear Admiral Grace Hopper
}


def available() -> list[str]:
    """The series' image names load() accepts (the 1000 set photos too, see sample_set())."""
    return sorted(PACKAGED) + sorted(manifest())


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
    listed = isinstance(name_or_path, str) and (key in manifest() or key in set_photos())
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

