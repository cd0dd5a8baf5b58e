#!/usr/bin/env bash
# Copy the offline GPU kit (wheels/ and camvid_jpg/, see its README.md) into
# .gpu/ of this repository: an ignored folder that a GPU machine without
# registry access gets with the project (the device tool carries it; the
# working tree that travels, carried folders included, is limited to
# 64 MiB). Prints the sizes and the install line to run on that machine.
#
# Usage: tools/misc/pack_gpu_kit.sh [KIT]   (default: ../shared/gpu beside
#                                            the repository)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
KIT=${1:-$REPO/../shared/gpu}
DEST=$REPO/.gpu
LIMIT=$((64 * 1024 * 1024))
if [ ! -d "$KIT/wheels" ] || [ ! -d "$KIT/camvid_jpg" ]; then
  echo "No GPU kit at $KIT (wheels/ and camvid_jpg/ expected): pass its folder." >&2
  exit 1
fi
if ! git -C "$REPO" check-ignore -q .gpu/; then
  echo ".gpu/ is not ignored by git: add '.gpu/' to .gitignore first." >&2
  exit 1
fi
mkdir -p "$DEST"
for part in wheels camvid_jpg; do
  rm -rf "${DEST:?}/$part"
  cp -R "$KIT/$part" "$DEST/$part"
done
chmod -R u+w "$DEST"
TREE=$(cd "$REPO" && git ls-files -co --exclude-standard -z |
  xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
KIT_BYTES=$(du -sb "$DEST" | cut -f1)
TOTAL=$((TREE + KIT_BYTES))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "$(du -sh "$DEST/wheels" | cut -f1)	.gpu/wheels"
echo "$(du -sh "$DEST/camvid_jpg" | cut -f1)	.gpu/camvid_jpg"
echo "working tree $(mib "$TREE") + kit $(mib "$KIT_BYTES") = $(mib "$TOTAL");" \
  "left for carried stage folders: $(mib $((LIMIT - TOTAL))) of 64 MiB"
if [ "$TOTAL" -gt "$LIMIT" ]; then
  echo "Over the 64 MiB that travels." >&2
  exit 1
fi
cat <<'LINE'
On the GPU machine, from the repository root:
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/wheels/*.whl
  export PYTHONPATH=/tmp/site:$PWD
LINE
