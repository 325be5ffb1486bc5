#!/usr/bin/env bash
# Installs what zotd's build and its e2e tests need, only when missing (idempotent).
#
#   Debian packages: skopeo podman curl (test clients), apache2-utils openssl (htpasswd files and test
#                    certificates for the auth tests), docker-registry (distribution 2.8, the upstream the
#                    sync tests pull through), libsqlite3-dev libssl-dev zlib1g-dev (the build)
#   Python (pip):    pytest pytest-timeout requests oras openapi-spec-validator schemathesis
#                    cryptography (the auth tests sign their own JWTs), cbor2 (notation's COSE envelopes)
#                    graphql-core (the search tests build zot's schema and compare it with the server's)
#
# Runs `apt-get update` only when a Debian package is missing. As root it installs; as another user
# it prints exactly what to install and exits 1. Works on a fresh Debian 12 with the Swift toolchain.
set -euo pipefail

APT_PACKAGES=(skopeo podman curl apache2-utils openssl docker-registry libsqlite3-dev libssl-dev zlib1g-dev)
# python module to import -> pip requirement
PY_MODULES=(pytest pytest_timeout requests oras openapi_spec_validator schemathesis cryptography graphql cbor2)
PY_REQUIREMENTS=(pytest pytest-timeout requests oras openapi-spec-validator schemathesis cryptography graphql-core cbor2)

PYTHON=${PYTHON:-python3}

missing_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing_apt+=("$pkg")
done

have_python=1
command -v "$PYTHON" >/dev/null 2>&1 || have_python=0
if [[ $have_python == 0 ]]; then
    missing_apt+=(python3)
fi

missing_pip=()
if [[ $have_python == 1 ]]; then
    for i in "${!PY_MODULES[@]}"; do
        "$PYTHON" -c "import ${PY_MODULES[$i]}" >/dev/null 2>&1 || missing_pip+=("${PY_REQUIREMENTS[$i]}")
    done
else
    missing_pip=("${PY_REQUIREMENTS[@]}")
fi

need_pip_itself=0
if ((${#missing_pip[@]})) && ! { [[ $have_python == 1 ]] && "$PYTHON" -m pip --version >/dev/null 2>&1; }; then
    need_pip_itself=1
    missing_apt+=(python3-pip)
fi

if ((${#missing_apt[@]} == 0 && ${#missing_pip[@]} == 0)); then
    echo "install-test-deps: everything is installed"
    exit 0
fi

# pip on a Debian-managed Python refuses to install system-wide without this flag (PEP 668).
pip_flags=(--quiet --disable-pip-version-check)
if [[ $have_python == 1 ]] && "$PYTHON" - <<'EOF' 2>/dev/null; then
import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)
EOF
    pip_flags+=(--break-system-packages)
fi

if [[ $(id -u) != 0 ]]; then
    echo "install-test-deps: missing, and not root; install them with:" >&2
    if ((${#missing_apt[@]})); then
        echo "  sudo apt-get update && sudo apt-get install -y ${missing_apt[*]}" >&2
    fi
    if ((${#missing_pip[@]})); then
        echo "  $PYTHON -m pip install ${pip_flags[*]} ${missing_pip[*]}" >&2
    fi
    exit 1
fi

if ((${#missing_apt[@]})); then
    echo "install-test-deps: apt-get install ${missing_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # with recommends: podman's fuse-overlayfs, slirp4netns, uidmap, catatonit (as tested here)
    apt-get install -y -qq "${missing_apt[@]}" >/dev/null
fi

if ((${#missing_pip[@]})); then
    echo "install-test-deps: pip install ${missing_pip[*]}"
    "$PYTHON" -m pip install "${pip_flags[@]}" "${missing_pip[@]}"
fi

# verify
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || { echo "install-test-deps: $pkg failed to install" >&2; exit 1; }
done
for mod in "${PY_MODULES[@]}"; do
    "$PYTHON" -c "import $mod" || { echo "install-test-deps: python module $mod failed to install" >&2; exit 1; }
done
echo "install-test-deps: done"
