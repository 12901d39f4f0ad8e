#!/usr/bin/env bash
# Create (or reuse) the Python virtual environment for the scripts in bench/.
#
#   bash bench/venv.sh            # -> prints the venv's python path on the last line of stdout
#   PY=$(bash bench/venv.sh | tail -n 1)
#
# Idempotent: the venv lives in bench/.venv; requirements.txt is installed only
# when its content (or the interpreter version) changed since the last
# successful install, which is tracked by a hash stored inside the venv.
# All progress messages go to stderr.
#
# Environment:
#   PYTHON   interpreter used to create the venv (default: python3)
#   VENV_DIR venv location (default: bench/.venv)
#   REQ      requirements file (default: bench/requirements.txt)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV_DIR="${VENV_DIR:-$BENCH_DIR/.venv}"
REQ="${REQ:-$BENCH_DIR/requirements.txt}"
BASE_PY="${PYTHON:-python3}"
STAMP="$VENV_DIR/.requirements.sha256"

log() { echo "venv.sh: $*" >&2; }

venv_ok() {
    [ -x "$VENV_DIR/bin/python" ] && "$VENV_DIR/bin/python" -c 'import sys, pip' >/dev/null 2>&1
}

create_venv() {
    local py="$1"
    rm -rf "$VENV_DIR"
    log "creating $VENV_DIR with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV_DIR" >&2 && venv_ok
}

if ! venv_ok; then
    if ! create_venv "$BASE_PY"; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            log "venv creation failed; installing python3-venv with apt-get"
            DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >&2
            # python3-venv serves the system interpreter; fall back to it if the
            # chosen interpreter still cannot create a venv.
            create_venv "$BASE_PY" || create_venv /usr/bin/python3 || {
                log "cannot create a virtual environment"; exit 1; }
        else
            log "cannot create a virtual environment (install python3-venv)"
            exit 1
        fi
    fi
fi

VPY="$VENV_DIR/bin/python"
want="$( { cat "$REQ"; "$VPY" -c 'import sys, platform; print(sys.version, platform.machine())'; } \
         | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"

if [ "$want" != "$have" ]; then
    log "installing $REQ"
    "$VPY" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 \
        || log "pip self-upgrade failed; continuing with the bundled pip"
    "$VPY" -m pip install --quiet --disable-pip-version-check --only-binary :all: -r "$REQ" 1>&2
    echo "$want" > "$STAMP"
    log "installed: $("$VPY" -m pip freeze --disable-pip-version-check | tr '\n' ' ')"
else
    log "requirements up to date in $VENV_DIR"
fi

echo "$VPY"
