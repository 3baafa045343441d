#!/usr/bin/env bash
# Fill offline/ for a Docker build that needs no network (docker compose build --build-arg OFFLINE=1):
#   offline/wheels/  every wheel the image installs (requirements/torch.txt, then the lock requirements/image.txt),
#                    for the image's platform and Python, whatever machine runs this (a Mac can make a Linux kit);
#   offline/photos/  every photo the image bakes in (the series' and the 1000-photo ImageNet set), sha256-checked.
#
#   bash tools/offline-kit.sh                          both halves, for linux/amd64 (the default image)
#   bash tools/offline-kit.sh --platform linux/arm64   wheels for an arm64 image (Apple Silicon, Graviton, Ampere)
#   bash tools/offline-kit.sh wheels | photos          only one half
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cu130 bash tools/offline-kit.sh   torch's CUDA 13.0 build
#   TORCH_INDEX_URL=pypi bash tools/offline-kit.sh     torch from your pip's own indexes (PyPI's build)
#   TRICKNETS_MIRROR=/path/to/mirror bash tools/offline-kit.sh photos   photos from a mirror folder instead of URLs
#   PIP_FIND_LINKS="/some/wheel/folder" bash ...        pip prefers wheels found there (a local wheel store)
#
# Needs: Python 3.11 or later with pip (the wheels half: `pip download`, which only downloads), and nothing else
# (the photos half: python -m helpers.fetch uses the standard library alone). Run it from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
python=${PYTHON:-python3}
part=all
platform=linux/amd64
while [ $# -gt 0 ]; do
    case "$1" in
        all | wheels | photos) part=$1 ;;
        --platform) platform=${2:?--platform needs linux/amd64 or linux/arm64}; shift ;;
        --platform=*) platform=${1#--platform=} ;;
        *) echo "usage: $0 [all|wheels|photos] [--platform linux/amd64|linux/arm64]" >&2; exit 2 ;;
    esac
    shift
done
case "$platform" in
    linux/amd64) arch=x86_64 ;;
    linux/arm64) arch=aarch64 ;;
    *) echo "offline-kit: --platform must be linux/amd64 or linux/arm64, not $platform" >&2; exit 2 ;;
esac
# Wheels for the image's Python and C library, not this machine's: Debian bookworm has Python 3.11.2 (some packages'
# newest releases need 3.11.5 or later) and glibc 2.36, so every manylinux tag up to 2.36 fits.
target=(--only-binary=:all: --implementation cp --python-version "${IMAGE_PYTHON_VERSION:-3.11.2}")
for minor in $(seq 36 -1 17); do target+=(--platform "manylinux_2_${minor}_$arch"); done
target+=(--platform "manylinux2014_$arch")
[ "$arch" = x86_64 ] && target+=(--platform manylinux2010_x86_64 --platform manylinux1_x86_64)

mkdir -p offline/wheels offline/photos
if [ "$part" != photos ]; then
    if [ "$index" = pypi ]; then
        "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels -r requirements/torch.txt
    else
        "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels --index-url "$index" \
            -r requirements/torch.txt
    fi
    # The rest, every file checked against the lock's hashes (torch, left out of the lock, is met already).
    "$python" -m pip download --quiet "${target[@]}" --dest offline/wheels --require-hashes --no-deps \
        -r requirements/image.txt
    echo "offline-kit: $(find offline/wheels -name '*.whl' | wc -l) wheels for $platform," \
        "$(du -sh offline/wheels | cut -f1) in offline/wheels"
fi
if [ "$part" != wheels ]; then
    TRICKNETS_PROGRESS="${TRICKNETS_PROGRESS:-1}" "$python" -m helpers.fetch --set imagenet-samples --to offline/photos
    echo "offline-kit: $(find offline/photos -type f | wc -l) files, $(du -sh offline/photos | cut -f1) in offline/photos"
fi
build="docker compose build --build-arg OFFLINE=1"
[ "$platform" = linux/amd64 ] || build="docker buildx build --platform $platform --build-arg OFFLINE=1 -t tricknets-lab:cpu --load ."
[ "$part" = wheels ] || echo "offline-kit: done; now: $build"
