#!/usr/bin/env bash
# Build the mmcv wheel (with its C++ ops) from source against the torch of the
# given Python, once per machine: the wheel is kept in WHEEL_CACHE and reused.
#
# No mmcv wheel exists for torch 2.14 and mmcv 2.1.0's setup.py compiles with
# -std=c++17, while torch >= 2.10 headers need C++20: the sdist is patched to
# C++20 before building. Takes ~11 minutes on 2 idle cores.
#
# Usage: tools/misc/build_mmcv_wheel.sh PYTHON VERSION WHEEL_CACHE
set -euo pipefail
PYTHON=$1
VERSION=$2
WHEEL_CACHE=$3

if ls "$WHEEL_CACHE"/mmcv-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "mmcv $VERSION: using the cached wheel in $WHEEL_CACHE"
    exit 0
fi
mkdir -p "$WHEEL_CACHE"
BUILD_DIR=$(mktemp -d)
trap 'rm -rf "$BUILD_DIR"' EXIT
echo "mmcv $VERSION: building from source (~11 minutes on 2 idle cores) ..."
"$PYTHON" -m pip download -q --no-deps --no-binary :all: "mmcv==$VERSION" -d "$BUILD_DIR"
tar xzf "$BUILD_DIR/mmcv-$VERSION.tar.gz" -C "$BUILD_DIR"
sed -i "s/'-std=c++17'/'-std=c++20'/g" "$BUILD_DIR/mmcv-$VERSION/setup.py"
# Build into the temporary folder, then move: an interrupted build leaves no
# half-written wheel in the cache.
MMCV_WITH_OPS=1 MAX_JOBS=$(nproc) "$PYTHON" -m pip wheel -q --no-deps \
    --no-build-isolation -w "$BUILD_DIR/dist" "$BUILD_DIR/mmcv-$VERSION"
mv "$BUILD_DIR"/dist/mmcv-"$VERSION"-*.whl "$WHEEL_CACHE"/
