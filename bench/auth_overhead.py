#!/usr/bin/env python3
"""The per-request cost of authentication: push throughput with htpasswd on, as a ratio to auth off.

    swift build -c release && python3 bench/auth_overhead.py --zotd .build/release/zotd

Starts zotd twice on loopback (no auth; `http.auth.htpasswd` with one bcrypt user, made with
`htpasswd -B` at its default cost), and pushes N blobs of SIZE bytes monolithically
(`POST /v2/<repo>/blobs/uploads/?digest=` with the body) from C client threads, each with its own
keep-alive connection and, with auth on, Basic credentials on every request as docker clients send
them. The two runs alternate ROUNDS times; the best and the median of each are reported, with the
ratios, and the server's CPU time per push (from /proc), which other load on the machine disturbs less.

Needs Python 3.11 (stdlib only) and `htpasswd` (Debian's apache2-utils).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary: str, auth: bool, workdir: Path):
        self.port = free_port()
        self.dir = workdir / ("auth" if auth else "open")
        self.dir.mkdir()
        section = {"address": "127.0.0.1", "port": str(self.port)}
        if auth:
            htpasswd = self.dir / "htpasswd"
            subprocess.run(["htpasswd", "-bBc", str(htpasswd), "bench", "bench-password"], check=True,
                           capture_output=True)
            section["auth"] = {"htpasswd": {"path": str(htpasswd)}}
        config = {"storage": {"rootDirectory": str(self.dir / "root"), "gc": False, "dedupe": True},
                  "http": section, "log": {"level": "warn"}}
        (self.dir / "config.json").write_text(json.dumps(config))
        self.log = open(self.dir / "server.log", "wb")
        self.proc = subprocess.Popen([binary, "serve", str(self.dir / "config.json")], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/v2/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"zotd did not start: {(self.dir / 'server.log').read_text()[-2000:]}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)
        self.log.close()


def push_all(port: int, blobs: list[bytes], concurrency: int, auth: bool, tag: str) -> float:
    """Pushes every blob, `concurrency` at a time; returns the seconds it took."""
    headers = {"Content-Type": "application/octet-stream"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(b"bench:bench-password").decode()
    work = list(enumerate(blobs))
    lock = threading.Lock()
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not work:
                    break
                index, data = work.pop()
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            conn.request("POST", f"/v2/bench/{tag}/blobs/uploads/?digest={digest}", body=data,
                         headers={**headers, "Content-Length": str(len(data))})
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                errors.append(response.status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} pushes failed, e.g. status {errors[0]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zotd", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("htpasswd") is None:
        raise SystemExit("htpasswd is missing: apt-get install apache2-utils")
    workdir = Path(tempfile.mkdtemp(prefix="zotd-auth-bench-"))
    servers = {}
    try:
        servers = {False: Server(args.zotd, False, workdir), True: Server(args.zotd, True, workdir)}
        times = {False: [], True: []}
        cpu = {False: 0.0, True: 0.0}
        for round_ in range(args.rounds):
            for auth in (False, True):
                blobs = [os.urandom(args.size) for _ in range(args.count)]
                cpu_before = servers[auth].cpu_seconds()
                seconds = push_all(servers[auth].port, blobs, args.concurrency, auth, f"r{round_}")
                cpu[auth] += servers[auth].cpu_seconds() - cpu_before
                times[auth].append(seconds)
                mb = args.count * args.size / 1e6
                print(f"round {round_ + 1} auth {'on ' if auth else 'off'}: {seconds:6.2f} s  "
                      f"{mb / seconds:7.1f} MB/s  {args.count / seconds:6.1f} pushes/s", flush=True)
        mb = args.count * args.size / 1e6
        for name, pick in (("best", min), ("median", statistics.median)):
            off, on = mb / pick(times[False]), mb / pick(times[True])
            print(f"{name}: auth off {off:.1f} MB/s, htpasswd on {on:.1f} MB/s, ratio on/off {on / off:.3f}")
        pushes = args.count * args.rounds
        per_off, per_on = cpu[False] / pushes * 1e6, cpu[True] / pushes * 1e6
        print(f"server CPU per push: auth off {per_off:.0f} µs, htpasswd on {per_on:.0f} µs "
              f"(difference {per_on - per_off:+.0f} µs, {100 * (per_on - per_off) / per_off:+.1f}%; "
              f"one bcrypt check per user per cache period is included)")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
