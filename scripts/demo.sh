#!/usr/bin/env bash
# The README's main job: install drugml into .venv and run the walk from target
# to candidates on the embedded default data. Results go to results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "notebooks"
drugml data verify >/dev/null
drugml gallery --notebooks notebooks --out results/gallery
echo "==> open results/gallery/index.html"
