"""The photos the series downloads: where each comes from, its sha256, and downloads a room can survive.

Standard library only (no torch, no Pillow), so `python -m helpers.fetch` can fill a photo folder on any machine
with Python 3.11 — the offline kit's photo half, the image's photo layer — before anything else is installed;
tqdm draws the progress bar when it is installed. helpers.images turns the files into tensors (notebook 03).

Where a photo is read from, in order: the folder TRICKNETS_MIRROR names, the download cache (TRICKNETS_CACHE),
then a download — from TRICKNETS_MIRROR_URL when set (a room's own web server), else from its source URL.
A download is retried on HTTP 429 (honouring Retry-After), 5xx answers and time-outs, with growing waits; it is
written to a temporary file beside its destination and moved in place only once its sha256 matches, so the cache
never holds a partial or unverified file.
"""

from __future__ import annotations

import difflib
import http.client
import json
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from . import settings
from .errors import ChecksumError, DownloadError, SettingsError, UnknownImageError
from .files import atomic_write, copy_atomically, sha256_of

DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = DATA / "images.json"
#: Named sets of photos that are fetched only when asked for: set name -> its data manifest.
SETS = {"imagenet-samples": DATA / "imagenet_samples.json"}
#: Photos that installed packages ship (scikit-image, matplotlib): never downloaded; helpers.images reads them.
PACKAGED_NAMES = ("chelsea", "coffee", "grace_hopper")

#: How hard a download tries: attempts in all, the first wait (doubling each time), the longest wait, the time-out.
ATTEMPTS = 6
FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 60.0
TIMEOUT_S = 30.0
#: Downloads at once for a set: a few, polite to a server that rate-limits one address (a whole room behind NAT).
PARALLEL = 4
_RETRIED_STATUSES = {408, 425, 429, 500, 502, 503, 504}


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
def set_photos() -> dict[str, ImageSource]:
    """Every photo of every set, by name."""
    return {photo.name: photo for set_name in SETS for photo in sample_set(set_name)}


def source(name: str) -> ImageSource:
    """The download facts of a listed photo (series or set); UnknownImageError with close matches otherwise."""
    found = manifest().get(name) or set_photos().get(name)
    if found is None:
        known = sorted([*PACKAGED_NAMES, *manifest()])
        close = difflib.get_close_matches(name, [*known, *set_photos()], n=3, cutoff=0.5)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise UnknownImageError(f"No image called {name!r}. {hint}Known names: {', '.join(known)}, "
                                "and the photos of helpers.images.sample_set(); or pass the path of an image file.")
    return found


# --- downloads -------------------------------------------------------------------------------------------------
def url_of(photo: ImageSource) -> str:
    """Where a photo is downloaded from: the room's mirror URL (TRICKNETS_MIRROR_URL) when set, else its source."""
    base = settings.mirror_url()
    return f"{base.rstrip('/')}/{photo.file}" if base else photo.url


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """Seconds a server asked us to wait (Retry-After: seconds or an HTTP date), or None."""
    value = error.headers.get("Retry-After") if error.headers else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")
        probe.close()
    except OSError as exc:
        setting = settings.CACHE_VAR if settings.cache_dir() in (folder, *folder.parents) else None
        where = f" ({setting}={settings.cache_dir()})" if setting else ""
        fix = f"set {setting} to a folder you can write to" if setting else "choose a folder you can write to"
        raise SettingsError(f"Cannot write photos into {folder}{where}: {exc.strerror or exc}. {fix}.") from exc


def download(photo: ImageSource, destination: Path, *, sleep: Callable[[float], None] = time.sleep) -> Path:
    """Download a photo to `destination`, sha256-checked and atomic; retried on 429, 5xx and time-outs.

    On failure nothing is left at `destination` and the error says what to do; `retries()` counts the retries.
    """
    _writable_folder(destination.parent)
    url = url_of(photo)
    wait = FIRST_WAIT_S
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with atomic_write(destination) as temporary:
                with open(temporary, "wb") as out:
                    request = urllib.request.Request(url, headers={"User-Agent": "tricknets (python -m helpers.fetch)"})
                    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                        while block := response.read(1 << 16):
                            out.write(block)
                        if getattr(response, "length", None):  # the connection closed before its Content-Length
                            raise http.client.IncompleteRead(b"", response.length)
                if sha256_of(temporary) != photo.sha256:
                    raise ChecksumError(
                        f"The file downloaded for {photo.name!r} from {url} does not have the sha256 recorded in its "
                        f"data manifest ({photo.sha256}); it was discarded. The URL may now serve another file: "
                        f"place the right {photo.file} in a folder and point {settings.MIRROR_VAR} at it.")
            return destination
        except urllib.error.HTTPError as exc:
            retriable, asked = exc.code in _RETRIED_STATUSES, _retry_after(exc)
            reason: object = f"HTTP {exc.code} {exc.reason}"
            exc.close()  # its socket
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError,
                http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            # a refused connection or an unknown host will not heal in a minute; a time-out, a reset or a
            # transfer cut short may (HTTPException: a cut chunked body, or a reply that is not HTTP)
            retriable = isinstance(reason, (TimeoutError, socket.timeout, ConnectionResetError)) or isinstance(
                exc, (TimeoutError, ConnectionResetError, http.client.IncompleteRead))
            asked = None
        if not retriable or attempt == ATTEMPTS:
            raise DownloadError(
                f"Could not download {photo.name!r} from {url} ({reason}; {attempt} attempt(s)). If you are offline, "
                f"copy {photo.file} (sha256 {photo.sha256[:12]}...) into a folder and set {settings.MIRROR_VAR} to "
                f"that folder (or {settings.MIRROR_URL_VAR} to a web server holding it), or run "
                "`python -m helpers.fetch` once while online.")
        with _retry_lock:
            _retry_count[0] += 1
        sleep(min(LONGEST_WAIT_S, asked if asked is not None else wait))
        wait *= 2
    raise AssertionError("unreachable")


