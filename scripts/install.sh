#!/usr/bin/env bash
# Installs bcolearn and everything it needs into the active Python (use a venv if you like).
# torch is pinned first: on this course's machines 2.13.0 is a local CPU build, and an unpinned
# torch would download a multi-GB CUDA build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python -m pip install --quiet --disable-pip-version-check -e ".[test]"
