#!/usr/bin/env python3
"""One collection over PostgreSQL metadata: how long it takes to delete what a number of untagged images left.

    python3 bench/gc.py --zotd .build/release/zotd [--images 1000]

Starts a throwaway PostgreSQL (scripts/pg-test-store.sh, on its own port and directory, stopped and deleted at
the end) and one zotd with the metrics extension, collection every 5 s and a 1 s delay. Pushes `--images`
images (a 4 KiB layer and a config each, every blob distinct) tagged, lets one collection review them (all
live), deletes every tag, and times the collections that follow until all is gone, from zot's metrics (`zot_gc_duration_seconds`,
`zot_gc_deleted_total`): it reviews the queued manifests, deletes them, their links and their blobs.
Blobs are on local disk, or in the S3 store S3_ENDPOINT names (`scripts/s3-test-store.sh start`, as
`make test-scale` starts it) when it is set. Prints deletions a minute.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from registry import HOST, Server  # noqa: E402
from replicas import OCI_MANIFEST, PG_SCRIPT, push_blob, request  # noqa: E402

LAYER = 4096


class Collector(Server):
    """zotd over PostgreSQL, collecting every 5 s, with its metrics."""

    def __init__(self, binary, workdir, database, s3):
        super().__init__("collector", "zotd", binary, workdir)
        self.database = database
        self.s3 = s3

    def _write_config(self):
        storage = {"rootDirectory": self.root, "gc": True, "gcDelay": "1s", "gcInterval": "5s",
                   "remoteCache": True, "cacheDriver": {"name": "postgresql", "url": self.database}}
        if self.s3:
            storage["storageDriver"] = self.s3
        cfg = {"distSpecVersion": "1.1.1", "storage": storage, "http": {"address": HOST, "port": str(self.port)},
               "log": {"level": "warn"}, "extensions": {"metrics": {"enable": True, "prometheus": {"path": "/metrics"}}}}
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)


def metrics(port):
    """zot_gc_duration_seconds_{sum,count} and zot_gc_deleted_total by type."""
    _, _, body = request(port, "GET", "/metrics")
    values = {}
    for line in body.decode().splitlines():
        match = re.match(r'^(zot_gc_duration_seconds_(?:sum|count)|zot_gc_deleted_total\{type="(\w+)"\})\s+(\S+)$', line)
        if match:
            values[match.group(2) or match.group(1)] = float(match.group(3))
    values.setdefault("zot_gc_duration_seconds_count", 0)
    values.setdefault("zot_gc_duration_seconds_sum", 0)
    return values


def wait_for_collection(port, after_count, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = metrics(port)
        if now.get("zot_gc_duration_seconds_count", 0) > after_count:
            return now
        time.sleep(0.2)
    raise TimeoutError("no collection ran")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zotd", required=True)
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="zotd-bench-gc-")
    environment = dict(os.environ, PG_TEST_DIR="/tmp/zotd-bench-gc-pg", PG_TEST_PORT="15498")
    s3 = None
    if os.environ.get("S3_ENDPOINT"):
        s3 = {"name": "s3", "region": "us-east-1", "bucket": "zotd-e2e", "regionendpoint": os.environ["S3_ENDPOINT"],
              "rootdirectory": f"bench-gc-{uuid.uuid4().hex[:8]}", "accesskey": os.environ.get("S3_ACCESS_KEY", ""),
              "secretkey": os.environ.get("S3_SECRET_KEY", ""), "secure": False}
    server = None
    try:
        database = subprocess.run([PG_SCRIPT, "start"], env=environment, check=True, capture_output=True,
                                  text=True).stdout.strip().split("=", 1)[1]
        server = Collector(os.path.abspath(args.zotd), workdir, database, s3)
        server.start()
        started = time.monotonic()
        for n in range(args.images):
            layer = push_blob(server.port, "bench/gc", os.urandom(LAYER))
            config_bytes = json.dumps({"architecture": "amd64", "os": "linux", "nonce": n}).encode()
            config = push_blob(server.port, "bench/gc", config_bytes)
            manifest = json.dumps({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config,
                           "size": len(config_bytes)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": LAYER}],
            }).encode()
            status, _, body = request(server.port, "PUT", f"/v2/bench/gc/manifests/v{n}", manifest,
                                      {"Content-Type": OCI_MANIFEST})
            assert status == 201, (status, body)
        pushed = time.monotonic() - started
        # One collection reviews what the pushes queued (all of it live), so that the ones timed review only
        # what the deletions queue.
        wait_for_collection(server.port, metrics(server.port).get("zot_gc_duration_seconds_count", 0))
        before = metrics(server.port)
        for n in range(args.images):
            status, _, body = request(server.port, "DELETE", f"/v2/bench/gc/manifests/v{n}")
            assert status == 202, (status, body)
        # Every collection from here on counts, until all is gone (one may start half-way through the deletes).
        after = before
        while after.get("manifest", 0) - before.get("manifest", 0) < args.images or \
                after.get("blob", 0) - before.get("blob", 0) < 2 * args.images:
            after = wait_for_collection(server.port, after["zot_gc_duration_seconds_count"])
        seconds = after["zot_gc_duration_seconds_sum"] - before["zot_gc_duration_seconds_sum"]
        runs = int(after["zot_gc_duration_seconds_count"] - before["zot_gc_duration_seconds_count"])
        deleted = {kind: int(after.get(kind, 0) - before.get(kind, 0)) for kind in ("manifest", "blob")}
        print(f"blobs {'in S3' if s3 else 'on local disk'}, metadata in PostgreSQL; {args.images} images pushed in {pushed:.1f} s")
        print(f"{runs} collection(s): {deleted['manifest']:,} manifests and {deleted['blob']:,} blobs (one link each) "
              f"in {seconds:.2f} s: "
              f"{deleted['blob'] / seconds * 60:,.0f} blob deletions a minute", flush=True)
        print(json.dumps({"images": args.images, "seconds": round(seconds, 2), "deleted": deleted,
                          "blobs_per_minute": round(deleted["blob"] / seconds * 60), "s3": bool(s3)}))
    finally:
        if server:
            server.stop()
        subprocess.run([PG_SCRIPT, "stop"], env=environment, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
