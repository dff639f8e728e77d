#!/usr/bin/env bash
# Installs bcolearn and everything it needs, and prints the Python to use (last line of stdout).
#
# - With a virtual environment active ($VIRTUAL_ENV) or a conda env ($CONDA_PREFIX), installs into it.
# - Otherwise creates and uses a project-local .venv (a Debian/Ubuntu system Python refuses
#   `pip install` outright, and a course should not touch the system Python anyway).
# torch is pinned first: on this course's machines 2.13.0 is a local CPU build, and an unpinned
# torch would download a multi-GB CUDA build instead.
# Skips pip entirely when nothing changed since the last install (pyproject.toml's hash is stamped).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${VIRTUAL_ENV:-}" ]; then
    py="$VIRTUAL_ENV/bin/python"
elif [ -n "${CONDA_PREFIX:-}" ] && [ -x "$CONDA_PREFIX/bin/python" ]; then
    py="$CONDA_PREFIX/bin/python"
else
    if [ ! -x .venv/bin/python ]; then
        base="${BCOLEARN_PYTHON:-$(command -v python3 || command -v python)}"
        echo "Creating a project-local virtual environment in .venv (with $("$base" --version))" >&2
        "$base" -m venv .venv >&2 || {
            echo "Could not create .venv. On Debian/Ubuntu: sudo apt install python3-venv, then run this again." >&2
            exit 1
        }
    fi
    py="$PWD/.venv/bin/python"
fi

stamp="$("$py" -c 'import sys; print(sys.prefix)')/.bcolearn-installed"
want="$(cat pyproject.toml scripts/install.sh | cksum)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$py" -c "import bcolearn, torch" 2>/dev/null; then
    echo "bcolearn is installed and up to date in $("$py" -c 'import sys; print(sys.prefix)')" >&2
else
    echo "Installing torch==2.13.0, then bcolearn with its test extras (a few minutes the first time)" >&2
    "$py" -m pip install --quiet --disable-pip-version-check "torch==2.13.0" >&2
    "$py" -m pip install --quiet --disable-pip-version-check -e ".[test]" >&2
    echo "$want" > "$stamp"
fi
echo "$py"
