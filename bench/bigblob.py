#!/usr/bin/env python3
"""Big blobs against the machine's own limit: every push path, pulls plain and over TLS, with curl.

    python3 bench/bigblob.py --zotd .build/release/zotd [--mib 512] [--rounds 3]

zotd and Debian's docker-registry (distribution 2.8.2) run side by side on loopback; curl (a C client, so the
client is not the limit) pushes a `--mib` blob each way a client can:
- `POST ?digest=` with the body (one request; distribution does not take it);
- `POST`, one `PATCH` streaming the whole body, `PUT ?digest=`;
- `POST`, `PATCH`es of 64 MiB with `Content-Range`, `PUT ?digest=`;
- `POST`, `PATCH`es of 64 MiB but the last, `PUT ?digest=` carrying the last.
Beside them, `POST ?digest=` into the machine's push ceiling (`pushceiling.c`: the least a registry must
do, in C on three threads), the servers taking turns round by round. Each figure is MiB/s; % of this
machine's single-core SHA-256 rate measured in the same run (the hashing limit: a push must hash every byte
once); % of the ceiling's rate; MiB/s and % of SHA-256 over the push's requests alone (summed from curl's own
timings: without the start of a curl process per request, nine or ten on the chunked paths); the server's
CPU-seconds per GiB pushed (from /proc); and zotd/distribution. Then pulls with curl (after
one untimed), plain and (zotd) over TLS, with curl's own CPU per GiB, and zotd's peak RSS during one push
of the blob and during 32 parallel pushes of 32 MiB. Medians of `--rounds`.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import typing

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import machine  # noqa: E402
from registry import HOST, Server  # noqa: E402

MiB = 1 << 20
CHUNK = 64 * MiB
TICKS = os.sysconf("SC_CLK_TCK")


class PushCeiling(Server):
    """`pushceiling.c`, built here: receives a pushed body, hashes it, writes it past the page cache and
    fdatasyncs it, on three threads, and answers 201 when the digest matches; nothing else."""

    def __init__(self, workdir):
        binary = os.path.join(workdir, "pushceiling")
        subprocess.run(["cc", "-O2", "-pthread", "-o", binary, os.path.join(HERE, "pushceiling.c"), "-lcrypto"],
                       check=True)
        super().__init__("ceiling (C)", "ceiling", binary, workdir)

    def _write_config(self):
        pass

    def command(self):
        return [self.binary, str(self.port), self.root]


class Zotd(Server):
    def __init__(self, binary, workdir, name="zotd", tls=None):
        super().__init__(name, "zotd", binary, workdir)
        self.tls = tls

    def _write_config(self):
        http = {"address": HOST, "port": str(self.port)}
        if self.tls:
            http["tls"] = {"cert": self.tls[0], "key": self.tls[1]}
        cfg = {"distSpecVersion": "1.1.1", "storage": {"rootDirectory": self.root, "gc": False},
               "http": http, "log": {"level": "warn"}}
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)

    def wait_ready(self, timeout=60.0, path="/v2/"):
        if not self.tls:
            return super().wait_ready(timeout, path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                                f"https://{HOST}:{self.port}/v2/"], capture_output=True, text=True)
            if r.stdout == "200":
                return 0
            time.sleep(0.05)
        raise RuntimeError("zotd over TLS did not start")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


class Reply(typing.NamedTuple):
    status: int
    headers: dict
    # From the connection's start to the response's end, as curl timed it: the request's time without the
    # client process's start.
    seconds: float


def curl(*args, ok=(200, 201, 202, 204), upload=None):
    """curl `args`; with `upload`, the file's bytes are the body, streamed from stdin with their length
    (`-T path` would append the file's name to a URL ending in `/`, as the upload URLs do)."""
    # Without its Transfer-Encoding: chunked (curl's default for stdin), which beside a Content-Length makes a
    # request any careful server refuses; without Expect, which costs a round trip.
    extra = (["-T", "-", "-H", f"Content-Length: {os.path.getsize(upload)}", "-H", "Transfer-Encoding:",
              "-H", "Expect:"] if upload else [])
    with open(upload or os.devnull, "rb") as body:
        out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-D", "-", "-w", "\n%{http_code} %{time_total}", *extra,
                              *args],
                             check=True, capture_output=True, text=True, stdin=body).stdout
    status, seconds = out.rsplit("\n", 1)[1].split()
    status = int(status)
    if status not in ok:
        raise RuntimeError(f"curl {' '.join(args)} answered {status}")
    headers = {}
    for line in out.splitlines():
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return Reply(status, headers, float(seconds))


def location(base, headers):
    loc = headers["location"]
    return loc if loc.startswith("http") else base + loc


def with_digest(url, digest):
    return url + ("&" if "?" in url else "?") + "digest=" + digest


OCTET = ["-H", "Content-Type: application/octet-stream"]


# Each push returns the seconds its requests took (`Reply.seconds`, summed).

