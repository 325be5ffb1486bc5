#!/usr/bin/env python3
"""zotd vs CNCF distribution, side by side on loopback.

    python3 bench/run.py --zotd .build/release/zotd [--quick|--full] [--only GROUP,...]
    python3 bench/run.py --self-test --quick      # distribution against itself

Both registries run at once on random 127.0.0.1 ports with filesystem storage
in a temp dir; every scenario runs on zotd, then on distribution, before the
next one starts. Prints a table (ratio > 1 means zotd better, for rates and
for times/memory alike) and writes bench-results/bench-<timestamp>.json.
See bench/README.md.
"""

import argparse
import hashlib
import http.client
import itertools
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import machine  # noqa: E402
from client import (MiB, BytesBlob, Client, ImageSpec, SharedBase, StreamBlob,  # noqa: E402
                    UnexpectedAnswer, MANIFEST_ACCEPT, mount_blob, pull_image,
                    push_blob_chunked, push_blob_monolithic, push_blob_single_post, push_image,
                    put_manifest, walk_pages)
from loadgen import LoadError, run_pyload, run_wrk  # noqa: E402
from registry import HOST, Observer, Server, ServerError, harness_seconds, machine_busy_seconds  # noqa: E402

REPO_ROOT = os.path.dirname(HERE)

# --------------------------------------------------------------------- modes

SIZES = {"1MB": 1 * MiB, "10MB": 10 * MiB, "100MB": 100 * MiB}

MODES = {
    # aims at < 3 minutes for both registries together
    "quick": {
        "machine_size": 256 * MiB, "loop_size": 512 * MiB, "big_size": 256 * MiB,
        "push_sizes": ["1MB", "10MB"],
        "push_ops": {"1MB": (16, 32), "10MB": (6, 16)},
        "pull_ops": {"1MB": (30, 64), "10MB": (10, 24)},
        "mixed_sizes": ["1MB"], "mixed_ops": {"1MB": (30, 64)},
        "catalog_ops": (100, 200),
        "wrk_secs": 2, "pyload_v2": False,
        "tags": 1000, "repos": 1000, "startup_tags": 2000,
        "walk_budget_s": 3.0, "walk_max": 3,
    },
    # about 10 minutes
    "default": {
        "machine_size": 1024 * MiB, "loop_size": 2048 * MiB, "big_size": 1024 * MiB,
        "push_sizes": ["1MB", "10MB"],
        "push_ops": {"1MB": (60, 160), "10MB": (20, 48)},
        "pull_ops": {"1MB": (150, 400), "10MB": (40, 96)},
        "mixed_sizes": ["1MB"], "mixed_ops": {"1MB": (100, 240)},
        "catalog_ops": (400, 1000),
        "wrk_secs": 5, "pyload_v2": True,
        "tags": 10000, "repos": 10000, "startup_tags": 20000,
        "walk_budget_s": 10.0, "walk_max": 3,
    },
    "full": {
        "machine_size": 1024 * MiB, "loop_size": 2048 * MiB, "big_size": 1024 * MiB,
        "push_sizes": ["1MB", "10MB", "100MB"],
        "push_ops": {"1MB": (100, 240), "10MB": (30, 80), "100MB": (6, 16)},
        "pull_ops": {"1MB": (200, 480), "10MB": (60, 160), "100MB": (10, 24)},
        "mixed_sizes": ["1MB", "10MB"], "mixed_ops": {"1MB": (200, 480), "10MB": (40, 96)},
        "catalog_ops": (1000, 2000),
        "wrk_secs": 5, "pyload_v2": True,
        "tags": 10000, "repos": 10000, "startup_tags": 100000,
        "walk_budget_s": 20.0, "walk_max": 5,
    },
}

GROUPS = [
    ("machine", "the machine's limits: sha256, disk write+fsync, loopback TCP"),
    ("big-blob", "one big blob (1 GiB; 256 MiB with --quick): push monolithic, push chunk-streamed, pull"),
    ("push-monolith", "zb 'Push Monolith <size>' at c=1 and c=8"),
    ("push-chunked", "zb 'Push Chunk Streamed <size>' at c=1 and c=8"),
    ("pull", "zb 'Pull <size>' at c=1 and c=8"),
    ("push-32", "32 clients pushing at once (monolithic, 32 MiB blobs; 8 MiB with --quick): rate and server peak RSS"),
    ("mixed", "zb 'Pull 75% and Push 25% Mixed <size>' at c=1 and c=8"),
    ("catalog", "zb 'Get Catalog' (GET /v2/_catalog?n=100) at c=1 and c=8"),
    ("small", "small requests with wrk: manifest GET by tag, GET /v2/; blob HEAD (python loader)"),
    ("tags-list", "N tags in one repo: populate (PUT manifest, c=8), tags/list pages n=100, n=1000"),
    ("catalog-pages", "N repositories: populate (mount+PUT, c=8), _catalog pages n=100, n=1000"),
    ("startup", "restart with N tags stored: time to /v2/ 200 and to first tags/list"),
]

TINY_REPO = "bench/tiny"


# ------------------------------------------------------------------ helpers

class Ctx:
    def __init__(self, args, mode, p, servers, workdir):
        self.args = args
        self.mode = mode
        self.p = p
        self.servers = servers
        self.workdir = workdir
        self.results = []      # list of scenario entries (see run_sub)
        self.failures = []
        self.machine = None
        self.big = None        # (mono StreamBlob, chunk StreamBlob)
        self.tiny = {}         # server name -> ImageSpec of the tiny image
        self.rep = 0           # current repeat index
        self.tags_done = {}    # server name -> tags already in TAGS_REPO


def pct(sorted_vals, q):
    if not sorted_vals:
        return None
    k = max(0, math.ceil(q / 100.0 * len(sorted_vals)) - 1)
    return sorted_vals[min(k, len(sorted_vals) - 1)]


