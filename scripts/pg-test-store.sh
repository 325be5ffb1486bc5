#!/usr/bin/env bash
# pg-test-store.sh start|stop — the PostgreSQL the metadata tests run against: Debian's PostgreSQL, a
# throwaway cluster of our own (not Debian's `main` cluster, which the package may have made and left
# stopped) on 127.0.0.1 only, trust authentication, no durability. Idempotent: installs the package when
# missing, makes the cluster once, starts it when it is not running.
#
# `start` prints one line on stdout, `export PG_URL=postgres://zotd@127.0.0.1:PORT/zotd`, for
# `eval "$(scripts/pg-test-store.sh start)"`; everything else goes to stderr.
# `stop` stops the server and deletes the cluster: every run starts from an empty database. The role may
# create databases: the conformance suite gives each test one of its own.
#
# Environment: PG_TEST_DIR (default /tmp/zotd-pg), PG_TEST_PORT (15432).
set -euo pipefail

DIR=${PG_TEST_DIR:-/tmp/zotd-pg}
PORT=${PG_TEST_PORT:-15432}
DATA=$DIR/data      # the cluster; initdb wants a directory of its own, empty
LOG=$DIR/server.log
# Written before anything else: `stop` deletes only a directory that carries it, so a PG_TEST_DIR set to
# the wrong place cannot cost anyone their files.
MARK=$DIR/.zotd-pg-test-store
URL="postgres://zotd@127.0.0.1:$PORT/zotd"
say() { echo "[pg-test-store] $*" >&2; }

# The newest installed server; Debian keeps each major version's binaries apart and puts none on PATH.
bindir() {
    local version
    version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
    [ -n "$version" ] && [ -x "/usr/lib/postgresql/$version/bin/initdb" ] || return 1
    echo "/usr/lib/postgresql/$version/bin"
}

# initdb and postgres refuse to run as root: as root the cluster belongs to the package's `postgres` user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

# Over TCP as the superuser initdb made: trust on loopback lets in anyone who can reach the port.
psql_super() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }

stop() {
    BIN=$(bindir) || BIN=
    if [ -n "$BIN" ] && running; then
        # fast: disconnect clients and roll back; the data is thrown away next anyway.
        as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
    fi
    if [ -d "$DIR" ]; then
        [ -f "$MARK" ] || { say "$DIR is not a test store this script made; not deleting it"; exit 1; }
        rm -rf "$DIR"
    fi
}

install_server() {
    bindir >/dev/null && return 0
    if [ "$(id -u)" != 0 ]; then
        say "PostgreSQL is missing, and not root; install it with:"
        say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql"
        exit 1
    fi
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    # No systemd: the package's attempt to start its own cluster fails or is skipped, harmlessly; ours has
    # its own port.
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends postgresql >/dev/null
    bindir >/dev/null || { say "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb"; exit 1; }
}

bootstrap() {
    if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR")" ] && [ ! -f "$MARK" ]; then
        say "$DIR exists and is not a test store this script made; set PG_TEST_DIR elsewhere"
        exit 1
    fi
    stop   # a half-made cluster from an interrupted start: begin again
    mkdir -p "$DIR"
    touch "$MARK"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$DIR"
        as_owner test -w "$DIR" || {
            say "the postgres user cannot write $DIR (a parent not open to others?); set PG_TEST_DIR elsewhere"
            exit 1
        }
    fi
    # --no-sync: nothing here outlives a crash anyway. The superuser is `postgres` whoever runs this.
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions \
        >"$DIR/initdb.out"
    # Only loopback, and the socket in our own directory (the default, /var/run/postgresql, is root's
    # and may be missing). pg_hba is rewritten whole: trust, for local and loopback connections only.
    cat >"$DATA/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
    cat >>"$DATA/postgresql.conf" <<CONF

# pg-test-store.sh: a throwaway store for tests
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
# No durability: a test store is deleted at stop, and fsync on every commit would make the tests
# measure the disk.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA/pg_hba.conf" "$DATA/postgresql.conf"; fi
    start_server
    psql_super -c "CREATE ROLE zotd LOGIN CREATEDB" -c "CREATE DATABASE zotd OWNER zotd" >&2
    touch "$DIR/bootstrapped"
}

start_server() {
    # -w waits until the server accepts connections; a port already taken ends here, with its log.
    as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 >/dev/null || {
        say "the server did not start; its log:"
        tail -n 20 "$LOG" >&2 || true
        exit 1
    }
}

start() {
    install_server
    BIN=$(bindir)
    if running; then
        say "already running"
    elif [ ! -f "$DIR/bootstrapped" ]; then
        bootstrap
    else
        start_server
    fi
    say "ready: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DATA, log in $LOG"
    say "psql: $BIN/psql $URL"
    echo "export PG_URL=$URL"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