def push_post_digest(base, repo, path, digest, chunks):
    return curl("-X", "POST", *OCTET, with_digest(f"{base}/v2/{repo}/blobs/uploads/", digest), ok=(201,),
                upload=path).seconds


def push_patch_streamed(base, repo, path, digest, chunks):
    started = curl("-X", "POST", f"{base}/v2/{repo}/blobs/uploads/", ok=(202,))
    patched = curl("-X", "PATCH", *OCTET, location(base, started.headers), ok=(202,), upload=path)
    put = curl("-X", "PUT", "-H", "Content-Length: 0", with_digest(location(base, patched.headers), digest),
               ok=(201,))
    return started.seconds + patched.seconds + put.seconds


def push_patch_chunked(base, repo, path, digest, chunks, carry_last=False):
    reply = curl("-X", "POST", f"{base}/v2/{repo}/blobs/uploads/", ok=(202,))
    seconds, offset = reply.seconds, 0
    for i, piece in enumerate(chunks):
        size = os.path.getsize(piece)
        if carry_last and i == len(chunks) - 1:
            url = with_digest(location(base, reply.headers), digest)
            return seconds + curl("-X", "PUT", *OCTET, url, ok=(201,), upload=piece).seconds
        reply = curl("-X", "PATCH", *OCTET, "-H", f"Content-Range: {offset}-{offset + size - 1}",
                     location(base, reply.headers), ok=(202,), upload=piece)
        seconds, offset = seconds + reply.seconds, offset + size
    url = with_digest(location(base, reply.headers), digest)
    return seconds + curl("-X", "PUT", "-H", "Content-Length: 0", url, ok=(201,)).seconds


# Each path, and the servers that take it: distribution has no `POST ?digest=` with a body, and the ceiling
# takes nothing else.
PATHS = [
    ("POST ?digest= with the body", push_post_digest, {"zotd", "ceiling"}),
    ("PATCH streamed, PUT ?digest=", push_patch_streamed, {"zotd", "distribution"}),
    ("PATCH chunks with Content-Range, PUT ?digest=", push_patch_chunked, {"zotd", "distribution"}),
    ("PATCH chunks, PUT ?digest= with the last", lambda *a: push_patch_chunked(*a, carry_last=True),
     {"zotd", "distribution"}),
]


