#!/usr/bin/env bash
# Refresh the hashed locks in requirements/ from their .in files: one command, run after editing a .in file.
#
#   bash tools/lock.sh                  # every lock, resolved for every platform (uv's --universal)
#   bash tools/lock.sh --upgrade        # also move unpinned dependencies to their newest versions
#
# uv (pinned in requirements/dev.in) resolves once for Linux, macOS and Windows, Python 3.11 and later (the image's
# lock: for the image's Linux and Python), and writes
# every transitive dependency with the sha256 of each of its files. PyTorch (requirements/torch.txt) and the CUDA
# libraries that only PyPI's build of it needs are left out of the locks: its index decides which files are right
# (requirements/torch.txt says why), and it is installed before a lock. tools/check_wheels.py then checks that each
# lock installs from wheels alone on every platform and Python we support.
set -euo pipefail
cd "$(dirname "$0")/../requirements"
uv=(uv)
command -v uv > /dev/null || uv=("${PYTHON:-python3}" -m uv)
# torch, torchvision and what only PyPI's CUDA build of torch pulls in (PyTorch's CPU index has none of them)
skip=(torch torchvision triton cuda-bindings cuda-pathfinder cuda-toolkit)
skip+=(nvidia-cublas nvidia-cuda-cupti nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft)
skip+=(nvidia-cufile nvidia-curand nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13 nvidia-nccl-cu13)
skip+=(nvidia-nvjitlink nvidia-nvshmem-cu13 nvidia-nvtx)
no_emit=()
for name in "${skip[@]}"; do no_emit+=(--no-emit-package "$name"); done
for set in notebooks test image hub dev; do
    # The image's lock is for its one platform, Linux with Debian bookworm's Python 3.11.2, so that it holds no
    # environment markers: `pip download --platform` (tools/offline-kit.sh) would evaluate those on the machine
    # that makes the kit, not for the image.
    where=(--universal --python-version 3.11)
    [ "$set" = image ] && where=(--python-platform linux --python-version 3.11.2)
    "${uv[@]}" pip compile --quiet "${where[@]}" --generate-hashes --no-header "${no_emit[@]}" "$@" \
        "$set.in" -o "$set.txt.new"
    { echo "# The lock of $set.in: every dependency, pinned, with hashes. Made by \`bash tools/lock.sh\`; do not edit."
      echo "# Install PyTorch first (requirements/torch.txt), then: pip install -r requirements/$set.txt"
      cat "$set.txt.new"; } > "$set.txt"
    rm "$set.txt.new"
    echo "lock: requirements/$set.txt, $(grep -c '^[a-z]' "$set.txt") packages"
done