def median(vals):
    s = sorted(vals)
    return pct(s, 50) if s else None


def run_ops(srv, n_ops, conc, op, deadline_s=None):
    """Run op(client, i) for i in range(n_ops) on `conc` threads, one
    persistent connection each. Returns throughput, latency and server CPU."""
    port = srv.port
    if deadline_s is None:
        deadline_s = 300 + 0.05 * n_ops
    clients = [Client(port) for _ in range(conc)]
    for c in clients:
        c.connect()
    lat = [None] * n_ops
    counter = itertools.count()
    lock = threading.Lock()
    errors = []
    stop = threading.Event()
    barrier = threading.Barrier(conc + 1)

    def worker(c):
        try:
            barrier.wait(30)
        except threading.BrokenBarrierError:
            return
        while not stop.is_set():
            with lock:
                i = next(counter)
            if i >= n_ops:
                return
            t0 = time.perf_counter()
            try:
                op(c, i)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append((i, e))
                stop.set()
                return
            lat[i] = time.perf_counter() - t0

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    barrier.wait(30)
    cpu0 = srv.cpu_seconds()
    t0 = time.perf_counter()
    end = t0 + deadline_s
    try:
        for t in threads:
            while t.is_alive():
                t.join(min(1.0, max(0.0, end - time.perf_counter())))
                if time.perf_counter() > end and t.is_alive():
                    stop.set()
                    for c in clients:  # unblock threads stuck in socket calls
                        try:
                            c.conn.sock and c.conn.sock.shutdown(2)
                        except OSError:
                            pass
                    raise TimeoutError(f"{n_ops} ops at c={conc} not done after {deadline_s:.0f}s")
        elapsed = time.perf_counter() - t0
        cpu1 = srv.cpu_seconds()
    finally:
        stop.set()
        for c in clients:
            c.close()
    if errors:
        i, e = errors[0]
        raise type(e)(f"op {i}: {e}") if isinstance(e, UnexpectedAnswer) else e
    done = sorted(x for x in lat if x is not None)
    if len(done) != n_ops:
        raise RuntimeError(f"only {len(done)} of {n_ops} ops completed")
    return {
        "ops": n_ops,
        "concurrency": conc,
        "seconds": round(elapsed, 4),
        "ops_per_s": n_ops / elapsed,
        "p50_ms": pct(done, 50) * 1e3,
        "p99_ms": pct(done, 99) * 1e3,
        "max_ms": done[-1] * 1e3,
        "reconnects": sum(c.reconnects for c in clients),
        "cpu_ms_per_op": (cpu1 - cpu0) * 1e3 / n_ops if cpu0 is not None and cpu1 is not None else None,
    }


def log(msg):
    print(msg, flush=True)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return f"{v:,}"
    a = abs(v)
    if a >= 10000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def _aggregate(runs):
    """Median of each numeric metric over repeated runs; other values from the first."""
    if len(runs) == 1:
        return dict(runs[0])
    out = {}
    for k, v in runs[0].items():
        vals = [r.get(k) for r in runs]
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in vals):
            out[k] = median(vals)
        else:
            out[k] = v
    out["runs"] = runs
    return out


def run_sub(ctx, name, fn, rows, group, repeatable=True):
    """Run one scenario on each server in turn (zotd first), --repeat times
    (A, B, A, B, ...) when repeatable; metrics are medians over repeats.

    fn(server) -> dict of metrics. rows: [(label, key, kind)] for the table,
    kind: 'rate' (higher better), 'time'/'mem' (lower better), 'info'.
    Dirty pages are flushed (sync) before each run so one server's writeback
    does not land in the other's timing."""
    entry = {"name": name, "group": group, "servers": {}, "rows": rows}
    ctx.results.append(entry)
    reps = ctx.args.repeat if repeatable else 1
    runs = {s.name: [] for s in ctx.servers}
    errors = {}
    for rep in range(reps):
        ctx.rep = rep
        for srv in ctx.servers:
            if srv.name in errors:
                continue
            t0 = time.perf_counter()
            try:
                srv.check_alive()
                os.sync()
                with Observer(srv) as obs:
                    m = fn(srv)
                for k, v in obs.metrics().items():
                    m.setdefault(k, v)
                m["wall_s"] = round(time.perf_counter() - t0, 2)
                runs[srv.name].append(m)
                main = rows[0]
                tag = f" #{rep + 1}" if reps > 1 else ""
                log(f"  {srv.name:>12}  {name}{tag}: {main[0]} = {fmt(m.get(main[1]))}"
                    f"  ({m['wall_s']:.1f}s, server peak RSS {fmt(m.get('server_peak_rss_mib'))} MiB)")
            except (UnexpectedAnswer, LoadError, ServerError, TimeoutError, RuntimeError, OSError, ValueError) as e:
                msg = f"{type(e).__name__}: {e}"
                errors[srv.name] = msg
                ctx.failures.append(f"[{srv.name}] {name}: {msg}")
                log(f"\n!!! FAIL [{srv.name}] {name}: {msg}\n")
                if ctx.args.fail_fast:
                    raise
    for srv in ctx.servers:
        if srv.name in errors:
            entry["servers"][srv.name] = {"error": errors[srv.name]}
        elif runs[srv.name]:
            entry["servers"][srv.name] = _aggregate(runs[srv.name])
    return entry


# ---------------------------------------------------------------- scenarios

def setup_server(ctx, srv):
    """Push the tiny image every other scenario can rely on and check it."""
    layer = BytesBlob(os.urandom(1024))
    spec = ImageSpec(layer)
    c = Client(srv.port)
    try:
        push_image(c, TINY_REPO, "latest", spec)
        r = c.request("GET", f"/v2/{TINY_REPO}/manifests/latest", headers={"Accept": MANIFEST_ACCEPT})
        if r.body != spec.manifest:
            raise UnexpectedAnswer(f"{srv.name}: GET manifest returned other bytes than were PUT")
        pull_image(c, TINY_REPO, "latest", verify=True)
    finally:
        c.close()
    ctx.tiny[srv.name] = spec


