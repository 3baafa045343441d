#!/usr/bin/env bash
# Export the stored, executed notebooks to static HTML handouts (figures embedded, no server needed):
#   bash tools/handouts.sh            -> handouts/*.html
#   bash tools/handouts.sh some/dir   -> some/dir/*.html
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-handouts}"
jupyter nbconvert --to html --embed-images --output-dir "$out" notebooks/[0-9][0-9]_*.ipynb
echo "handouts written to $out/"
