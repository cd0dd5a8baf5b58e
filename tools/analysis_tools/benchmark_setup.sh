#!/usr/bin/env bash
# Time a second `make setup` on this machine: a fresh clone of this
# repository (new .venv), with the mmcv wheel already in the cache, so that
# mmcv is not rebuilt. Writes the figure into BENCHMARKS.md (--write).
#
# Usage: tools/analysis_tools/benchmark_setup.sh [--write]
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLONE=$(mktemp -d)
trap 'rm -rf "$CLONE"' EXIT
git clone -q "$REPO" "$CLONE/repo"
START=$(date +%s)
make -C "$CLONE/repo" setup >"$CLONE/setup.log" 2>&1 || {
    tail -20 "$CLONE/setup.log"; exit 1; }
SECONDS_TAKEN=$(( $(date +%s) - START ))
grep -q "using the cached wheel" "$CLONE/setup.log" || {
    echo "mmcv was rebuilt: no cached wheel, this is not a second set-up"; exit 1; }
LINE="A second \`make setup\` (fresh clone and .venv, cached mmcv wheel) took ${SECONDS_TAKEN} s on $(date +%F), $(nproc) cores (\`tools/analysis_tools/benchmark_setup.sh --write\`)."
echo "$LINE"
if [ "${1:-}" = "--write" ]; then
    "$REPO/.venv/bin/python" - "$REPO/BENCHMARKS.md" "$LINE" <<'PY'
import sys
from mmseg_synaug.utils.report import write_section
marker = '<!-- setup-time -->'
write_section(sys.argv[1], f'{marker}\n{sys.argv[2]}\n{marker}', marker)
PY
fi