def g_machine(ctx):
    log("machine limits ...")
    d = ctx.workdir
    m = machine.measure(d, ctx.p["machine_size"], ctx.p["loop_size"])
    ctx.machine = m
    log(f"  sha256 {m['sha256_mibps']:.0f} MiB/s | disk write+fsync {m['disk_write_fsync_mibps']:.0f} MiB/s"
        f" | loopback TCP {m['loopback_tcp_mibps']:.0f} MiB/s")


def prepare_big(ctx):
    """Two distinct big streamed blobs per repeat (monolithic, chunked); their
    digests are computed here, before anything is timed."""
    if ctx.big is None:
        size = ctx.p["big_size"]
        base = os.urandom(MiB)
        t0 = time.perf_counter()
        ctx.big = []
        for _ in range(ctx.args.repeat):
            a, b = StreamBlob(size, base), StreamBlob(size, base)
            a.compute_digest()
            b.compute_digest()
            ctx.big.append((a, b))
        log(f"  (precomputed digests of {2 * len(ctx.big)} x {size // MiB} MiB streams"
            f" in {time.perf_counter() - t0:.1f}s)")
    return ctx.big


def g_big_blob(ctx):
    size = prepare_big(ctx)[0][0].size
    label = f"{size // MiB // 1024} GiB" if size >= 1024 * MiB else f"{size // MiB} MiB"
    limits = ctx.machine

    def push_limit():
        if not limits:
            return None
        return min(limits["sha256_mibps"], limits["disk_write_fsync_mibps"])

    def mono(srv):
        a = ctx.big[ctx.rep][0]
        c = Client(srv.port)
        try:
            c.connect()
            # probe single-request POST ?digest= support with a tiny blob (untimed)
            probe = BytesBlob(os.urandom(64))
            single = push_blob_single_post(c, "bench/big", probe.data, probe.size, probe.digest)
            t0 = time.perf_counter()
            if single:
                ok = push_blob_single_post(c, "bench/big", a.chunks(), size, a.digest)
                if not ok:
                    raise UnexpectedAnswer("POST ?digest= accepted the probe but answered 202 for the big blob")
                how = "POST ?digest= (single request)"
            else:
                push_blob_monolithic(c, "bench/big", a.chunks(), size, a.digest)
                how = "POST + PUT ?digest= (single POST with body unsupported: 202)"
            dt = time.perf_counter() - t0
            c.request("HEAD", f"/v2/bench/big/blobs/{a.digest}", expect=(200,))
        finally:
            c.close()
        mibps = size / MiB / dt
        lim = push_limit()
        return {"mibps": mibps, "seconds": dt, "method": how,
                "pct_of_limit": 100 * mibps / lim if lim else None}

    def chunked(srv):
        b = ctx.big[ctx.rep][1]
        c = Client(srv.port)
        try:
            c.connect()
            t0 = time.perf_counter()
            push_blob_chunked(c, "bench/big", b.chunks(), size, b.digest)
            dt = time.perf_counter() - t0
            c.request("HEAD", f"/v2/bench/big/blobs/{b.digest}", expect=(200,))
        finally:
            c.close()
        mibps = size / MiB / dt
        lim = push_limit()
        return {"mibps": mibps, "seconds": dt, "pct_of_limit": 100 * mibps / lim if lim else None}

    def pull(srv):
        a = ctx.big[ctx.rep][0]
        c = Client(srv.port)
        try:
            c.connect()
            t0 = time.perf_counter()
            r = c.request("GET", f"/v2/bench/big/blobs/{a.digest}", sink=True, expect=(200,))
            dt = time.perf_counter() - t0
            if r.nbytes != size:
                raise UnexpectedAnswer(f"GET big blob: {r.nbytes} bytes, expected {size}")
            dh = r.header("Docker-Content-Digest")
            if dh is not None and dh != a.digest:
                raise UnexpectedAnswer(f"GET big blob: Docker-Content-Digest {dh}")
            ranges = check_ranges(srv.port, a)
        finally:
            c.close()
        mibps = size / MiB / dt
        loop = limits["loopback_tcp_mibps"] if limits else None
        return {"mibps": mibps, "seconds": dt, "range_check": ranges,
                "pct_of_limit": 100 * mibps / loop if loop else None}

    def rows(limit_name):
        return [("MiB/s", "mibps", "rate"), (f"% of {limit_name}", "pct_of_limit", "info"),
                ("seconds", "seconds", "time"), ("server peak RSS MiB", "server_peak_rss_mib", "mem")]

    run_sub(ctx, f"Push {label} monolithic (1 conn)", mono, rows("min(sha256,disk)"), "big-blob")
    run_sub(ctx, f"Push {label} chunk-streamed (1 conn)", chunked, rows("min(sha256,disk)"), "big-blob")
    run_sub(ctx, f"Pull {label} (1 conn)", pull, rows("loopback"), "big-blob")


def check_ranges(port, blob, windows=3, n=65536):
    """Untimed content check of a pulled big blob: Range GETs of a few windows
    compared with the expected bytes. Returns 'ok' or 'unsupported (status)'."""
    rnd = random.Random(blob.nonce)
    for _ in range(windows):
        off = rnd.randrange(0, max(1, blob.size - n))
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            conn.request("GET", f"/v2/bench/big/blobs/{blob.digest}", headers={"Range": f"bytes={off}-{off + n - 1}"})
            r = conn.getresponse()
            if r.status != 206:
                return f"unsupported ({r.status})"
            data = r.read()
        finally:
            conn.close()
        if data != blob.bytes_at(off, n):
            raise UnexpectedAnswer(f"GET big blob Range {off}-{off + n - 1}: content differs from what was pushed")
    return "ok"


