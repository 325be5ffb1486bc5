"""Small-request load: wrk (GET) and a raw-socket Python loader (HEAD).

wrk 4.1 cannot measure HEAD: its http_parser is never told the response has
no body, so every HEAD answer that carries Content-Length waits for a body
that never comes (wg/wrk#198). HEAD is measured with `pyload` below instead:
N processes, one keep-alive connection each, pre-encoded request bytes.
"""

import multiprocessing as mp
import os
import re
import shutil
import socket
import subprocess
import time

from registry import HOST

HERE = os.path.dirname(os.path.abspath(__file__))


class LoadError(Exception):
    pass


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _dur(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise LoadError(f"wrk: cannot parse duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out):
    """Parse `wrk --latency` output. Raises LoadError on errors in the run."""
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise LoadError(f"wrk: no Requests/sec in output:\n{out}")
    res["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+\w+),", out)
    if m:
        res["requests"] = int(m.group(1))
        res["duration_s"] = _dur(m.group(2))
    lat = {}
    block = out.split("Latency Distribution", 1)
    if len(block) == 2:
        for pm in re.finditer(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", block[1], re.M):
            lat[int(pm.group(1))] = _dur(pm.group(2))
    if 50 not in lat or 99 not in lat:
        raise LoadError(f"wrk: no latency distribution in output:\n{out}")
    res["p50_ms"] = lat[50] * 1e3
    res["p99_ms"] = lat[99] * 1e3
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    if res["non_2xx"]:
        raise LoadError(f"wrk: {res['non_2xx']} non-2xx/3xx answers:\n{out}")
    if any(res["socket_errors"].values()):
        raise LoadError(f"wrk: socket errors {res['socket_errors']}:\n{out}")
    if res.get("requests", 1) == 0:
        raise LoadError(f"wrk: no request completed:\n{out}")
    return res


def run_wrk(url, duration, script=None, threads=2, connections=8):
    if not url.startswith(f"http://{HOST}:"):
        raise LoadError(f"refusing non-loopback URL {url}")
    wrk = shutil.which("wrk")
    if not wrk:
        raise LoadError("wrk not found (scripts/install-bench-deps.sh installs it)")
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", os.path.join(HERE, "wrk", script)]
    cmd.append(url)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if p.returncode != 0:
        raise LoadError(f"wrk exited {p.returncode}: {p.stderr}\n{p.stdout}")
    res = parse_wrk(p.stdout)
    res["tool"] = "wrk"
    res["cmd"] = " ".join(cmd)
    return res


# ------------------------------------------------------------ python loader

def _read_answer(sock, buf, is_head):
    """Read one HTTP/1.1 answer from sock; buf holds leftover bytes.
    Returns (status, keep_alive, leftover)."""
    while True:
        i = buf.find(b"\r\n\r\n")
        if i >= 0:
            break
        d = sock.recv(65536)
        if not d:
            raise LoadError("connection closed by server")
        buf += d
    head = bytes(buf[:i]).decode("latin-1")
    rest = buf[i + 4:]
    lines = head.split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    chunked = False
    close = False
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v.strip())
        elif k == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
        elif k == "connection" and "close" in v.lower():
            close = True
    if is_head or status in (204, 304):
        return status, not close, rest
    if chunked:
        while True:
            while b"\r\n" not in rest:
                d = sock.recv(65536)
                if not d:
                    raise LoadError("connection closed in chunked body")
                rest += d
            j = rest.find(b"\r\n")
            size = int(bytes(rest[:j]).split(b";")[0], 16)
            need = j + 2 + size + 2
            while len(rest) < need:
                d = sock.recv(65536)
                if not d:
                    raise LoadError("connection closed in chunked body")
                rest += d
            rest = rest[need:]
            if size == 0:
                return status, not close, rest
    while len(rest) < length:
        d = sock.recv(max(65536, length - len(rest)))
        if not d:
            raise LoadError("connection closed in body")
        rest += d
    return status, not close, rest[length:]


def _pyload_worker(port, raw, is_head, start_at, stop_at, q):
    lat = []
    bad = 0
    reconnects = 0
    err = None
    try:
        s = socket.create_connection((HOST, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()
        while time.time() < start_at:
            time.sleep(0.001)
        pc = time.perf_counter_ns
        end = pc() + int((stop_at - time.time()) * 1e9)
        while True:
            t0 = pc()
            if t0 >= end:
                break
            s.sendall(raw)
            status, keep, buf = _read_answer(s, buf, is_head)
            lat.append(pc() - t0)
            if status < 200 or status >= 400:
                bad += 1
            if not keep:
                s.close()
                reconnects += 1
                s = socket.create_connection((HOST, port))
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buf = bytearray()
        s.close()
    except Exception as e:  # reported to the parent
        err = repr(e)
    q.put((lat, bad, reconnects, err))


def run_pyload(port, method, path, duration, connections=8, headers=None):
    """Closed-loop load: `connections` processes, one keep-alive connection
    each, request after request for `duration` seconds."""
    hdrs = {"Host": f"{HOST}:{port}"}
    hdrs.update(headers or {})
    raw = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n").encode()
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start_at = time.time() + 0.3
    stop_at = start_at + duration
    procs = [ctx.Process(target=_pyload_worker, args=(port, raw, method == "HEAD", start_at, stop_at, q), daemon=True)
             for _ in range(connections)]
    for p in procs:
        p.start()
    results = []
    try:
        for _ in procs:
            results.append(q.get(timeout=duration + 60))
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.kill()
    errs = [r[3] for r in results if r[3]]
    if errs:
        raise LoadError(f"pyload {method} {path}: {errs[0]}")
    lat = sorted(x for r in results for x in r[0])
    bad = sum(r[1] for r in results)
    if bad:
        raise LoadError(f"pyload {method} {path}: {bad} answers not 2xx/3xx")
    if not lat:
        raise LoadError(f"pyload {method} {path}: no request completed")
    n = len(lat)
    return {
        "tool": "pyload",
        "rps": n / duration,
        "requests": n,
        "duration_s": duration,
        "p50_ms": lat[min(n - 1, n * 50 // 100)] / 1e6,
        "p99_ms": lat[min(n - 1, n * 99 // 100)] / 1e6,
        "reconnects": sum(r[2] for r in results),
    }
