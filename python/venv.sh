#!/usr/bin/env bash
# Create (or reuse) the Python virtual environment that builds, tests and runs the Python
# package (python/) and the notebooks (notebooks/): bench/venv.sh with this folder's
# requirements and python/.venv.
#
#   PY=$(bash python/venv.sh | tail -n 1)
set -euo pipefail
PY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV_DIR="${VENV_DIR:-$PY_DIR/.venv}" REQ="$PY_DIR/requirements.txt" \
    exec bash "$PY_DIR/../bench/venv.sh"
