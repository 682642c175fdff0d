#!/usr/bin/env bash
# The README's main job: install drugml into .venv and run the walk from target
# to candidates on the embedded default data. Results go to results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "notebooks,scale,dock"
# 3D views work offline with a local 3Dmol.js; without one they still work online.
ensure_viewer || echo "==> 3Dmol.js not installed: 3D views will need network access" >&2
drugml data verify >/dev/null
# Target to ranked candidates on the embedded EGFR data (drugml/campaign/configs/egfr.yaml).
drugml run --out results/run
# The notebooks, executed headless, as an HTML gallery.
drugml gallery --notebooks notebooks --out results/gallery
echo "==> ranked candidates: results/run/ranked_candidates.csv"
echo "==> report:            results/run/report.html"
echo "==> notebooks:         results/gallery/index.html"
