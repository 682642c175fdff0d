#!/usr/bin/env bash
# The README's main job: install drugml into .venv and run the walk from target
# to candidates on the embedded default data. Results go to results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "notebooks"
# 3D views work offline with a local 3Dmol.js; without one they still work online.
ensure_viewer || echo "==> 3Dmol.js not installed: 3D views will need network access" >&2
drugml data verify >/dev/null
drugml gallery --notebooks notebooks --out results/gallery
echo "==> open results/gallery/index.html"
