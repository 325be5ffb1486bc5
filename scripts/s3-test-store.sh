#!/usr/bin/env bash
# s3-test-store.sh start|stop — the S3 store `make test-scale` runs against: Ceph's RADOS Gateway from
# Debian, over a one-node cluster (one monitor, one OSD on a sparse file, one replica, cephx off) on
# loopback. Idempotent: installs the packages when missing, bootstraps once, starts what is not running.
#
# `start` prints, last, `S3_ENDPOINT=... S3_ACCESS_KEY=... S3_SECRET_KEY=...` for `export $(... | tail -1)`.
# `stop` stops the gateway, then the OSD, then the monitor (each needs the next to shut down cleanly) and
# deletes the data: every run starts from an empty store.
#
# Environment: ZOTD_S3_DATA (default /tmp/zotd-s3), ZOTD_S3_PORT (7480), ZOTD_S3_MON_PORT (13300).
set -euo pipefail

DATA=${ZOTD_S3_DATA:-/tmp/zotd-s3}
PORT=${ZOTD_S3_PORT:-7480}
MON_PORT=${ZOTD_S3_MON_PORT:-13300}
ACCESS_KEY=ZOTDTESTACCESSKEY001
SECRET_KEY=zotdtestsecretkey00000000000000000000001
CONF=$DATA/ceph.conf
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
say() { echo "[s3-test-store] $*" >&2; }

running() {   # running NAME COMMAND: the daemon of our pid file is alive
    local pid
    pid=$(cat "$DATA/run/$1.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

wait_until() {   # wait_until WHAT COMMAND...: up to 120 s
    local what=$1 deadline=$(($(date +%s) + 120))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { say "timed out waiting for $what"; tail -n 20 "$DATA"/log/*.log >&2 || true; exit 1; }
        sleep 0.2
    done
}

ceph_() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
gateway_answers() { curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; }

stop() {
    local name comm pid
    for pair in client.rgw.zotd:radosgw osd.0:ceph-osd mon.a:ceph-mon; do
        name=${pair%%:*} comm=${pair#*:}
        running "$name" "$comm" || continue
        pid=$(cat "$DATA/run/$name.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 150); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$DATA"
}

start() {
    local missing=()
    for package in ceph-mon ceph-osd radosgw ceph-common; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
        # No systemd: the packages' own attempts to start services fail, harmlessly.
        apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if [ ! -f "$DATA/bootstrapped" ]; then
        stop
        mkdir -p "$DATA"/{run,log,mon,osd}
        local fsid osd_uuid
        fsid=$(cat /proc/sys/kernel/random/uuid)
        cat >"$CONF" <<CONF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$MON_PORT]
public_addr = 127.0.0.1
ms_bind_msgr1 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# Without this the gateway waits minutes for a secure monitor session, which auth none cannot give.
ms_mon_client_mode = crc
client_mount_timeout = 30
# Pools the gateway creates are committed in 0.1 s rather than 1 s.
paxos_propose_interval = 0.1
run_dir = $DATA/run
admin_socket = $DATA/run/\$name.asok
pid_file = $DATA/run/\$name.pid
log_file = $DATA/log/\$name.log
mon_cluster_log_file = $DATA/log/cluster.log
mon_data = $DATA/mon/\$cluster-\$id
osd_data = $DATA/osd/\$cluster-\$id
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
osd_objectstore = bluestore
osd_memory_target = 1073741824
bluestore_block_create = true
bluestore_block_size = 8589934592
[client.rgw.zotd]
rgw_frontends = beast endpoint=127.0.0.1:$PORT
CONF
        monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DATA/monmap" >/dev/null
        ceph-mon -c "$CONF" --mkfs -i a --monmap "$DATA/monmap"
        ceph-mon -c "$CONF" -i a
        wait_until "the monitor" ceph_ mon stat
        osd_uuid=$(cat /proc/sys/kernel/random/uuid)
        [ "$(ceph_ osd new "$osd_uuid")" = 0 ] || { say "the OSD did not get id 0"; exit 1; }
        mkdir -p "$DATA/osd/ceph-0"
        ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$DATA/log/mkfs-osd.out" 2>&1
        touch "$DATA/bootstrapped"
    fi
    running mon.a ceph-mon || { ceph-mon -c "$CONF" -i a; wait_until "the monitor" ceph_ mon stat; }
    running osd.0 ceph-osd || ceph-osd -c "$CONF" -i 0
    wait_until "the OSD" sh -c "timeout 30 ceph -c '$CONF' osd dump | grep -q '^osd.0 up'"
    running client.rgw.zotd radosgw || radosgw -c "$CONF" -n client.rgw.zotd
    wait_until "the gateway on 127.0.0.1:$PORT" gateway_answers
    radosgw-admin -c "$CONF" user info --uid=zotd >/dev/null 2>&1 ||
        radosgw-admin -c "$CONF" user create --uid=zotd --display-name=zotd \
            --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
    # The buckets the tests use: Tests/StorageTests/Backend.swift and Tests/e2e/test_s3_storage.py.
    for bucket in zotd-conformance zotd-e2e; do
        # The gateway wants the payload's hash signed too; curl 7.88 does not add it by itself.
        curl -sS -o /dev/null -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
            -H "x-amz-content-sha256: $EMPTY_SHA256" "http://127.0.0.1:$PORT/$bucket"
    done
    say "ready"
    echo "S3_ENDPOINT=http://127.0.0.1:$PORT S3_ACCESS_KEY=$ACCESS_KEY S3_SECRET_KEY=$SECRET_KEY"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