OPS_ROWS = [("ops/s", "ops_per_s", "rate"), ("p50 ms", "p50_ms", "time"), ("p99 ms", "p99_ms", "time"),
            ("server CPU ms/op", "cpu_ms_per_op", "time")]


def push_new_images(srv, size, n, conc, chunked, prefix):
    """n images of one unique `size` layer each, into new repositories, on `conc` connections; then an
    untimed check that one of them pulls back intact."""
    shared = SharedBase(size)
    specs = [ImageSpec(shared.new_blob()) for _ in range(n)]
    repos = [f"{prefix}/{uuid.uuid4().hex}" for _ in range(n)]

    def op(c, i):
        push_image(c, repos[i], f"tag{i}", specs[i], chunked=chunked)

    m = run_ops(srv, n, conc, op)
    m["mibps"] = m["ops_per_s"] * size / MiB
    c = Client(srv.port)
    try:
        pull_image(c, repos[-1], f"tag{n - 1}", verify=True)
    finally:
        c.close()
    return m


def g_push(ctx, chunked):
    group = "push-chunked" if chunked else "push-monolith"
    for size_name in ctx.p["push_sizes"]:
        size = SIZES[size_name]
        for ci, conc in enumerate((1, 8)):
            n = ctx.p["push_ops"][size_name][ci]
            name = f"Push {'Chunk Streamed' if chunked else 'Monolith'} {size_name} c={conc}"

            def fn(srv, size=size, n=n, conc=conc):
                return push_new_images(srv, size, n, conc, chunked, "bench/push")

            run_sub(ctx, name, fn, OPS_ROWS, group)


def g_push_concurrent(ctx):
    """The memory a burst of parallel pushes costs: every connection streams into its own staging file,
    so the server's peak RSS must stay flat however many clients push at once."""
    conc = 32
    size = (8 if ctx.mode == "quick" else 32) * MiB

    def fn(srv):
        return push_new_images(srv, size, 2 * conc, conc, False, "bench/push32")

    run_sub(ctx, f"Push Monolith {size // MiB} MiB c={conc}", fn,
            [("MiB/s", "mibps", "rate")] + OPS_ROWS[1:] + [("server peak RSS MiB", "server_peak_rss_mib", "mem")],
            "push-32")


def g_pull(ctx):
    for size_name in ctx.p["push_sizes"]:
        size = SIZES[size_name]
        for ci, conc in enumerate((1, 8)):
            n = ctx.p["pull_ops"][size_name][ci]
            name = f"Pull {size_name} c={conc}"

            def fn(srv, size=size, n=n, conc=conc):
                spec = ImageSpec(SharedBase(size).new_blob())
                repo = f"bench/pull/{uuid.uuid4().hex}"
                c = Client(srv.port)
                try:
                    push_image(c, repo, "latest", spec)
                    pull_image(c, repo, "latest", verify=True)  # untimed check
                finally:
                    c.close()

                def op(c, i):
                    pull_image(c, repo, "latest")

                m = run_ops(srv, n, conc, op)
                m["mibps"] = m["ops_per_s"] * size / MiB
                return m

            run_sub(ctx, name, fn, OPS_ROWS, "pull")


def g_mixed(ctx):
    for size_name in ctx.p["mixed_sizes"]:
        size = SIZES[size_name]
        for ci, conc in enumerate((1, 8)):
            n = ctx.p["mixed_ops"][size_name][ci]
            name = f"Pull 75% and Push 25% Mixed {size_name} c={conc}"

            def fn(srv, size=size, n=n, conc=conc):
                rnd = random.Random(7500 + conc + size)  # same sequence on both servers
                is_pull = [rnd.random() < 0.75 for _ in range(n)]
                shared = SharedBase(size)
                push_idx = {}
                specs = []
                for i, p in enumerate(is_pull):
                    if not p:
                        push_idx[i] = len(specs)
                        specs.append(ImageSpec(shared.new_blob()))
                repos = [f"bench/mixed/{uuid.uuid4().hex}" for _ in specs]
                pull_repo = f"bench/mixed/{uuid.uuid4().hex}"
                c = Client(srv.port)
                try:
                    push_image(c, pull_repo, "latest", ImageSpec(shared.new_blob()))
                finally:
                    c.close()

                def op(c, i):
                    if is_pull[i]:
                        pull_image(c, pull_repo, "latest")
                    else:
                        k = push_idx[i]
                        push_image(c, repos[k], "latest", specs[k])

                m = run_ops(srv, n, conc, op)
                m["pulls"] = sum(is_pull)
                m["pushes"] = n - m["pulls"]
                return m

            run_sub(ctx, name, fn, OPS_ROWS, "mixed")


def g_catalog(ctx):
    for ci, conc in enumerate((1, 8)):
        n = ctx.p["catalog_ops"][ci]

        def fn(srv, n=n, conc=conc):
            def op(c, i):
                r = c.request("GET", "/v2/_catalog?n=100", expect=(200,))
                repos = json.loads(r.body).get("repositories")
                if not isinstance(repos, list) or not repos:
                    raise UnexpectedAnswer(f"GET /v2/_catalog?n=100: no repositories in {r.body[:200]!r}")

            return run_ops(srv, n, conc, op)

        run_sub(ctx, f"Get Catalog (n=100) c={conc}", fn, OPS_ROWS, "catalog")


