"""Blob downloads as the kernel sends them (sendfile on plain HTTP): bytes, ranges and the responses
that follow on the same keep-alive connection, a blob deleted mid-download, aborted downloads."""

import hashlib
import http.client
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from oci import build_image, push_blob, push_image, random_bytes

MiB = 1 << 20


@pytest.fixture
def big_blob(registry, repo):
    data = random_bytes(8 * MiB)
    return data, push_blob(registry, repo, data)


def open_fds(server) -> int:
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def test_one_keepalive_connection_serves_blobs_ranges_heads_and_manifests_in_order(registry, repo, big_blob):
    data, digest = big_blob
    small = random_bytes(3000)
    small_digest = push_blob(registry, repo, small)
    image = build_image()
    push_image(registry, repo, "v1", image)
    conn = http.client.HTTPConnection(registry.host, registry.port, timeout=30)
    try:
        for _ in range(3):
            conn.request("GET", f"/v2/{repo}/blobs/{digest}")
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, data)
            conn.request("GET", f"/v2/{repo}/blobs/{digest}", headers={"Range": "bytes=1000-2999999"})
            r = conn.getresponse()
            assert (r.status, r.read()) == (206, data[1000:3000000])
            conn.request("HEAD", f"/v2/{repo}/blobs/{digest}")
            r = conn.getresponse()
            assert (r.status, r.read(), r.getheader("Content-Length")) == (200, b"", str(len(data)))
            conn.request("GET", f"/v2/{repo}/manifests/v1", headers={"Accept": image.manifest.media_type})
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, image.manifest.data)
            conn.request("GET", f"/v2/{repo}/blobs/{small_digest}", headers={"Range": "bytes=-1"})
            r = conn.getresponse()
            assert (r.status, r.read()) == (206, small[-1:])
    finally:
        conn.close()


def test_concurrent_downloads_of_one_blob_all_get_its_bytes(registry, repo, big_blob):
    data, digest = big_blob
    want = hashlib.sha256(data).hexdigest()

    def pull(_):
        return hashlib.sha256(registry.get(f"/v2/{repo}/blobs/{digest}").content).hexdigest()

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(pull, range(16))) == [want] * 16


def test_a_blob_deleted_during_its_download_is_still_sent_whole(zotd_factory, repo):
    server = zotd_factory(gc=True, gc_delay="1s", gc_interval="1s")
    data = random_bytes(32 * MiB)
    digest = push_blob(server, repo, data)
    sock = socket.create_connection((server.host, server.port), timeout=30)
    # A small receive buffer keeps most of the blob unsent while it is deleted and collected.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    try:
        sock.sendall(f"GET /v2/{repo}/blobs/{digest} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        head, body = head.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200")
        assert server.delete(f"/v2/{repo}/blobs/{digest}").status_code == 202
        time.sleep(3)  # several GC passes past the delay
        assert server.head(f"/v2/{repo}/blobs/{digest}").status_code == 404
        while len(body) < len(data):
            chunk = sock.recv(MiB)
            assert chunk, f"connection closed after {len(body)} of {len(data)} bytes"
            body += chunk
        assert body == data
    finally:
        sock.close()


def test_aborted_downloads_release_their_files(fresh_registry, repo):
    server = fresh_registry
    digest = push_blob(server, repo, random_bytes(16 * MiB))
    assert server.get("/v2/").status_code == 200
    baseline = open_fds(server)
    for _ in range(20):
        sock = socket.create_connection((server.host, server.port), timeout=30)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(f"GET /v2/{repo}/blobs/{digest} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.close()
    deadline = time.monotonic() + 10
    while open_fds(server) > baseline + 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert open_fds(server) <= baseline + 2, os.listdir(f"/proc/{server.proc.pid}/fd")
    assert server.get(f"/v2/{repo}/blobs/{digest}").status_code == 200
