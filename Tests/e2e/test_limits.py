"""Limits a client cannot get past: header size, chunk ranges at Int64's edge. A request beyond a limit
gets an error answer (or its connection closed), never a dead server."""

import socket

import pytest
import requests

from oci import OCTET_STREAM, start_upload


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
