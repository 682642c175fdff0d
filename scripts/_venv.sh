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
