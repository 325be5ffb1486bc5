#!/usr/bin/env bash
# Checks that a zotd built without extensions has none, whatever its config enables.
#
# zot-behaviour.md, Extensions: "A label not compiled in means its endpoints answer 404 and it is absent from
# discover, whatever the config says." This builds zotd with every build label (SwiftPM trait) off, in its own
# scratch folder so the usual .build is left alone, starts it on a free loopback port with a config that
# enables mgmt, metrics and search, and checks:
#   - `zotd --version` says "extensions: none";
#   - GET /v2/_oci/ext/discover answers exactly {"extensions":[]};
#   - GET /metrics, /v2/_zot/ext/search and /v2/_zot/ext/mgmt?resource=config answer 404;
#   - the registry itself works (GET /v2/ answers 200).
# Prints PASS or FAIL (with the reasons and the server's log) and exits 0 or 1.
#
#   scripts/check-minimal-build.sh            # build, then check
#   SKIP_BUILD=1 scripts/check-minimal-build.sh   # check the binary already in .build-minimal
#
# Environment: SCRATCH (default .build-minimal, gitignored), START_TIMEOUT seconds (default 30).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-minimal}
START_TIMEOUT=${START_TIMEOUT:-30}
BIN=$SCRATCH/debug/zotd

failures=()
fail() { failures+=("$1"); }

workdir=$(mktemp -d "${TMPDIR:-/tmp}/zotd-minimal-check.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

finish() {
    if ((${#failures[@]} == 0)); then
        echo "PASS: the minimal build has no extensions, whatever the config enables"
        exit 0
    fi
    echo "FAIL: the minimal build check found ${#failures[@]} problem(s):"
    printf '  - %s\n' "${failures[@]}"
    if [[ -s "$workdir/server.log" ]]; then
        echo "--- server log (last 40 lines) ---"
        tail -n 40 "$workdir/server.log"
    fi
    exit 1
}

# ------------------------------------------------------------------------------------------------ build
if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building zotd without extensions in $SCRATCH ..."
    started=$(date +%s)
    if ! (cd "$ROOT" && swift build -c debug --disable-default-traits --scratch-path "$SCRATCH" --product zotd); then
        fail "swift build --disable-default-traits failed"
        finish
    fi
    echo "built in $(($(date +%s) - started))s"
fi
if [[ ! -x "$BIN" ]]; then
    fail "no binary at $BIN"
    finish
fi

# ---------------------------------------------------------------------------------------------- version
version=$("$BIN" --version 2>&1 || true)
echo "zotd --version: $version"
[[ "$version" == *"extensions: none"* ]] || fail "zotd --version does not say 'extensions: none': $version"

# ---------------------------------------------------------------------------------------------- serve
# Port 0: the server binds a free port itself and logs it, so no other process can take it meanwhile.
cat >"$workdir/config.json" <<EOF
{
  "distSpecVersion": "1.1.1",
  "storage": {"rootDirectory": "$workdir/root", "gc": false},
  "http": {"address": "127.0.0.1", "port": "0"},
  "log": {"level": "info"},
  "extensions": {
    "mgmt": {"enable": true},
    "metrics": {"enable": true, "prometheus": {"path": "/metrics"}},
    "search": {"enable": true}
  }
}
EOF
"$BIN" serve "$workdir/config.json" >"$workdir/server.log" 2>&1 &
server_pid=$!

port=""
deadline=$(($(date +%s) + START_TIMEOUT))
while [[ -z "$port" ]] && (($(date +%s) < deadline)); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        fail "zotd exited before serving"
        finish
    fi
    port=$(sed -n 's/.*serving on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$workdir/server.log" | head -n 1)
    [[ -n "$port" ]] || sleep 0.1
done
if [[ -z "$port" ]]; then
    fail "zotd did not log 'serving on 127.0.0.1:<port>' within ${START_TIMEOUT}s"
    finish
fi
base="http://127.0.0.1:$port"
echo "serving on $base"

# status PATH: the HTTP status of GET PATH ("000" when there is no answer).
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base$1" || true; }

code=$(status /v2/)
[[ "$code" == 200 ]] || fail "GET /v2/ answered $code, expected 200 (the registry itself must work)"

discover=$(curl -s --max-time 10 "$base/v2/_oci/ext/discover" || true)
[[ "$(printf '%s' "$discover" | tr -d ' \n\t')" == '{"extensions":[]}' ]] ||
    fail "GET /v2/_oci/ext/discover answered '$discover', expected {\"extensions\":[]}"

for path in /metrics /v2/_zot/ext/search "/v2/_zot/ext/mgmt?resource=config" /v2/_zot/ext/mgmt; do
    code=$(status "$path")
    [[ "$code" == 404 ]] || fail "GET $path answered $code, expected 404"
done

kill -0 "$server_pid" 2>/dev/null || fail "zotd exited during the checks"
finish
