"""Limits a client cannot get past: header size, chunk ranges at Int64's edge, connections that stop
sending (`http.readTimeout`) or stop reading (`http.writeTimeout`). A request beyond a limit gets an error
answer (or its connection closed), never a dead server, and holds no memory or task for long."""

import os
import socket
import ssl
import time
from pathlib import Path

import pytest
import requests

from auth_support import AuthServer, CertificateAuthority
from oci import OCTET_STREAM, push_blob, random_bytes, start_upload


def test_oversized_request_headers_are_refused_and_the_server_lives(fresh_registry):
    """Hummingbird's HTTP/1 decoder limits one header field and the whole header list to 80 KiB each
    (HTTP1Channel.Configuration.DecoderConfiguration): a 200 KiB header gets 431 or a closed connection."""
    with socket.create_connection((fresh_registry.host, fresh_registry.port), timeout=10) as s:
        s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        try:
            answer = s.recv(200)
        except (ConnectionResetError, socket.timeout):
            answer = b""
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"431"), answer[:100]
    assert fresh_registry.get("/v2/").status_code == 200


def test_content_range_with_an_overflowing_length_does_not_crash_the_server(zotd_factory):
    """Found by fuzzing ByteRange: `Content-Range: 0-9223372036854775807` with `Content-Length: 1` must
    get a 416 (or 400), not kill the server."""
    server = zotd_factory()
    url = start_upload(server, "limits/app")
    try:
        r = server.patch(url, data=b"x", timeout=5,
                         headers={"Content-Type": OCTET_STREAM, "Content-Range": "0-9223372036854775807"})
    except requests.RequestException as e:
        server.kill9()
        raise AssertionError(f"the server did not answer (crashed): {e!r}")
    assert r.status_code in (400, 416), r.status_code
    assert server.get("/v2/").status_code == 200


def test_slowloris_connection_is_closed_after_the_read_timeout(tmp_path, zotd_binary):
    """`http.readTimeout`: a client that starts a request and then sends nothing is disconnected once
    the timeout passes, while other clients are served meanwhile."""
    from zotd_server import ZotdServer

    class ShortReadTimeout(ZotdServer):
        def config(self) -> dict:
            config = super().config()
            config["http"]["readTimeout"] = "1s"
            return config

    server = ShortReadTimeout(zotd_binary, tmp_path)
    server.start()
    try:
        with socket.create_connection((server.host, server.port), timeout=10) as s:
            s.sendall(b"PATCH /v2/slow/app/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
            assert server.get("/v2/").status_code == 200
            s.settimeout(8)
            try:
                closed = s.recv(4096) == b"" or s.recv(4096) == b""
            except ConnectionResetError:
                closed = True
            assert closed, "the stalled connection was not closed"
    finally:
        server.stop()


def test_download_slower_than_the_read_timeout_is_not_cut_off(tmp_path, zotd_binary):
    """`http.readTimeout` bounds a silent client, not a response: a download that takes several times
    the read timeout, to a client that keeps reading, arrives whole."""
    server = AuthServer(zotd_binary, tmp_path, http_extra={"readTimeout": "1s"})
    server.start()
    try:
        data = random_bytes(8 << 20)
        server.blob_path = f"/v2/slow/app/blobs/{push_blob(server, 'slow/app', data)}"
        with stalled_download(server, receive_buffer=256 << 10) as s:
            received = b""
            started = time.monotonic()
            while len(received) < len(data) + 100:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                received += chunk
                time.sleep(0.2)
                if b"\r\n\r\n" in received and len(received.split(b"\r\n\r\n", 1)[1]) == len(data):
                    break
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head[:100]
            assert len(body) == len(data), f"cut off after {len(body)} of {len(data)} bytes"
            assert body == data
            assert time.monotonic() - started > 2.5, "too fast to show anything"
    finally:
        server.stop()


# ---------------------------------------------------------------- http.writeTimeout: stalled downloads

STALL_BLOB_SIZE = 64 << 20
WRITE_TIMEOUT = 2.0


@pytest.fixture(scope="module", params=["http", "https"])
def stall_registry(request, tmp_path_factory, zotd_binary):
    """One server per transport for the stalled-download tests, holding one 64 MiB blob in `stall/app`,
    with `http.writeTimeout` at two seconds. Over plain HTTP blob bodies go out with sendfile; over TLS
    they are read in chunks and written through Hummingbird's back-pressured response writer: both
    must give up on a client that stops reading."""
    workdir = tmp_path_factory.mktemp(f"write-timeout-{request.param}")
    http_extra = {"writeTimeout": f"{WRITE_TIMEOUT:g}s"}
    ca = None
    if request.param == "https":
        authority = CertificateAuthority(workdir / "pki")
        cert, key = authority.issue("server", "127.0.0.1", server=True)
        http_extra["tls"] = {"cert": str(cert), "key": str(key)}
        ca = authority.cert
    server = AuthServer(zotd_binary, workdir, http_extra=http_extra, ca=ca)
    server.start()
    try:
        data = random_bytes(STALL_BLOB_SIZE)
        server.digest = push_blob(server, "stall/app", data)
        server.blob_path = f"/v2/stall/app/blobs/{server.digest}"
        del data
        yield server
    finally:
        server.stop()


def stalled_download(server, extra_headers: str = "", receive_buffer: int = 4096) -> socket.socket:
    """Requests the big blob on a socket with a tiny receive buffer and never reads it: the server's
    writes back up until the channel turns unwritable."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # before connect: sets the window
    s.settimeout(10)
    s.connect((server.host, server.port))
    if server.ca:
        s = ssl.create_default_context(cafile=server.ca).wrap_socket(s, server_hostname=server.host)
    s.sendall(f"GET {server.blob_path} HTTP/1.1\r\nHost: x\r\n{extra_headers}\r\n".encode())
    return s


def server_holds_connection(server, client: socket.socket) -> bool:
    """Whether the server process still has a descriptor for its end of `client`'s connection (after
    `close` the kernel may keep the socket to flush it, but no descriptor refers to it)."""
    client_port = client.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server.port and remote_port == client_port:
            inodes.add(fields[9])
    return any(f"socket:[{inode}]" in descriptors(server) for inode in inodes)


def descriptors(server) -> list:
    """What the server's open file descriptors point at."""
    targets = []
    for fd in Path(f"/proc/{server.proc.pid}/fd").iterdir():
        try:
            targets.append(os.readlink(fd))
        except OSError:
            pass  # closed meanwhile
    return targets


