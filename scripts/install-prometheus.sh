#!/usr/bin/env bash
# Install what the metrics e2e test needs: Debian's prometheus package, which ships the
# `prometheus` server and `promtool`.
# Idempotent: does nothing when both are present; runs `apt-get update` only when something
# has to be installed. Needs root (or passwordless sudo) to install; otherwise prints what to
# install and exits non-zero.
set -euo pipefail

have_all() {
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
}

if have_all; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-prometheus: missing: prometheus (the server and promtool)" >&2
    echo "install-prometheus: run as root: apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
fi

echo "install-prometheus: installing prometheus" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# --no-install-recommends: the server and promtool only, not node-exporter and friends.
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null

if ! have_all; then
    echo "install-prometheus: prometheus or promtool still missing after install" >&2
    exit 1
fi