_retry_lock = threading.Lock()
_retry_count = [0]


def retries() -> int:
    """How many download attempts this process has retried so far (the fetch summary prints it)."""
    return _retry_count[0]


def mirror_copy(photo: ImageSource) -> Path | None:
    """The photo in the TRICKNETS_MIRROR folder, if there; a copy with the wrong sha256 is refused, never read."""
    mirror = settings.mirror_dir()
    if mirror is None or not (mirror / photo.file).is_file():
        return None
    candidate = mirror / photo.file
    if sha256_of(candidate) != photo.sha256:
        raise ChecksumError(f"{candidate} (from {settings.MIRROR_VAR}) does not have the sha256 recorded in its data "
                            f"manifest ({photo.sha256}); replace it with the file from {photo.url}.")
    return candidate


def _cache_entry(photo: ImageSource) -> Path:
    """Where the cache keeps a photo; a damaged entry there is dropped (fetched again, never used)."""
    cached = settings.cache_dir() / "images" / photo.file
    if cached.is_file() and sha256_of(cached) != photo.sha256:
        cached.unlink()
    return cached


def local_path(name: str | ImageSource) -> Path:
    """A verified local copy of a listed photo: the mirror first, then the cache, then a download into the cache."""
    photo = name if isinstance(name, ImageSource) else source(name)
    mirrored = mirror_copy(photo)
    if mirrored is not None:
        return mirrored
    cached = _cache_entry(photo)
    return cached if cached.is_file() else download(photo, cached)


def copy_to(photo: ImageSource, folder: Path) -> Path:
    """A verified copy of a photo at folder/photo.file (the mirror layout), written atomically; kept if already right.

    Taken from the mirror or the cache when there; otherwise downloaded straight into the folder, not through the
    cache (the image's photo layer and the offline kit would hold every photo twice)."""
    target = folder / photo.file
    if target.is_file() and sha256_of(target) == photo.sha256:
        return target
    local = mirror_copy(photo)
    if local is None and (cached := _cache_entry(photo)).is_file():
        local = cached
    return copy_atomically(local, target) if local is not None else download(photo, target)


def fetch_all(photos: Sequence[ImageSource], into: Path | None = None, label: str = "photos",
              workers: int = PARALLEL) -> tuple[list[Path], list[tuple[ImageSource, Exception]]]:
    """Fetch many photos, a few at a time, with one progress bar: (paths fetched, (photo, error) for each failure).

    `into` copies them into a folder in the mirror layout (a mirror to hand out); None keeps them in the cache.
    """
    def one(photo: ImageSource) -> Path | tuple[ImageSource, Exception]:
        try:
            return copy_to(photo, into) if into is not None else local_path(photo)
        except (OSError, ValueError, LookupError) as exc:  # every helpers error subclasses one of these
            return photo, exc

    bar = _progress_bar(len(photos), label)
    done: list[Path] = []
    failed: list[tuple[ImageSource, Exception]] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(one, photos):
            if isinstance(result, tuple):
                failed.append(result)
            else:
                done.append(result)
            bar(1)
    bar(0, close=True)
    return done, failed


def _progress_bar(total: int, label: str) -> Callable[..., None]:
    """tqdm's bar when tqdm is installed and bars are on; otherwise nothing."""
    if not settings.progress_enabled() or total <= 20:
        return lambda n, close=False: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return lambda n, close=False: None
    bar = tqdm(total=total, desc=label, unit="photo")

    def update(n: int, close: bool = False) -> None:
        bar.update(n)
        if close:
            bar.close()

    return update