def with_cpu(srv, fn):
    """Run a load tool and add the server's CPU microseconds per request."""
    cpu0 = srv.cpu_seconds()
    m = fn()
    cpu1 = srv.cpu_seconds()
    if cpu0 is not None and cpu1 is not None and m.get("requests"):
        m["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / m["requests"]
    return m


def g_small(ctx):
    secs = ctx.p["wrk_secs"]

    def manifest(srv):
        spec = ctx.tiny[srv.name]
        path = f"/v2/{TINY_REPO}/manifests/latest"
        c = Client(srv.port)
        try:
            r = c.request("GET", path, headers={"Accept": MANIFEST_ACCEPT})
            if r.body != spec.manifest:
                raise UnexpectedAnswer(f"GET {path}: other bytes than were PUT")
        finally:
            c.close()
        url = f"http://{HOST}:{srv.port}{path}"
        run_wrk(url, 1, script="manifest_get.lua")  # warm-up, not recorded
        return with_cpu(srv, lambda: run_wrk(url, secs, script="manifest_get.lua"))

    def head(srv):
        spec = ctx.tiny[srv.name]
        path = f"/v2/{TINY_REPO}/blobs/{spec.layer.digest}"
        c = Client(srv.port)
        try:
            r = c.request("HEAD", path)
            if r.header("Content-Length") not in (None, str(spec.layer.size)):
                raise UnexpectedAnswer(f"HEAD {path}: Content-Length {r.header('Content-Length')}")
        finally:
            c.close()
        run_pyload(srv.port, "HEAD", path, 1, connections=8)  # warm-up
        return with_cpu(srv, lambda: run_pyload(srv.port, "HEAD", path, secs, connections=8))

    def v2(srv):
        url = f"http://{HOST}:{srv.port}/v2/"
        run_wrk(url, 1)  # warm-up
        return with_cpu(srv, lambda: run_wrk(url, secs))

    def v2_py(srv):
        run_pyload(srv.port, "GET", "/v2/", 1, connections=8)  # warm-up
        return with_cpu(srv, lambda: run_pyload(srv.port, "GET", "/v2/", secs, connections=8))

    rows = [("req/s", "rps", "rate"), ("p99 ms", "p99_ms", "time"), ("server CPU us/req", "cpu_us_per_req", "time")]
    run_sub(ctx, "GET manifest by tag (wrk -t2 -c8)", manifest, rows, "small")
    run_sub(ctx, "HEAD blob (python loader, 8 conns)", head, rows, "small")
    run_sub(ctx, "GET /v2/ (wrk -t2 -c8)", v2, rows, "small")
    if ctx.p["pyload_v2"]:
        run_sub(ctx, "GET /v2/ (python loader, 8 conns)", v2_py, rows, "small")


TAGS_REPO = "bench/tags"


def populate_tags(ctx, srv, n, conc=8):
    """TAGS_REPO gets tags t000000..t{n-1}: the tiny image's blobs mounted in,
    then its manifest PUT under each tag not PUT yet (c=conc). The startup
    scenario extends what tags-list made. Returns run_ops stats."""
    spec = ctx.tiny[srv.name]
    have = ctx.tags_done.get(srv.name, 0)
    if have == 0:
        c = Client(srv.port)
        try:
            mount_blob(c, TAGS_REPO, TINY_REPO, spec.layer.digest, spec.layer.data)
            mount_blob(c, TAGS_REPO, TINY_REPO, spec.config_digest, spec.config)
        finally:
            c.close()

    def op(c, i):
        put_manifest(c, TAGS_REPO, f"t{have + i:06d}", spec.manifest)

    m = run_ops(srv, n - have, conc, op)
    ctx.tags_done[srv.name] = n
    m["tags_before"] = have
    return m


def walk_stats(ctx, port, path, key, check, page_size):
    """Walk all pages of path repeatedly (at least once, up to walk_max times
    or walk_budget_s). check(items) validates each walk."""
    c = Client(port)
    walks, pages_t = [], []
    n_pages = None
    t_end = time.perf_counter() + ctx.p["walk_budget_s"]
    try:
        c.connect()
        for k in range(ctx.p["walk_max"]):
            t0 = time.perf_counter()
            items, times, pages = walk_pages(c, path, key)
            walks.append(time.perf_counter() - t0)
            pages_t.extend(times)
            check(items)
            n_pages = pages
            n_items = len(items)
            if time.perf_counter() > t_end:
                break
    finally:
        c.close()
    return {
        "ms_per_page": median(pages_t) * 1e3,
        "first_page_ms": pages_t[0] * 1e3,
        "first_walk_page_ms": [round(x * 1e3, 3) for x in pages_t[:n_pages]],
        "walk_ms": median(walks) * 1e3,
        "walks": len(walks),
        "pages": n_pages,
        "entries": n_items,
        "page_size": page_size,
    }


def g_tags(ctx):
    n = ctx.args.tags if ctx.args.tags is not None else ctx.p["tags"]
    repo = TAGS_REPO
    expected = {f"t{i:06d}" for i in range(n)}

    def populate(srv):
        if ctx.tags_done.get(srv.name, 0):
            raise RuntimeError("tags-list must run before anything else adds tags")
        return populate_tags(ctx, srv, n)

    def check(items):
        if len(items) != len(set(items)):
            raise UnexpectedAnswer(f"tags/list: {len(items) - len(set(items))} duplicate tags across pages")
        if set(items) != expected:
            raise UnexpectedAnswer(f"tags/list: {len(items)} tags listed, expected {n}"
                                   f" (missing {len(expected - set(items))}, extra {len(set(items) - expected)})")

    run_sub(ctx, f"Populate {n} tags (PUT manifest, c=8)", populate, OPS_ROWS, "tags-list", repeatable=False)
    for page in (100, 1000):
        def walk(srv, page=page):
            return walk_stats(ctx, srv.port, f"/v2/{repo}/tags/list?n={page}", "tags", check, page)

        run_sub(ctx, f"tags/list {n} tags, n={page}", walk,
                [("ms/page", "ms_per_page", "time"), ("full walk ms", "walk_ms", "time"), ("pages", "pages", "info")],
                "tags-list")


def g_catalog_pages(ctx):
    n = ctx.args.repos if ctx.args.repos is not None else ctx.p["repos"]
    names = [f"bench-cat/r{i:06d}" for i in range(n)]
    wanted = set(names)

    def populate(srv):
        spec = ctx.tiny[srv.name]
        fallbacks = [0]

        def op(c, i):
            repo = names[i]
            if not mount_blob(c, repo, TINY_REPO, spec.layer.digest, spec.layer.data):
                fallbacks[0] += 1
            if not mount_blob(c, repo, TINY_REPO, spec.config_digest, spec.config):
                fallbacks[0] += 1
            put_manifest(c, repo, "latest", spec.manifest)

        m = run_ops(srv, n, 8, op)
        m["mount_fallback_uploads"] = fallbacks[0]
        return m

    def check(items):
        if len(items) != len(set(items)):
            raise UnexpectedAnswer(f"_catalog: {len(items) - len(set(items))} duplicate names across pages")
        missing = wanted - set(items)
        if missing:
            raise UnexpectedAnswer(f"_catalog: {len(missing)} of the {n} populated repositories missing,"
                                   f" e.g. {sorted(missing)[:3]}")

    run_sub(ctx, f"Populate {n} repos (2 mounts + PUT manifest, c=8)", populate, OPS_ROWS, "catalog-pages", repeatable=False)
    for page in (100, 1000):
        def walk(srv, page=page):
            m = walk_stats(ctx, srv.port, f"/v2/_catalog?n={page}", "repositories", check, page)
            return m

        run_sub(ctx, f"_catalog {n}+ repos, n={page}", walk,
                [("ms/page", "ms_per_page", "time"), ("full walk ms", "walk_ms", "time"), ("pages", "pages", "info")],
                "catalog-pages")


def g_startup(ctx):
    n = ctx.args.startup_tags if ctx.args.startup_tags is not None else ctx.p["startup_tags"]
    n = max([n] + list(ctx.tags_done.values()))  # never fewer than tags-list left there
    repo = TAGS_REPO

    def populate(srv):
        if ctx.tags_done.get(srv.name, 0) >= n:
            return {"ops": 0, "note": "already populated"}
        return populate_tags(ctx, srv, n)

    def restart(srv):
        r = srv.timed_restart(f"/v2/{repo}/tags/list")
        try:
            tags = json.loads(r["tags_body"]).get("tags") or []
        except ValueError as e:
            raise UnexpectedAnswer(f"tags/list after restart: bad JSON {r['tags_body'][:200]!r}") from e
        if len(tags) != n:
            raise UnexpectedAnswer(f"tags/list after restart: {len(tags)} tags, expected {n}")
        rss = srv.status_kb().get("VmRSS", 0) / 1024
        # the tiny image must still be there
        c = Client(srv.port)
        try:
            pull_image(c, TINY_REPO, "latest", verify=True)
        finally:
            c.close()
        return {"v2_ms": r["v2_s"] * 1e3, "tags_ms": r["tags_s"] * 1e3, "stop_ms": r["stop_s"] * 1e3,
                "rss_after_start_mib": rss}

    if any(ctx.tags_done.get(s.name, 0) < n for s in ctx.servers):
        run_sub(ctx, f"Populate {repo} up to {n} tags (c=8)", populate, OPS_ROWS, "startup", repeatable=False)
    run_sub(ctx, f"Startup with {n} tags stored", restart,
            [("to /v2/ 200 ms", "v2_ms", "time"), ("to first tags/list ms", "tags_ms", "time"),
             ("shutdown ms", "stop_ms", "time"), ("RSS after start MiB", "rss_after_start_mib", "mem")],
            "startup", repeatable=False)


GROUP_FUNCS = {
    "machine": g_machine,
    "big-blob": g_big_blob,
    "push-monolith": lambda ctx: g_push(ctx, False),
    "push-chunked": lambda ctx: g_push(ctx, True),
    "push-32": g_push_concurrent,
    "pull": g_pull,
    "mixed": g_mixed,
    "catalog": g_catalog,
    "small": g_small,
    "tags-list": g_tags,
    "catalog-pages": g_catalog_pages,
    "startup": g_startup,
}


# ------------------------------------------------------------------- report

def ratio(kind, a, b):
    if a is None or b is None or kind == "info":
        return None
    try:
        if kind == "rate":
            return a / b if b else None
        return b / a if a else None  # time, mem: lower is better
    except TypeError:
        return None


def build_table(ctx):
    names = [s.name for s in ctx.servers]
    a, b = names
    out = []
    for e in ctx.results:
        if not e["servers"]:
            continue  # interrupted before any result
        for i, (label, key, kind) in enumerate(e["rows"]):
            va = e["servers"].get(a, {})
            vb = e["servers"].get(b, {})
            xa = "FAIL" if "error" in va else va.get(key)
            xb = "FAIL" if "error" in vb else vb.get(key)
            r = ratio(kind, xa if not isinstance(xa, str) else None, xb if not isinstance(xb, str) else None)
            title = f"{e['name']}  {label}" if i == 0 else f"    {label}"
            out.append({"scenario": e["name"], "metric": label, "key": key, "kind": kind,
                        "title": title, a: xa, b: xb, "ratio": r})
    return out


def print_report(ctx, table):
    a, b = [s.name for s in ctx.servers]
    w0 = max([len(r["title"]) for r in table] + [40])
    print()
    print("=" * (w0 + 45))
    print(f"ratio = {a}/{b} for rates, {b}/{a} for times and memory: > 1 means {a} better")
    print("=" * (w0 + 45))
    if ctx.machine:
        m = ctx.machine
        print(f"machine: sha256 {m['sha256_mibps']:.0f} MiB/s (python hashlib = OpenSSL, 1 core) | "
              f"disk write+fsync {m['disk_write_fsync_mibps']:.0f} MiB/s (dd) | "
              f"loopback TCP {m['loopback_tcp_mibps']:.0f} MiB/s (python socket)")
    print(f"{'scenario':<{w0}} | {a:>12} | {b:>12} | {'ratio':>7}")
    print(f"{'-' * w0}-+-{'-' * 12}-+-{'-' * 12}-+-{'-' * 7}")
    last = None
    for r in table:
        if r["scenario"] != last and last is not None and not r["title"].startswith(" "):
            pass
        last = r["scenario"]
        rs = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['title']:<{w0}} | {fmt(r[a]):>12} | {fmt(r[b]):>12} | {rs:>7}")
    notes = []
    busy_runs = []
    for e in ctx.results:
        for name, m in e["servers"].items():
            if m.get("method"):
                notes.append(f"{name}: {e['name']}: {m['method']}")
            if m.get("range_check") and m["range_check"] != "ok":
                notes.append(f"{name}: {e['name']}: Range GET {m['range_check']}")
            if m.get("reconnects"):
                notes.append(f"{name}: {e['name']}: {m['reconnects']} keep-alive connections closed by server")
            for r in (m.get("runs") or [m]):
                if r.get("foreign_cpu_pct") is not None:
                    busy_runs.append(r["foreign_cpu_pct"])
            if m.get("mount_fallback_uploads"):
                notes.append(f"{name}: {e['name']}: {m['mount_fallback_uploads']} mounts refused (202), uploaded")
            if m.get("page_size") and m.get("entries", 0) > m["page_size"] and m.get("pages") == 1:
                notes.append(f"{name}: {e['name']}: all {m['entries']} entries in one page (n ignored)")
    busy = [x for x in busy_runs if x >= 10]
    if busy:
        notes.insert(0, f"BUSY MACHINE: other processes used {min(busy):.0f}-{min(100, max(busy)):.0f}% of all CPUs"
                        f" during {len(busy)} of {len(busy_runs)} runs: those figures are unreliable"
                        " (foreign_cpu_pct per run in the JSON)")
    if notes:
        print("\nnotes:")
        for n in notes:
            print("  - " + n)
    if ctx.failures:
        print("\nFAILURES:")
        for f in ctx.failures:
            print("  - " + f.splitlines()[0][:400])


