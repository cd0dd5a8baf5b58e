#!/usr/bin/env bash
# Shared by tools/dist_train.sh and tools/dist_test.sh (sourced, not run):
# the Python that runs torchrun, and the check of the process count.
#
# The interpreter is $PYTHON when set, else the project's .venv (made by
# `make setup`) when it exists, else python3 from PATH. One that lacks torch
# stops the script with one line saying how to get one (exit 1).

# Usage: synaug_python TOOL -> sets PYTHON or exits.
synaug_python() {
    local tool=$1 repo
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if [ -z "${PYTHON:-}" ]; then
        if [ -x "$repo/.venv/bin/python" ]; then
            PYTHON=$repo/.venv/bin/python
        else
            PYTHON=python3
        fi
    fi
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "$tool: error: no Python \`$PYTHON\`; run \`make setup\`" \
            "(it makes $repo/.venv) or set PYTHON=/path/to/python" >&2
        exit 1
    fi
    if ! "$PYTHON" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)' 2>/dev/null; then
        echo "$tool: error: $PYTHON has no torch; run \`make setup\`" \
            "(it makes $repo/.venv) or set PYTHON=/path/to/python of an" \
            "environment with the project installed" >&2
        exit 1
    fi
}

# Usage: synaug_check_count TOOL USAGE VALUE -> exits 2 unless VALUE >= 1.
synaug_check_count() {
    case $3 in
        '' | *[!0-9]* | 0*)
            echo "$2" >&2
            echo "$1: error: GPUS must be a number of processes >= 1, got '$3'" >&2
            exit 2
            ;;
    esac
}
