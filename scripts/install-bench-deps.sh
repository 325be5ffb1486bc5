#!/usr/bin/env bash
# Install what `make bench` needs: Debian's docker-registry (CNCF distribution,
# the reference registry), wrk (small-request load generator), and a C compiler
# with OpenSSL's headers for the push ceiling (bench/pushceiling.c).
# Idempotent: does nothing when all are present; runs `apt-get update` only
# when something has to be installed. Needs root (or passwordless sudo) to install.
set -euo pipefail

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -f /usr/include/openssl/evp.h ] || missing+=(libssl-dev)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-bench-deps: missing: ${missing[*]}" >&2
    echo "install-bench-deps: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "install-bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for b in docker-registry wrk python3 cc; do
    command -v "$b" >/dev/null 2>&1 || { echo "install-bench-deps: $b still missing after install" >&2; exit 1; }
done
[ -f /usr/include/openssl/evp.h ] || { echo "install-bench-deps: libssl-dev still missing after install" >&2; exit 1; }