def host_info():
    info = {"platform": platform.platform(), "python": sys.version.split()[0], "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_total_kb"] = int(f.readline().split()[1])
    except OSError:
        pass
    return info


def binary_info(path, kind):
    info = {"path": path}
    if kind == "distribution":
        try:
            info["version"] = subprocess.run([path, "--version"], capture_output=True, text=True,
                                             timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        st = os.stat(path)
        info["mtime"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(st.st_mtime))
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(MiB), b""):
                h.update(chunk)
        info["sha256"] = h.hexdigest()
    except OSError:
        pass
    return info


def git_commit():
    try:
        return subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------- main

TRASH_SUFFIX = ".deleting"


def remove_workdir(workdir, wait_s):
    """Delete the temp storage. distribution leaves hundreds of thousands of
    small files and directories; on a disk mounted with `discard` that takes
    minutes (about 600 inodes/s here). The dir is renamed, then removed by a
    detached, niced `rm -rf` which we wait for up to wait_s seconds (< 0:
    until done); past that it goes on in the background."""
    trash = workdir + TRASH_SUFFIX
    try:
        os.rename(workdir, trash)
    except OSError:
        trash = workdir
    cmd = ["rm", "-rf", "--one-file-system", "--", trash]
    if shutil.which("ionice"):
        cmd = ["ionice", "-c3"] + cmd
    if shutil.which("nice"):
        cmd = ["nice", "-n", "19"] + cmd
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)
        return
    try:
        p.wait(None if wait_s < 0 else wait_s)
        log(f"removed {workdir} in {time.perf_counter() - t0:.1f}s")
    except subprocess.TimeoutExpired:
        log(f"still deleting {trash} in the background (rm pid {p.pid}): many small files on this disk;"
            " a run started before it ends is disturbed by its I/O")
    except KeyboardInterrupt:
        log(f"left {trash} being deleted in the background (rm pid {p.pid})")


