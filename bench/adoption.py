#!/usr/bin/env python3
"""Adopting a zot storage root: how long zotd's first start on zot's files takes, and every start after.

    python3 bench/adoption.py --zotd .build/release/zotd [--images 10000] [--tags 5] [--search]

Writes a zot root as zot lays it out (one OCI image layout per repository, tags as `ref.name` annotations,
a base layer shared by every repository as hard links of one file, zot's dedupe), `--images / --tags`
repositories of `--tags` images each; every image has its own config and its own layer (`--layer-kib`).
Then times zotd from `serve` to its first 200 on `GET /v2/` (adoption runs before the listener opens):
the first start adopts everything, the second finds nothing changed. An empty root's start is the
baseline. zot itself needs no adoption, and distribution cannot read this layout, so the machine's own
rates are the reference: the bytes verified per second against the single-core SHA-256 rate.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import machine  # noqa: E402
from registry import HOST, Server  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


class AdoptingZotd(Server):
    def __init__(self, binary, workdir, search):
        super().__init__("zotd", "zotd", binary, workdir)
        self.search = search

    def _write_config(self):
        cfg = {
            "distSpecVersion": "1.1.1",
            "storage": {"rootDirectory": self.root, "gc": False, "dedupe": True},
            "http": {"address": HOST, "port": str(self.port)},
            "log": {"level": "info"},
        }
        if self.search:
            cfg["extensions"] = {"search": {"enable": True}}
        with open(self.config_path, "w") as f:
            f.write(json.dumps(cfg) + "\n")


def canonical(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def write_blob(repo_dir, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(repo_dir, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def write_zot_root(root, images, tags, layer_kib, base_mib):
    """Returns (repositories, bytes of distinct blobs)."""
    base = os.urandom(base_mib << 20)
    base_digest = hashlib.sha256(base).hexdigest()
    base_path = None
    repositories = images // tags
    distinct = len(base)
    for r in range(repositories):
        repo_dir = os.path.join(root, f"team{r % 100:02d}", f"app{r:06d}")
        os.makedirs(os.path.join(repo_dir, "blobs", "sha256"))
        with open(os.path.join(repo_dir, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        shared = os.path.join(repo_dir, "blobs", "sha256", base_digest)
        if base_path is None:
            with open(shared, "wb") as f:
                f.write(base)
            base_path = shared
        else:
            os.link(base_path, shared)
        entries = []
        for t in range(tags):
            layer = write_blob(repo_dir, os.urandom(layer_kib << 10))
            config = write_blob(repo_dir, canonical({
                "architecture": "amd64", "os": "linux",
                "config": {"Labels": {"bench.image": f"{r}-{t}"}},
                "rootfs": {"type": "layers", "diff_ids": ["sha256:" + base_digest, layer["digest"]]},
            }))
            distinct += layer["size"] + config["size"]
            manifest = canonical({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, **config},
                "layers": [{"mediaType": OCI_LAYER, "digest": "sha256:" + base_digest, "size": len(base)},
                           {"mediaType": OCI_LAYER, **layer}],
            })
            descriptor = write_blob(repo_dir, manifest)
            distinct += descriptor["size"]
            entries.append({"mediaType": OCI_MANIFEST, **descriptor,
                            "annotations": {"org.opencontainers.image.ref.name": f"v{t}"}})
        with open(os.path.join(repo_dir, "index.json"), "wb") as f:
            f.write(canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}))
    return repositories, distinct


def timed_start(server):
    t0 = time.perf_counter()
    server.spawn()
    server.wait_ready(timeout=1800)
    return time.perf_counter() - t0


def summary_lines(server):
    with open(server.log_path, errors="replace") as f:
        return re.findall(r"adopted \d+ of \d+ zot repositories.*", f.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zotd", required=True)
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--tags", type=int, default=5)
    ap.add_argument("--layer-kib", type=int, default=16)
    ap.add_argument("--base-mib", type=int, default=8)
    ap.add_argument("--search", action="store_true", help="with the search extension (its index is built too)")
    args = ap.parse_args()
    args.zotd = os.path.abspath(args.zotd)

    work = tempfile.mkdtemp(prefix="zotd-adopt-bench-")
    try:
        empty = AdoptingZotd(args.zotd, os.path.join(work, "empty"), args.search)
        baseline = timed_start(empty)
        empty.stop()

        server = AdoptingZotd(args.zotd, work, args.search)
        t0 = time.perf_counter()
        repositories, distinct = write_zot_root(server.root, args.images, args.tags, args.layer_kib, args.base_mib)
        print(f"zot root written: {repositories} repositories x {args.tags} tags = {repositories * args.tags} images, "
              f"{distinct / 1048576:.0f} MiB of distinct blobs, in {time.perf_counter() - t0:.1f} s")
        os.sync()
        first = timed_start(server)
        server.stop()
        second = timed_start(server)
        server.stop()
        sha = machine.sha256_mibps(256 << 20)
        for line in summary_lines(server):
            print("  log:", line)
        print()
        print(f"{'start':<42}{'seconds':>10}")
        print(f"{'empty root (baseline)':<42}{baseline:>10.2f}")
        print(f"{'first start: adopts every image':<42}{first:>10.2f}")
        print(f"{'second start: nothing changed':<42}{second:>10.2f}")
        images_per_s = repositories * args.tags / max(first - baseline, 1e-9)
        print(f"\nadoption: {images_per_s:,.0f} images/s, {distinct / 1048576 / max(first - baseline, 1e-9):,.0f} MiB/s "
              f"of distinct blobs verified (single-core SHA-256: {sha:,.0f} MiB/s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