def blob_file_open(server) -> bool:
    encoded = server.digest.split(":", 1)[1]
    return any(target.endswith(encoded) for target in descriptors(server))


def rss_bytes(server) -> int:
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/<pid>/status")


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def drain(s: socket.socket) -> int:
    """Reads until the server's end closes; returns the bytes read."""
    total = 0
    try:
        while chunk := s.recv(1 << 20):
            total += len(chunk)
    except (ConnectionResetError, ssl.SSLError):
        pass  # a TLS connection cut without close_notify
    return total


def test_download_that_stops_reading_is_disconnected_after_the_write_timeout(stall_registry):
    """`http.writeTimeout`: a client that stops reading a download leaves the connection unwritable; once
    no write has drained for the timeout the server closes it, and the client gets a short response."""
    with stalled_download(stall_registry) as s:
        assert wait_until(lambda: blob_file_open(stall_registry), 5), "the download never started"
        started = time.monotonic()
        assert wait_until(lambda: not server_holds_connection(stall_registry, s), WRITE_TIMEOUT + 4), (
            "the stalled connection was not closed")
        elapsed = time.monotonic() - started
        assert elapsed >= WRITE_TIMEOUT - 0.5, f"closed after {elapsed:.1f}s, before the timeout"
        assert drain(s) < STALL_BLOB_SIZE, "the whole blob arrived: the connection was not cut"


def test_stalled_download_releases_its_blob_file(stall_registry):
    """Closing the stalled connection makes the suspended response write throw, so the read task ends
    and the blob file is closed: a stalled client holds no task or descriptor."""
    with stalled_download(stall_registry):
        assert wait_until(lambda: blob_file_open(stall_registry), 5), "the download never started"
        assert wait_until(lambda: not blob_file_open(stall_registry), WRITE_TIMEOUT + 4), (
            "the blob file is still open after the write timeout")


def test_other_clients_are_served_promptly_while_downloads_stall(stall_registry):
    """Stalled downloads hold their own connections only: other requests are answered at once."""
    stalled = [stalled_download(stall_registry) for _ in range(4)]
    try:
        assert wait_until(lambda: blob_file_open(stall_registry), 5), "the downloads never started"
        session = stall_registry._session()
        for _ in range(10):
            started = time.monotonic()
            r = session.get(stall_registry.url("/v2/"), timeout=5)
            assert r.status_code == 200
            r = session.head(stall_registry.url(stall_registry.blob_path), timeout=5)
            assert r.status_code == 200
            r = session.get(stall_registry.url(stall_registry.blob_path), headers={"Range": "bytes=0-1023"}, timeout=5)
            assert r.status_code == 206 and len(r.content) == 1024
            assert time.monotonic() - started < 1.0, "a request waited behind the stalled downloads"
        assert all(server_holds_connection(stall_registry, s) for s in stalled), (
            "a stalled download ended before the other requests were done: the test proved nothing")
    finally:
        for s in stalled:
            s.close()


def test_stalled_downloads_do_not_grow_server_memory(stall_registry):
    """Back-pressure: a response is read from disk only as fast as the client takes it, so four clients
    stalled on a 64 MiB blob grow the server's resident memory by far less than one blob each.

    Over plain HTTP the file goes to the kernel (sendfile) and nothing is buffered. Over TLS each stalled
    download holds the chunk being encrypted and the one read next, with no read-ahead beyond."""
    bound = 32 << 20
    assert stall_registry.get(stall_registry.blob_path).status_code == 200  # warm the allocator up
    before = rss_bytes(stall_registry)
    stalled = [stalled_download(stall_registry) for _ in range(4)]
    try:
        assert wait_until(lambda: blob_file_open(stall_registry), 5), "the downloads never started"
        time.sleep(1.0)  # long enough to fill every buffer, shorter than the write timeout
        grown = rss_bytes(stall_registry) - before
        assert all(server_holds_connection(stall_registry, s) for s in stalled), "measured after a disconnect"
        assert grown < bound, f"resident memory grew by {grown >> 20} MiB for four stalled downloads"
    finally:
        for s in stalled:
            s.close()


def test_slow_client_that_keeps_reading_is_not_cut_off(stall_registry):
    """The write timeout counts time without progress, not the length of the response: a client that
    reads 1 MiB every half second for longer than the timeout gets the whole response."""
    length = 12 << 20
    with stalled_download(stall_registry, f"Range: bytes=0-{length - 1}\r\n", receive_buffer=64 << 10) as s:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            assert chunk, "closed before the headers"
            head += chunk
        head, body = head.split(b"\r\n\r\n", 1)
        assert head.split(b" ")[1] == b"206", head
        received = len(body)
        started = time.monotonic()
        while received < length:
            time.sleep(0.5)
            goal = min(length, received + (1 << 20))
            while received < goal:
                chunk = s.recv(goal - received)
                assert chunk, f"cut off after {received} of {length} bytes"
                received += len(chunk)
        assert time.monotonic() - started > 2 * WRITE_TIMEOUT, "too fast to show anything"
