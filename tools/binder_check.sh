#!/usr/bin/env bash
# Build the notebooks' environment exactly as Binder (repo2docker) would, from binder/ alone, and run the course
# test tier in it inside mybinder.org's memory limit:
#   1. a fresh Python 3.11 virtual environment in a Debian bookworm container (BASE_IMAGE);
#   2. `pip install -r binder/requirements.txt` (PyTorch), then `bash binder/postBuild` (the notebooks' lock, the
#      helpers package, the photos), from the repository root, as repo2docker does;
#   3. the course tier's test tools (requirements/test.txt: pytest, nbval), which Binder itself does not need;
#   4. the README's course-tier command, `pytest`, in its two halves, with no network and neither docker nor chromium
#      inside (nothing there needs the image's extras or the infrastructure tier's tools): `pytest tests` (the
#      helpers' unit tests, the notebook checks, the float32 runs), then `pytest notebooks` (every notebook under
#      strict nbval) in a container with --memory 2g, as a Binder session has. The halves run apart because a
#      Binder session runs a notebook's kernel, not the unit tests: in one process the tests' own memory would count.
# It prints `as Binder would build it: N of N notebooks passed, peak memory X GiB of 2` (the cgroup's peak, page
# cache included) and both pytest summaries. Packages come from offline/wheels (tools/offline-kit.sh) with PIP_NO_INDEX, as
# the PyTorch and PyPI indexes play no part in what is being checked; photos from TRICKNETS_MIRROR.
#
#   TRICKNETS_MIRROR=../shared/data/images bash tools/binder_check.sh [BASE_IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-tricknets-base:bookworm-slim}"
mirror="${TRICKNETS_MIRROR:?set TRICKNETS_MIRROR to a photo mirror folder (tools/offline-kit.sh photos makes one)}"
mirror=$(cd "$mirror" && pwd)
work=$(mktemp -d)
trap 'docker run --rm -v "$work:/w" "$base" rm -rf /w/repo /w/venv > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/repo" "$work/venv" test-artifacts
git ls-files -z | tar --null -T - -cf - | tar -C "$work/repo" -xf -   # the repository as committed files
chmod -R a+rwX "$work"
run=(docker run --rm --user 1000:1000 -e HOME=/tmp -e PIP_NO_INDEX=1 -e PIP_FIND_LINKS=/wheels
     -e PIP_DISABLE_PIP_VERSION_CHECK=1 -e TRICKNETS_MIRROR=/mirror -e TRICKNETS_PROGRESS=0
     -v "$work/repo:/srv/repo" -v "$work/venv:/srv/venv" -v "$PWD/offline/wheels:/wheels:ro" -v "$mirror:/mirror:ro"
     -w /srv/repo)
"${run[@]}" --network none "$base" bash -euc '
    python3 -m venv /srv/venv && . /srv/venv/bin/activate
    pip install --quiet -r binder/requirements.txt
    bash binder/postBuild > /tmp/postbuild.log
    pip install --quiet -r requirements/test.txt' > "test-artifacts/binder-build.log" 2>&1 \
    || { tail -n 40 test-artifacts/binder-build.log >&2; echo "binder-check: the environment did not build" >&2; exit 1; }
status=0
no_tools='if command -v docker > /dev/null || command -v chromium > /dev/null; then
    echo "docker or chromium found in the Binder container" >&2; exit 1; fi'
"${run[@]}" --network none "$base" bash -euc "$no_tools
    . /srv/venv/bin/activate
    python -m pytest -p no:cacheprovider tests" > test-artifacts/course-tests.log 2>&1 || status=$?
"${run[@]}" --network none --memory 2g --memory-swap 2g "$base" bash -euc "$no_tools"'
    . /srv/venv/bin/activate
    python -m pytest -p no:cacheprovider --junitxml=/srv/repo/notebooks-junit.xml notebooks || status=$?
    echo "peak-bytes $(cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2> /dev/null || cat /sys/fs/cgroup/memory.peak)"
    exit ${status:-0}' > test-artifacts/binder.log 2>&1 || status=$?
summary() { grep -E "^=+ .*(passed|failed).* =+$" "$1" | tail -n 1 || true; }
notebooks=$(git ls-files 'notebooks/[0-9][0-9]_*.ipynb' | wc -l)
cp "$work/repo/notebooks-junit.xml" test-artifacts/ 2> /dev/null || true
# a notebook passed when every one of its cells did (nbval reports one test per cell)
passed_notebooks=$(python3 - <<'PY'
import collections, pathlib, xml.etree.ElementTree as ET
path = pathlib.Path("test-artifacts/notebooks-junit.xml")
cells, bad = collections.Counter(), collections.Counter()
if path.exists():
    for case in ET.parse(path).iter("testcase"):
        name = case.get("classname", "").split("::")[0] or case.get("file", "")
        cells[name] += 1
        bad[name] += any(child.tag in {"failure", "error"} for child in case)
print(sum(1 for name in cells if bad[name] == 0))
PY
)
peak=$(awk '/^peak-bytes/ {printf "%.2f", $2 / 2^30}' test-artifacts/binder.log)
echo "as Binder would build it: $passed_notebooks of $notebooks notebooks passed, peak memory ${peak:-?} GiB of 2"
echo "binder-check: pytest tests: $(summary test-artifacts/course-tests.log)"
echo "binder-check: pytest notebooks (2 GiB): $(summary test-artifacts/binder.log)"
[ "$status" -eq 0 ] && [ "$passed_notebooks" -eq "$notebooks" ]
