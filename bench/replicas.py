#!/usr/bin/env python3
"""Pulls from one zotd against pulls spread over three replicas sharing one PostgreSQL database and one root.

    python3 bench/replicas.py --zotd .build/release/zotd [--seconds 10] [--connections 24]

Starts a throwaway PostgreSQL (scripts/pg-test-store.sh, on its own port and directory, stopped and deleted
at the end), pushes 20 images (one 1 MiB layer each) through the first replica, then measures with wrk,
`--connections` in all, split evenly over the replicas being measured (a round-robin load balancer):
- manifest GETs by tag (a metadata read per request: SQLite in the reference, PostgreSQL in the replicas);
- 1 MiB blob GETs (sendfile from the shared root).
Rows: zotd alone on SQLite (the reference), one replica on PostgreSQL, three replicas on PostgreSQL.
The machine's cores bound all three together: on a 2-core machine the replicas share the same two cores,
so what the third row shows is the cost of more processes, not the gain of more machines.
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from loadgen import run_wrk  # noqa: E402
from registry import HOST, Server  # noqa: E402

ROOT = os.path.dirname(HERE)
PG_SCRIPT = os.path.join(ROOT, "scripts", "pg-test-store.sh")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
IMAGES = 20
LAYER = 1 << 20


class Replica(Server):
    """zotd over a root and, with `database`, a PostgreSQL database it shares with the other replicas."""

    def __init__(self, name, binary, workdir, root, database):
        super().__init__(name, "zotd", binary, workdir)
        self.root = root
        self.database = database

    def _write_config(self):
        storage = {"rootDirectory": self.root, "gc": False}
        if self.database:
            storage.update({"remoteCache": True, "cacheDriver": {"name": "postgresql", "url": self.database}})
        cfg = {"distSpecVersion": "1.1.1", "storage": storage, "http": {"address": HOST, "port": str(self.port)},
               "log": {"level": "warn"}}
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)


def request(port, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def push_blob(port, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, _, body = request(port, "POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data,
                              {"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return digest


def push_images(port):
    """IMAGES images in repository bench/app, tags v0..; returns the layer digests."""
    layers = []
    for n in range(IMAGES):
        layer = os.urandom(LAYER)
        config = json.dumps({"architecture": "amd64", "os": "linux", "nonce": n}).encode()
        layer_digest, config_digest = push_blob(port, "bench/app", layer), push_blob(port, "bench/app", config)
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest,
                        "size": LAYER}]}).encode()
        status, _, body = request(port, "PUT", f"/v2/bench/app/manifests/v{n}", manifest,
                                  {"Content-Type": OCI_MANIFEST})
        assert status == 201, (status, body)
        layers.append(layer_digest)
    return layers


def spread(replicas, path, seconds, connections, script=None):
    """wrk against each replica at once, `connections` split evenly; the summed rates."""
    results = [None] * len(replicas)

    def load(index):
        share = max(1, connections // len(replicas))
        results[index] = run_wrk(f"http://{HOST}:{replicas[index].port}{path}", seconds, script=script,
                                 threads=min(2, share), connections=share)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests_per_second": sum(r["rps"] for r in results), "p99_ms": max(r["p99_ms"] for r in results)}


def measure(label, replicas, layers, args):
    manifests = spread(replicas, "/v2/bench/app/manifests/v7", args.seconds, args.connections,
                       script="manifest_get.lua")
    blobs = spread(replicas, f"/v2/bench/app/blobs/{layers[3]}", args.seconds, args.connections)
    row = {"setup": label, "manifest_gets_per_second": round(manifests["requests_per_second"]),
           "manifest_p99_ms": round(manifests["p99_ms"], 1),
           "blob_mib_per_second": round(blobs["requests_per_second"] * LAYER / (1 << 20))}
    print(f"{label:<26} {row['manifest_gets_per_second']:>8,} manifest GET/s (p99 {row['manifest_p99_ms']} ms) "
          f"{row['blob_mib_per_second']:>7,} MiB/s of 1 MiB blob GETs", flush=True)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zotd", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=24)
    args = parser.parse_args()
    args.zotd = os.path.abspath(args.zotd)
    workdir = tempfile.mkdtemp(prefix="zotd-bench-replicas-")
    # Not under `workdir`: PostgreSQL runs as its own user, who cannot enter a directory only root may.
    environment = dict(os.environ, PG_TEST_DIR="/tmp/zotd-bench-pg", PG_TEST_PORT="15499")
    servers = []
    try:
        database = subprocess.run([PG_SCRIPT, "start"], env=environment, check=True, capture_output=True,
                                  text=True).stdout.strip().split("=", 1)[1]
        rows = []
        for label, count, shared in (("zotd alone, SQLite", 1, None), ("1 replica, PostgreSQL", 1, database),
                                     ("3 replicas, PostgreSQL", 3, database)):
            root = os.path.join(workdir, "sqlite-root" if shared is None else "shared-root")
            replicas = [Replica(f"{'sqlite' if shared is None else 'replica'}{n}-{count}", args.zotd, workdir, root,
                                shared) for n in range(count)]
            for replica in replicas:
                replica.start()
            servers = replicas
            if shared is None or count == 1:
                layers = push_images(replicas[0].port)
            rows.append(measure(label, replicas, layers, args))
            for replica in replicas:
                replica.stop()
            servers = []
        alone, three = rows[1], rows[2]
        print(f"3 replicas / 1 replica: manifests {three['manifest_gets_per_second'] / alone['manifest_gets_per_second']:.2f}x, "
              f"blobs {three['blob_mib_per_second'] / alone['blob_mib_per_second']:.2f}x "
              f"({os.cpu_count()} cores shared by every replica and by wrk)")
        print(json.dumps(rows))
    finally:
        for server in servers:
            server.stop()
        subprocess.run([PG_SCRIPT, "stop"], env=environment, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
