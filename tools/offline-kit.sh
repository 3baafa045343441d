#!/usr/bin/env bash
# Fill offline/ for a Docker build that needs no network (docker build --build-arg OFFLINE=1):
#   offline/wheels/  every wheel the image installs (requirements.txt, torch from requirements-torch.txt);
#   offline/photos/  every photo the image bakes in (the series' and the 1000-photo ImageNet set), sha256-checked.
#
#   bash tools/offline-kit.sh                          online: torch from PyTorch's CPU index, photos by URL
#   bash tools/offline-kit.sh wheels | photos          only one half (the wheels half needs nothing but pip)
#   TRICKNETS_MIRROR=/path/to/mirror bash tools/offline-kit.sh   photos from a mirror folder instead
#   TORCH_INDEX_URL=pypi bash tools/offline-kit.sh     torch from your pip's own indexes (PyPI: the CUDA build)
#   PIP_FIND_LINKS="/some/wheel/folder" bash ...        pip prefers wheels found there (a local wheel store)
#
# Run the photos half in an environment where `pip install -r requirements.txt -e .` has been done (it uses
# helpers.fetch); run both on the same platform as the image (x86-64 Linux, Python 3.11 for the default image).
set -euo pipefail
cd "$(dirname "$0")/.."
index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
# Wheels for the image's Python, not this machine's: the offline base (Debian bookworm) has Python 3.11.2, and
# some packages' newest releases need 3.11.5 or later.
target=(--only-binary=:all: --python-version "${IMAGE_PYTHON_VERSION:-3.11.2}")
python=${PYTHON:-python3}
part="${1:-all}"
case "$part" in all | wheels | photos) ;; *) echo "usage: $0 [wheels|photos]" >&2; exit 2 ;; esac

mkdir -p offline/wheels offline/photos
if [ "$part" != photos ]; then
    if [ "$index" = pypi ]; then
        "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels -r requirements-torch.txt
    else
        "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels --index-url "$index" -r requirements-torch.txt
    fi
    # The rest; the torch wheels already in offline/wheels satisfy requirements.txt's torch pins.
    "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels --find-links offline/wheels \
        -r requirements.txt
    echo "offline-kit: $(ls offline/wheels/*.whl | wc -l) wheels, $(du -sh offline/wheels | cut -f1) in offline/wheels"
fi
if [ "$part" != wheels ]; then
    TRICKNETS_PROGRESS="${TRICKNETS_PROGRESS:-1}" "$python" -m helpers.fetch --set imagenet-samples --to offline/photos
    echo "offline-kit: $(find offline/photos -type f | wc -l) files, $(du -sh offline/photos | cut -f1) in offline/photos"
fi
[ "$part" = wheels ] || echo "offline-kit: done; now: docker compose build --build-arg OFFLINE=1"
