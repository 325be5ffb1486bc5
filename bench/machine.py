"""The machine's own limits, measured in the same run.

- sha256: Python hashlib (OpenSSL's SHA-256, same code class a server would
  use) over SIZE bytes in 1 MiB updates, one core.
- disk: `dd if=/dev/zero of=<workdir>/dd.tmp bs=1M count=N conv=fsync`, timed
  end to end (includes the final fsync), in the same filesystem as the
  registries' storage.
- loopback: one TCP connection over 127.0.0.1, Python sendall of 1 MiB
  buffers into recv_into on a thread.
"""

import hashlib
import os
import socket
import subprocess
import threading
import time

MiB = 1 << 20


def sha256_mibps(total):
    buf = os.urandom(MiB)
    h = hashlib.sha256()
    n = total // MiB
    t0 = time.perf_counter()
    for _ in range(n):
        h.update(buf)
    h.hexdigest()
    dt = time.perf_counter() - t0
    return n / dt


def disk_write_mibps(directory, total):
    path = os.path.join(directory, "dd.tmp")
    n = total // MiB
    cmd = ["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={n}", "conv=fsync"]
    try:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"dd failed: {p.stderr}")
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return n / dt, " ".join(cmd), p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""


def loopback_mibps(total):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    received = [0]
    err = []

    def rx():
        try:
            conn, _ = srv.accept()
            buf = bytearray(MiB)
            mv = memoryview(buf)
            while True:
                k = conn.recv_into(mv)
                if not k:
                    break
                received[0] += k
            conn.close()
        except Exception as e:
            err.append(e)

    t = threading.Thread(target=rx, daemon=True)
    t.start()
    c = socket.create_connection(("127.0.0.1", port))
    data = os.urandom(MiB)
    n = total // MiB
    t0 = time.perf_counter()
    for _ in range(n):
        c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    t.join(300)
    dt = time.perf_counter() - t0
    c.close()
    srv.close()
    if err or received[0] != n * MiB:
        raise RuntimeError(f"loopback test failed: {err} received {received[0]}")
    return n / dt


def measure(workdir, size, loop_size):
    sha = sha256_mibps(size)
    disk, cmd, dd_line = disk_write_mibps(workdir, size)
    loop = loopback_mibps(loop_size)
    return {
        "sha256_mibps": round(sha, 1),
        "disk_write_fsync_mibps": round(disk, 1),
        "loopback_tcp_mibps": round(loop, 1),
        "sizes_mib": {"sha256": size // MiB, "disk": size // MiB, "loopback": loop_size // MiB},
        "dd_cmd": cmd,
        "dd_says": dd_line,
        "notes": [
            "sha256 = Python hashlib (OpenSSL), 1 MiB updates, single core",
            "loopback = Python socket sendall/recv_into, one TCP connection"
            + ("" if loop >= 1000 else "; BELOW 1 GB/s: the Python sender may be the limit"),
        ],
    }
