#!/usr/bin/env python3
"""Sync on demand: zotd as a pull-through cache of a loopback distribution, against pulling from it directly.

    python3 bench/sync.py --zotd .build/release/zotd [--layer-mib 256] [--rounds 3]

Starts Debian's docker-registry (distribution 2.8.2, access log on) as the upstream and zotd with
`extensions.sync.registries[{urls: [upstream], onDemand: true}]`, pushes an image with one `--layer-mib`
layer to the upstream, then measures with curl (a C client, so the client is not the limit):
- a cold pull through zotd: the manifest's answer time, the layer's time to first byte and its rate;
- eight concurrent cold pulls of another image's layer: their total rate and the upstream GETs they cost;
- cached pulls (once zotd stored the image, five per round): manifest time, layer rate, and the upstream
  requests they cost, per pull;
- the same layer pulled from the upstream directly, the reference.
Medians of `--rounds` (a fresh image per cold round).
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from registry import HOST, Server  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = OCI_MANIFEST + ", application/vnd.oci.image.index.v1+json"
# Cached pulls per round: the first one after the image is stored starts the tag's background check (one HEAD
# upstream); the others, within revalidateAfter, cost the upstream nothing.
CACHED_PULLS = 5


class Upstream(Server):
    """distribution with its access log on: the log is how requests reaching the upstream are counted."""

    def __init__(self, binary, workdir):
        super().__init__("upstream", "distribution", binary, workdir)

    def _write_config(self):
        with open(self.config_path, "w") as f:
            f.write(
                "version: 0.1\nlog: {level: error}\n"
                f"storage:\n  filesystem: {{rootdirectory: {self.root}}}\n"
                "  maintenance: {uploadpurging: {enabled: false}}\n"
                f"http: {{addr: '{HOST}:{self.port}'}}\n"
            )

    def requests(self):
        with open(self.log_path, errors="replace") as f:
            return len(re.findall(r'"(?:GET|HEAD) /v2/\S+ HTTP', f.read()))


class Mirror(Server):
    def __init__(self, binary, workdir, upstream):
        super().__init__("zotd", "zotd", binary, workdir)
        self.upstream = upstream

    def _write_config(self):
        cfg = {
            "distSpecVersion": "1.1.1",
            "storage": {"rootDirectory": self.root, "gc": False},
            "http": {"address": HOST, "port": str(self.port)},
            "log": {"level": "warn"},
            "extensions": {"sync": {"enable": True, "registries": [
                {"urls": [f"http://{HOST}:{self.upstream.port}"], "onDemand": True, "tlsVerify": False}]}},
        }
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def push_blob_file(port, repo, path, digest):
    status, headers, _ = request(port, "POST", f"/v2/{repo}/blobs/uploads/")
    assert status == 202, status
    location = headers["Location"]
    url = location if location.startswith("http") else f"http://{HOST}:{port}{location}"
    url += ("&" if "?" in url else "?") + "digest=" + digest
    subprocess.run(["curl", "-sSf", "-X", "PUT", "-H", "Content-Type: application/octet-stream",
                    "--data-binary", f"@{path}", url], check=True, stdout=subprocess.DEVNULL)


def push_image(port, repo, tag, layer_path, layer_digest, layer_size):
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                         "config": {"Labels": {"nonce": os.urandom(8).hex()}}}).encode()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    status, headers, _ = request(port, "POST", f"/v2/{repo}/blobs/uploads/")
    location = headers["Location"].split(f"{HOST}:{port}", 1)[-1]
    status, _, _ = request(port, "PUT", location + ("&" if "?" in location else "?") + "digest=" + config_digest,
                           body=config, headers={"Content-Type": "application/octet-stream"})
    assert status == 201, status
    push_blob_file(port, repo, layer_path, layer_digest)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                       "digest": layer_digest, "size": layer_size}]}).encode()
    status, _, body = request(port, "PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
                              headers={"Content-Type": OCI_MANIFEST})
    assert status == 201, (status, body)
    return config_digest


def random_layer(directory, mib):
    path = os.path.join(directory, f"layer-{os.urandom(4).hex()}")
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(mib):
            chunk = os.urandom(1 << 20)
            h.update(chunk)
            f.write(chunk)
    return path, "sha256:" + h.hexdigest()


def curl(port, path):
    """(seconds to first byte, seconds in all, bytes/s) of a GET, body discarded."""
    out = subprocess.run(
        ["curl", "-sSf", "-o", "/dev/null", "-H", f"Accept: {ACCEPT}",
         "-w", "%{time_starttransfer} %{time_total} %{speed_download}", f"http://{HOST}:{port}{path}"],
        check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def wait_stored(port, repo, tag, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, body = request(port, "GET", f"/v2/{repo}/tags/list")
        if status == 200 and tag in json.loads(body).get("tags", []):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{repo}:{tag} not stored after {timeout}s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zotd", required=True)
    ap.add_argument("--distribution", default=shutil.which("docker-registry") or "/usr/bin/docker-registry")
    ap.add_argument("--layer-mib", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="zotd-sync-bench-")
    upstream = Upstream(os.path.abspath(args.distribution), work)
    mirror = Mirror(os.path.abspath(args.zotd), work, upstream)
    try:
        upstream.start()
        mirror.start()
        size = args.layer_mib << 20
        cold = {"manifest": [], "ttfb": [], "rate": []}
        cached = {"manifest": [], "rate": [], "upstream": []}
        direct = []
        for round_ in range(args.rounds):
            layer, digest = random_layer(work, args.layer_mib)
            repo = f"bench/app{round_}"
            push_image(upstream.port, repo, "v1", layer, digest, size)
            os.unlink(layer)
            direct.append(curl(upstream.port, f"/v2/{repo}/blobs/{digest}")[2])
            cold["manifest"].append(curl(mirror.port, f"/v2/{repo}/manifests/v1")[1])
            ttfb, _, rate = curl(mirror.port, f"/v2/{repo}/blobs/{digest}")
            cold["ttfb"].append(ttfb)
            cold["rate"].append(rate)
            wait_stored(mirror.port, repo, "v1")
            before = upstream.requests()
            for _ in range(CACHED_PULLS):
                cached["manifest"].append(curl(mirror.port, f"/v2/{repo}/manifests/v1")[1])
                cached["rate"].append(curl(mirror.port, f"/v2/{repo}/blobs/{digest}")[2])
            time.sleep(0.3)  # a background check, if any, lands in the log
            cached["upstream"].append((upstream.requests() - before) / CACHED_PULLS)

        layer, digest = random_layer(work, args.layer_mib)
        push_image(upstream.port, "bench/fanout", "v1", layer, digest, size)
        os.unlink(layer)
        before_gets = upstream.requests()
        barrier = threading.Barrier(8)
        results = []

        def pull():
            barrier.wait()
            results.append(curl(mirror.port, f"/v2/bench/fanout/blobs/{digest}"))

        started = time.perf_counter()
        threads = [threading.Thread(target=pull) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fanout_seconds = time.perf_counter() - started
        fanout_gets = upstream.requests() - before_gets

        mib = 1 << 20
        print(f"\nsync on demand, {args.layer_mib} MiB layer, zotd in front of distribution 2.8.2 on loopback, "
              f"medians of {args.rounds}:")
        print(f"  cold pull through zotd: manifest {median(cold['manifest']) * 1000:.1f} ms, "
              f"layer first byte {median(cold['ttfb']) * 1000:.1f} ms, layer {median(cold['rate']) / mib:,.0f} MiB/s")
        print(f"  cached pull from zotd:  manifest {median(cached['manifest']) * 1000:.1f} ms, "
              f"layer {median(cached['rate']) / mib:,.0f} MiB/s, "
              f"upstream requests per cached pull: {median(cached['upstream'])}")
        print(f"  direct from distribution: layer {median(direct) / mib:,.0f} MiB/s")
        print(f"  8 concurrent cold pulls of one layer: {8 * size / fanout_seconds / mib:,.0f} MiB/s in all, "
              f"{fanout_gets} upstream request(s)")
        print(f"  ratios: cold/direct {median(cold['rate']) / median(direct):.2f}, "
              f"cached/direct {median(cached['rate']) / median(direct):.2f}")
    finally:
        mirror.stop()
        upstream.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
