#!/usr/bin/env bash
# Install Debian's chromium for the web demo's browser test, if missing.
#
# Usage: tools/misc/install_chromium.sh
#
# Quick and silent when /usr/bin/chromium is there. Otherwise installs the
# `chromium` package with apt-get (as root, or with sudo). Fails if apt-get
# fails; on a machine without apt-get it says how to get chromium and goes
# on (the browser test then skips, saying chromium is not installed).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium.sh: no apt-get here; install chromium so that" \
        "$CHROMIUM exists, or the web demo's browser test skips." >&2
    exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
echo "install_chromium.sh: installing Debian's chromium with apt-get"
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends chromium
test -x "$CHROMIUM"
"$CHROMIUM" --version