def random_blob(directory, mib):
    """One file of `mib` random MiB, and its 64 MiB pieces; its digest."""
    path = os.path.join(directory, f"blob-{os.urandom(4).hex()}")
    h = hashlib.sha256()
    pieces = []
    with open(path, "wb") as whole:
        for start in range(0, mib, CHUNK // MiB):
            piece_path = f"{path}.{len(pieces)}"
            with open(piece_path, "wb") as piece:
                for _ in range(min(CHUNK // MiB, mib - start)):
                    data = os.urandom(MiB)
                    h.update(data)
                    whole.write(data)
                    piece.write(data)
            pieces.append(piece_path)
    return path, pieces, "sha256:" + h.hexdigest()


def remove_blob(path, pieces):
    for p in [path, *pieces]:
        os.unlink(p)


def pull_median(url, mib, rounds, *flags):
    """Median MiB/s of `rounds` pulls of `url` by curl, and curl's own median CPU-s per GiB, which tells when
    the client is the limit (over TLS it decrypts on one core). One pull goes first, untimed: zotd writes
    blobs past the page cache (direct I/O) and distribution through it, so a first pull from zotd would time
    the disk and one from distribution the cache."""
    def one():
        before = os.times()
        out = subprocess.run(["curl", "-sSf", *flags, "-o", "/dev/null", "-w", "%{speed_download}", url],
                             check=True, capture_output=True, text=True).stdout
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        return float(out) / MiB, cpu / (mib / 1024)
    one()
    samples = [one() for _ in range(rounds)]
    return median([rate for rate, _ in samples]), median([cpu for _, cpu in samples])


def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def self_signed(directory):
    key, cert = os.path.join(directory, "tls.key"), os.path.join(directory, "tls.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zotd", required=True)
    ap.add_argument("--distribution", default=shutil.which("docker-registry") or "/usr/bin/docker-registry")
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    zotd_binary, dist_binary = os.path.abspath(args.zotd), os.path.abspath(args.distribution)
    work = tempfile.mkdtemp(prefix="zotd-bigblob-")
    registries = [Zotd(zotd_binary, work), Server("distribution", "distribution", dist_binary, work)]
    ceiling = PushCeiling(work)
    servers = [*registries, ceiling]
    results = {}
    try:
        sha = machine.sha256_mibps(512 * MiB)
        for server in servers:
            server.start()
        for label, push, kinds in PATHS:
            takers = [server for server in servers if server.kind in kinds]
            # Made before the timed pushes, and flushed: writing them between pushes left the pushes
            # competing with their write-back (a streamed PATCH measured at a third of its speed).
            blobs = {server.name: [random_blob(work, args.mib) for _ in range(args.rounds)] for server in takers}
            os.sync()
            samples = {server.name: [] for server in takers}
            # Round by round, the servers in turn: a slow window of the VM then falls on each of them, not
            # on one, and the ratios hold even when the rates move.
            for turn in range(args.rounds):
                for server in takers:
                    path, pieces, digest = blobs[server.name][turn]
                    base = f"http://{HOST}:{server.port}"
                    cpu0, t0 = cpu_seconds(server.proc.pid), time.perf_counter()
                    in_requests = push(base, "bench/big", path, digest, pieces)
                    seconds, cpu = time.perf_counter() - t0, cpu_seconds(server.proc.pid) - cpu0
                    remove_blob(path, pieces)
                    samples[server.name].append((args.mib / seconds, args.mib / in_requests,
                                                 cpu / (args.mib / 1024)))
            for name, taken in samples.items():
                results[(label, name)] = tuple(median(list(column)) for column in zip(*taken))

        ceiling.stop()

        # Pulls: the last blob pushed to each server, plain; zotd over TLS too (its own root, same bytes).
        # Flushed first, as for the pushes: unflushed, the blob's write-back slowed the first server's pulls.
        path, pieces, digest = random_blob(work, args.mib)
        os.sync()
        pulls = {}
        for server in registries:
            base = f"http://{HOST}:{server.port}"
            push_patch_streamed(base, "bench/pull", path, digest, pieces)
            pulls[server.name] = pull_median(f"{base}/v2/bench/pull/blobs/{digest}", args.mib, args.rounds)
        tls = Zotd(zotd_binary, work, name="zotd-tls", tls=self_signed(work))
        tls.start()
        tls_base = f"https://{HOST}:{tls.port}"
        curl("-k", "-X", "POST", *OCTET, with_digest(f"{tls_base}/v2/bench/pull/blobs/uploads/", digest),
             ok=(201,), upload=path)
        pulls["zotd over TLS"] = pull_median(f"{tls_base}/v2/bench/pull/blobs/{digest}", args.mib, args.rounds, "-k")
        tls.stop()
        remove_blob(path, pieces)

        # Memory: a fresh zotd for each figure, so that its peak is this work's.
        memory = {}
        fresh = Zotd(zotd_binary, work, name="zotd-memory")
        fresh.start()
        path, pieces, digest = random_blob(work, args.mib)
        push_patch_streamed(f"http://{HOST}:{fresh.port}", "bench/mem", path, digest, pieces)
        memory[f"one {args.mib} MiB push"] = peak_rss_mib(fresh.proc.pid)
        remove_blob(path, pieces)
        fresh.stop()
        fresh = Zotd(zotd_binary, work, name="zotd-memory32")
        fresh.start()
        blobs = [random_blob(work, 32) for _ in range(32)]
        threads = [threading.Thread(target=push_post_digest,
                                    args=(f"http://{HOST}:{fresh.port}", f"bench/m{i}", b[0], b[2], b[1]))
                   for i, b in enumerate(blobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        memory["32 parallel pushes of 32 MiB"] = peak_rss_mib(fresh.proc.pid)
        for b in blobs:
            remove_blob(b[0], b[1])
        fresh.stop()

        print(f"\nbig blobs, {args.mib} MiB, curl over loopback, medians of {args.rounds}; "
              f"single-core SHA-256 here: {sha:,.0f} MiB/s")
        ceiling_rate = results[(PATHS[0][0], ceiling.name)][0]
        print(f"{'push path':<48}{'server':<14}{'MiB/s':>8}{'% SHA':>8}{'% ceiling':>11}{'in requests':>13}"
              f"{'CPU-s/GiB':>11}{'vs dist':>9}")
        for label, _, _ in PATHS:
            dist = results.get((label, "distribution"))
            for server in servers:
                if (label, server.name) not in results:
                    continue
                rate, request_rate, cpu = results[(label, server.name)]
                ratio = f"{rate / dist[0]:.2f}x" if dist and server.name == "zotd" else ""
                print(f"{label:<48}{server.name:<14}{rate:>8,.0f}{100 * rate / sha:>7.0f}%"
                      f"{100 * rate / ceiling_rate:>10.0f}%{request_rate:>8,.0f} {100 * request_rate / sha:>3.0f}%"
                      f"{cpu:>11.2f}{ratio:>9}")
        print(f"hashing alone costs {1024 / sha:.2f} CPU-s/GiB; the ceiling is the least a push must do "
              f"(pushceiling.c), in C")
        for name, (rate, client_cpu) in pulls.items():
            print(f"pull, {name:<26}{rate:>8,.0f} MiB/s   curl {client_cpu:.2f} CPU-s/GiB")
        for name, rss in memory.items():
            print(f"zotd peak RSS, {name}: {rss:,.0f} MiB")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
