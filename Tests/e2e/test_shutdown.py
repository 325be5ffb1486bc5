"""Graceful shutdown: on SIGTERM zotd stops accepting connections, lets the requests in flight finish,
exits 0, and the upload sessions it was serving resume after the restart."""

import signal
import socket
import threading
import time

import requests

from oci import OCTET_STREAM, absolute_location, random_bytes, range_end, sha256_digest, start_upload, with_query


def _slow_body(data: bytes, pieces: int, pause: float, started: threading.Event):
    step = len(data) // pieces
    for i in range(pieces):
        yield data[i * step : (i + 1) * step if i < pieces - 1 else len(data)]
        started.set()
        time.sleep(pause)


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def test_sigterm_finishes_a_slow_patch_in_flight_then_exits_0(zotd_factory):
    """systemd and Kubernetes stop a service with SIGTERM and wait: the server closes its listener at once
    (new connections are refused), answers the PATCH it is receiving (202, all bytes staged), exits 0,
    and after a restart the session reports those bytes in `Range` and completes with 201."""
    server = zotd_factory(gc=True, gc_delay="1h", gc_interval="1h")
    data = random_bytes(2 * 1024 * 1024)
    first = data[: 1024 * 1024]
    url = start_upload(server, "shutdown/app")
    started = threading.Event()
    result: dict = {}

    def patch():
        try:
            result["response"] = requests.patch(
                url, data=_slow_body(first, 8, 0.25, started), timeout=30,
                headers={"Content-Type": OCTET_STREAM},
            )
        except requests.RequestException as e:
            result["error"] = e

    t = threading.Thread(target=patch)
    t.start()
    assert started.wait(10), "the slow PATCH never started"
    time.sleep(0.3)
    sent_at = time.monotonic()
    server.expected_exit = True
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    refused = not _accepts(server.host, server.port)
    t.join(timeout=30)
    try:
        code = server.proc.wait(timeout=20)
    except Exception:  # noqa: BLE001
        server.kill9()
        raise AssertionError(f"zotd did not exit within 20 s of SIGTERM\n{server.log_tail(30)}")
    took = time.monotonic() - sent_at
    assert "error" not in result, f"the PATCH in flight was cut off by SIGTERM: {result['error']!r}\n{server.log_tail(30)}"
    r = result["response"]
    assert r.status_code == 202, f"PATCH in flight during SIGTERM: {r.status_code} {r.text[:200]!r}"
    assert range_end(r) == len(first) - 1
    assert refused, "zotd still accepted new connections 0.5 s after SIGTERM"
    assert code == 0, f"exit code {code} on SIGTERM\n{server.log_tail(30)}"
    print(f"\nshutdown: exit {code} {took:.1f}s after SIGTERM, PATCH in flight answered {r.status_code}")

    server.start()
    status = server.get(url)
    assert status.status_code == 204 and range_end(status) == len(first) - 1, (
        f"upload after restart: {status.status_code} Range {status.headers.get('Range')}"
    )
    p = server.patch(absolute_location(status), data=data[len(first):],
                     headers={"Content-Type": OCTET_STREAM, "Content-Range": f"{len(first)}-{len(data) - 1}"})
    assert p.status_code == 202, p.text
    put = server.put(with_query(absolute_location(p), {"digest": sha256_digest(data)}))
    assert put.status_code == 201, put.text
    assert server.get(f"/v2/shutdown/app/blobs/{sha256_digest(data)}").content == data


def test_sigterm_with_gc_and_extensions_running_exits_0(zotd_factory):
    """The background services (periodic GC, extensions) end with the server: exit code 0, promptly."""
    server = zotd_factory(gc=True, gc_delay="1s", gc_interval="300ms")
    time.sleep(1)
    started = time.monotonic()
    code = server.stop(timeout=10)
    assert code == 0, f"exit code {code} on SIGTERM with GC running\n{server.log_tail(30)}"
    assert time.monotonic() - started < 5, "SIGTERM took more than 5 s with nothing in flight"


def test_sigterm_deadline_cuts_a_request_that_never_ends(zotd_factory, monkeypatch):
    """A PATCH that keeps trickling does not keep the server alive forever: at the shutdown deadline
    (`ZOTD_SHUTDOWN_GRACE_SECONDS`, 25 s by default; 2 s here) it is cut off, the process exits 0, and
    the bytes staged before the cut resume after the restart."""
    monkeypatch.setenv("ZOTD_SHUTDOWN_GRACE_SECONDS", "2")
    server = zotd_factory()
    url = start_upload(server, "shutdown/endless")
    started = threading.Event()
    chunk = random_bytes(64 * 1024)

    def endless():
        for _ in range(600):
            yield chunk
            started.set()
            time.sleep(0.05)

    t = threading.Thread(
        target=lambda: _swallow(lambda: requests.patch(url, data=endless(), timeout=60,
                                                       headers={"Content-Type": OCTET_STREAM})),
        daemon=True,
    )
    t.start()
    assert started.wait(10)
    time.sleep(0.5)
    sent_at = time.monotonic()
    server.expected_exit = True
    server.proc.send_signal(signal.SIGTERM)
    try:
        code = server.proc.wait(timeout=15)
    except Exception:  # noqa: BLE001
        server.kill9()
        raise AssertionError(f"zotd still running 15 s after SIGTERM with a 2 s deadline\n{server.log_tail(30)}")
    took = time.monotonic() - sent_at
    assert code == 0, f"exit code {code} after the shutdown deadline\n{server.log_tail(30)}"
    assert took < 10, f"exit {took:.1f}s after SIGTERM with a 2 s deadline"
    server.start()
    status = server.get(url)
    assert status.status_code == 204, f"the cut-off upload is not resumable: {status.status_code} {status.text[:200]!r}"
    print(f"\nshutdown deadline: exit {code} {took:.1f}s after SIGTERM; {range_end(status) + 1} bytes staged kept")


def _swallow(fn):
    try:
        fn()
    except requests.RequestException:
        pass
