#!/usr/bin/env bash
# Installs the C libraries zotd's build links against, only when missing (idempotent).
# As root it installs them; as another user it prints the command to run and exits 1.
set -euo pipefail

PACKAGES=(libsqlite3-dev libssl-dev zlib1g-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]]; then
    echo "install-build-deps: missing ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