def leftover_trash(parent):
    try:
        return [os.path.join(parent, d) for d in os.listdir(parent)
                if d.startswith("zotd-bench-") and d.endswith(TRASH_SUFFIX)]
    except OSError:
        return []


def busy_check(seconds=1.0):
    """Share of all CPUs used by other processes over `seconds` before the run."""
    b0, m0, t0 = machine_busy_seconds(), harness_seconds(), time.perf_counter()
    time.sleep(seconds)
    b1, m1, dt = machine_busy_seconds(), harness_seconds(), time.perf_counter() - t0
    if b0 is None or b1 is None:
        return None
    return max(0.0, 100.0 * ((b1 - b0) - (m1 - m0)) / (dt * (os.cpu_count() or 1)))


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Benchmark zotd against CNCF distribution (docker-registry) on loopback.")
    ap.add_argument("--zotd", help="path to the zotd binary (run as `zotd serve CONFIG.json`)")
    ap.add_argument("--distribution", default=None, help="path to docker-registry (default: from PATH)")
    ap.add_argument("--self-test", action="store_true",
                    help="benchmark distribution against itself (validates the harness without zotd)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="small sizes, fewer requests (< ~3 min)")
    g.add_argument("--full", action="store_true", help="everything, 100 MB sizes, 100k startup tags")
    ap.add_argument("--only", action="append", default=[], metavar="GROUP[,GROUP]",
                    help="run only these scenario groups (see --list)")
    ap.add_argument("--list", action="store_true", help="list scenario groups and exit")
    ap.add_argument("--tags", type=int, help="tags in the tags/list scenario")
    ap.add_argument("--repos", type=int, help="repositories in the _catalog pages scenario")
    ap.add_argument("--startup-tags", type=int, help="tags stored for the startup scenario")
    ap.add_argument("--big-mib", type=int, help="size of the big blob in MiB")
    ap.add_argument("--workdir", default=None, help="parent dir for the temp storage (default: system temp)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "bench-results"), help="where the JSON goes")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (storage, configs, logs)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each repeatable scenario N times (A,B,A,B,...) and report medians (noisy machines)")
    ap.add_argument("--cleanup-wait", type=float, default=60, metavar="SECONDS",
                    help="wait this long for the temp storage to be deleted, then leave it to a background rm"
                         " (-1: wait until done; default 60)")
    ap.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    args = ap.parse_args(argv)
    if args.list:
        for name, desc in GROUPS:
            print(f"{name:<14} {desc}")
        sys.exit(0)
    only = [x.strip() for o in args.only for x in o.split(",") if x.strip()]
    unknown = [x for x in only if x not in GROUP_FUNCS]
    if unknown:
        ap.error(f"unknown scenario group(s) {unknown}; known: {', '.join(GROUP_FUNCS)}")
    args.only = only
    if not args.self_test and not args.zotd:
        ap.error("--zotd PATH is required (or --self-test)")
    for n in ("tags", "repos", "startup_tags", "big_mib", "repeat"):
        v = getattr(args, n)
        if v is not None and v < 1:
            ap.error(f"--{n.replace('_', '-')} must be >= 1")
    return args


def _sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mode = "quick" if args.quick else "full" if args.full else "default"
    p = dict(MODES[mode])
    if args.big_mib:
        p["big_size"] = args.big_mib * MiB
    dist = args.distribution or shutil.which("docker-registry")
    if not dist or not os.access(dist, os.X_OK):
        sys.exit("docker-registry not found: run scripts/install-bench-deps.sh")
    if args.self_test:
        specs = [("dist-A", "distribution", dist), ("dist-B", "distribution", dist)]
    else:
        z = os.path.abspath(args.zotd)
        if not os.access(z, os.X_OK):
            sys.exit(f"zotd binary not found or not executable: {z}")
        specs = [("zotd", "zotd", z), ("distribution", "distribution", dist)]
    groups = args.only or [g for g, _ in GROUPS]
    if "big-blob" in groups and "machine" not in groups:
        groups.insert(0, "machine")  # big-blob figures are shown as % of the machine's limits

    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    parent = args.workdir or tempfile.gettempdir()
    os.makedirs(parent, exist_ok=True)
    need = 2 * (4 * p["big_size"]) + 3 * 1024 * MiB
    free = shutil.disk_usage(parent).free
    if free < need:
        sys.exit(f"not enough free space in {parent}: {free // MiB} MiB free, ~{need // MiB} MiB needed")
    workdir = tempfile.mkdtemp(prefix="zotd-bench-", dir=parent)
    servers = [Server(n, k, b, workdir) for n, k, b in specs]
    ctx = Ctx(args, mode, p, servers, workdir)
    started = time.time()
    t_start = time.perf_counter()
    interrupted = False
    log(f"zotd bench: mode={mode} groups={','.join(groups)} workdir={workdir}")
    old = leftover_trash(parent)
    if old:
        log(f"WARNING: {len(old)} earlier run(s) still being deleted ({', '.join(old)}): their disk I/O disturbs"
            " this run")
    busy = busy_check()
    if busy is not None and busy >= 15:
        log(f"WARNING: other processes are using {busy:.0f}% of all {os.cpu_count()} CPUs right now;"
            " results will be noisy")
    try:
        if "machine" in groups:
            g_machine(ctx)
        rest = [g for g in groups if g != "machine"]
        if rest:
            if "big-blob" in rest:
                prepare_big(ctx)
            for s in servers:
                dt = s.start()
                log(f"  {s.name:>12}: {' '.join(s.command())}  -> port {s.port}, pid {s.pid}, ready in {dt * 1e3:.0f} ms")
            for s in servers:
                setup_server(ctx, s)
            for gname in rest:
                log(f"[{gname}]")
                GROUP_FUNCS[gname](ctx)
    except KeyboardInterrupt:
        interrupted = True
        log("\ninterrupted: stopping servers and cleaning up")
    except (ServerError, UnexpectedAnswer, LoadError, TimeoutError, RuntimeError, OSError) as e:
        ctx.failures.append(f"aborted: {type(e).__name__}: {e}")
        log(f"\n!!! ABORTED: {type(e).__name__}: {e}")
        for s in servers:
            log(s.log_tail(20))
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as e:  # noqa: BLE001
                log(f"stopping {s.name}: {e}")
        if ctx.failures:
            for s in servers:
                tail = s.log_tail(15)
                if tail:
                    log(f"[{s.name} log]\n{tail}")
        if args.keep:
            log(f"kept {workdir}")
        else:
            remove_workdir(workdir, args.cleanup_wait)

    table = build_table(ctx)
    print_report(ctx, table)
    elapsed = time.perf_counter() - t_start
    os.makedirs(args.out, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    out_path = os.path.join(args.out, f"bench-{stamp}.json")
    doc = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "elapsed_s": round(elapsed, 1),
        "mode": mode,
        "groups": groups,
        "argv": sys.argv[1:] if argv is None else argv,
        "interrupted": interrupted,
        "ratio_rule": f"{servers[0].name}/{servers[1].name} for rates, inverse for times and memory; >1 = {servers[0].name} better",
        "host": host_info(),
        "foreign_cpu_pct_before_start": None if busy is None else round(busy, 1),
        "git_commit": git_commit(),
        "servers": {s.name: {"kind": s.kind, "command": s.command(), **binary_info(s.binary, s.kind)} for s in servers},
        "params": {k: v for k, v in p.items()},
        "machine": ctx.machine,
        "scenarios": [{"name": e["name"], "group": e["group"], "servers": e["servers"]} for e in ctx.results],
        "table": [{k: v for k, v in r.items() if k != "title"} for r in table],
        "failures": ctx.failures,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2, default=str)
    print(f"\nwrote {os.path.relpath(out_path)}  ({elapsed / 60:.1f} min)")
    if interrupted:
        return 130
    return 1 if ctx.failures else 0


if __name__ == "__main__":
    sys.exit(main())
