#!/usr/bin/env bash
# The README's test command: install drugml with its test extras into .venv
# (plus 3Dmol.js and, when missing, Chromium), then run the whole test suite
# (unit tests, notebooks, browser checks, guards).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k data`; the tests run on
# every core (pytest-xdist).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "notebooks,dev,scale,deep,dock"
ensure_viewer
ensure_chromium
# -n auto: one pytest worker per core (pytest-xdist); worksteal evens out the long notebooks.
python -m pytest -n auto --dist worksteal "$@"
