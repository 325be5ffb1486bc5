"""What the server answers to requests HTTP itself forbids, and to paths under `/v2/` that nothing serves.

- A chunked body whose chunk-size line is malformed is the client's error: 400 with the OCI error envelope,
  then the connection is closed (where the next request would start is unknown). The request gets one answer
  only, whether or not its route read the body, and nothing half pushed becomes visible.
- RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or any request with two, gets 400 and a closed
  connection; HTTP/1.0, which predates `Host`, may leave it out.
- Every error under `/v2/` carries the OCI envelope, a path that nothing serves included (404 NAME_UNKNOWN
  naming the path); paths outside `/v2/` keep the router's bare 404.

Requests HTTP forbids cannot be sent with `requests`, so those tests speak HTTP/1.1 over raw sockets.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from auth_support import AuthServer, CertificateAuthority
from oci import OCI_MANIFEST, assert_oci_error, sha256_digest, start_upload

MALFORMED_CHUNK_SIZES = ["fffffffffffffffffffff", "-1", "0x10"]


# ---------------------------------------------------------------- raw HTTP/1.1


@dataclass
class RawResponse:
    status: int
    headers: dict  # lower-case names
    body: bytes

    def envelope_codes(self) -> list:
        """The `code`s of the OCI error envelope in the body; fails when the body is not one."""
        assert self.headers.get("content-type", "").startswith("application/json"), self
        doc = json.loads(self.body)
        assert isinstance(doc.get("errors"), list) and doc["errors"], doc
        return [e["code"] for e in doc["errors"]]


def connect(server) -> socket.socket:
    s = socket.create_connection((server.host, server.port), timeout=10)
    if getattr(server, "ca", None):
        s = ssl.create_default_context(cafile=server.ca).wrap_socket(s, server_hostname=server.host)
    return s


def exchange(server, *parts: bytes, pause: float = 0.0, quiet: float = 3.0) -> tuple[list, bool]:
    """Sends `parts` on a new connection, `pause` seconds apart, then reads until the server closes it or
    stays silent for `quiet` seconds. Returns the responses read (1xx left out) and whether it closed."""
    with connect(server) as s:
        for i, part in enumerate(parts):
            if i and pause:
                time.sleep(pause)
            s.sendall(part)
        s.settimeout(quiet)
        data, closed = b"", False
        try:
            while chunk := s.recv(65536):
                data += chunk
            closed = True
        except (ConnectionResetError, ssl.SSLError):
            closed = True
        except socket.timeout:
            pass
    return [r for r in parse_responses(data) if r.status >= 200], closed


def parse_responses(data: bytes) -> list:
    """Splits what a connection received into responses, bodies delimited by `Content-Length`."""
    responses = []
    while data:
        head, separator, rest = data.partition(b"\r\n\r\n")
        assert separator, f"truncated response head: {data[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        responses.append(RawResponse(status, headers, rest[:length]))
        data = rest[length:]
    return responses


def request(method: str, path: str, *headers: str, version: str = "HTTP/1.1", body: bytes = b"") -> bytes:
    return (f"{method} {path} {version}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode() + body


def chunked(method: str, path: str, *headers: str) -> bytes:
    """A request head announcing a chunked body (the body follows separately)."""
    return request(method, path, "Host: registry", "Transfer-Encoding: chunked", *headers)


def upload_path(registry, repo) -> str:
    return urlsplit(start_upload(registry, repo)).path


def assert_one_refusal(responses, closed, status, code=None):
    assert len(responses) == 1, f"expected one response, got {responses}"
    response = responses[0]
    assert response.status == status, response
    if code:
        assert response.envelope_codes() == [code], response
    assert response.headers.get("connection", "").lower() == "close", response.headers
    assert closed, "the connection was left open"


# ---------------------------------------------------------------- malformed chunked bodies


@pytest.mark.parametrize("size_line", MALFORMED_CHUNK_SIZES)
def test_malformed_chunk_size_in_an_upload_chunk_is_a_400_that_closes_the_connection(registry, repo, size_line):
    """RFC 9112 §7.1: chunk-size is hex digits. A PATCH whose chunk-size line is not gets 400
    BLOB_UPLOAD_INVALID (the client's error, not a 500) with `Connection: close`, then the connection
    closes; the server goes on serving other connections."""
    path = upload_path(registry, repo)
    responses, closed = exchange(registry, chunked("PATCH", path) + f"{size_line}\r\nabc\r\n0\r\n\r\n".encode())
    assert_one_refusal(responses, closed, 400, "BLOB_UPLOAD_INVALID")
    assert registry.get("/v2/").status_code == 200


def test_malformed_chunk_size_in_a_manifest_put_is_a_400_manifest_invalid(registry, repo):
    """The same for a manifest pushed with a chunked body: 400 MANIFEST_INVALID and a closed connection;
    the tag does not appear."""
    head = chunked("PUT", f"/v2/{repo}/manifests/v1", f"Content-Type: {OCI_MANIFEST}")
    responses, closed = exchange(registry, head + b"-1\r\n{}\r\n0\r\n\r\n")
    assert_one_refusal(responses, closed, 400, "MANIFEST_INVALID")
    assert registry.get(f"/v2/{repo}/manifests/v1").status_code == 404


def test_malformed_chunk_arriving_while_the_route_reads_the_body_is_a_400(registry, repo):
    """The bad chunk-size line comes after a good chunk, once the upload is already being written: still
    400 BLOB_UPLOAD_INVALID and a closed connection."""
    path = upload_path(registry, repo)
    responses, closed = exchange(registry, chunked("PATCH", path) + b"5\r\nhello\r\n", b"-1\r\n", pause=0.5)
    assert_one_refusal(responses, closed, 400, "BLOB_UPLOAD_INVALID")


@pytest.mark.parametrize("push", ["monolithic POST", "completing PUT"])
def test_blob_whose_push_breaks_on_a_malformed_chunk_never_becomes_visible(registry, repo, push):
    """The bytes before the bad chunk are the start of the announced blob, but the push failed: the blob
    stays unknown."""
    digest = sha256_digest(b"hello world")
    target = f"/v2/{repo}/blobs/uploads/?digest={digest}" if push == "monolithic POST" else (
        f"{upload_path(registry, repo)}?digest={digest}")
    method = "POST" if push == "monolithic POST" else "PUT"
    responses, closed = exchange(registry, chunked(method, target) + b"5\r\nhello\r\nzz\r\n")
    assert_one_refusal(responses, closed, 400, "BLOB_UPLOAD_INVALID")
    assert registry.head(f"/v2/{repo}/blobs/{digest}").status_code == 404


@pytest.mark.parametrize("path", ["/v2/", "/livez"])
def test_malformed_body_the_route_does_not_read_gets_one_response_and_a_closed_connection(registry, path):
    """A route may answer without reading the body (`GET /v2/`, a health check). Its answer is the only one:
    no second, unsolicited 400 follows when the server drains the malformed body (the client would take it
    for the answer to its next request); the connection is closed instead."""
    responses, closed = exchange(registry, chunked("GET", path) + b"-1\r\nabc\r\n")
    assert [r.status for r in responses] == [200], responses
    assert closed, "the connection was left open after a malformed body"


# ---------------------------------------------------------------- Host header (RFC 9112 §3.2)


def test_http11_request_without_host_is_a_400_that_closes_the_connection(registry):
    """RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
    message that lacks a Host header field"."""
    responses, closed = exchange(registry, request("GET", "/v2/"))
    assert_one_refusal(responses, closed, 400)


def test_request_with_two_host_headers_is_a_400_that_closes_the_connection(registry):
    """RFC 9112 §3.2: 400 for "any request message that [...] contains more than one Host header field line"."""
    responses, closed = exchange(registry, request("GET", "/v2/", "Host: registry", "Host: elsewhere"))
    assert_one_refusal(responses, closed, 400)


def test_refusal_of_a_pipelined_request_comes_after_the_answers_to_the_requests_before_it(registry):
    """Answers keep the order of requests: a good request followed on the same connection by one without
    `Host` gets its 200 first, then the 400, then the connection closes."""
    good, bad = request("GET", "/v2/", "Host: registry"), request("GET", "/v2/_catalog")
    responses, closed = exchange(registry, good + bad)
    assert [r.status for r in responses] == [200, 400], responses
    assert closed, "the connection was left open"


def test_http10_request_without_host_is_served(registry):
    """HTTP/1.0 predates `Host`: such a request is served as before."""
    responses, _ = exchange(registry, request("GET", "/v2/", version="HTTP/1.0"), quiet=1.0)
    assert [r.status for r in responses] == [200], responses
    assert json.loads(responses[0].body) == {}


def test_request_without_host_is_refused_over_tls_too(tmp_path, zotd_binary):
    """The check sits in the HTTP/1 pipeline that TLS connections share: same 400 over HTTPS."""
    authority = CertificateAuthority(tmp_path / "pki")
    cert, key = authority.issue("server", "127.0.0.1", server=True)
    server = AuthServer(zotd_binary, tmp_path, http_extra={"tls": {"cert": str(cert), "key": str(key)}},
                        ca=authority.cert)
    server.start()
    try:
        responses, closed = exchange(server, request("GET", "/v2/"))
        assert_one_refusal(responses, closed, 400)
        assert server.get("/v2/").status_code == 200
    finally:
        server.stop()


# ---------------------------------------------------------------- paths under /v2/ that nothing serves


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/v2/_catalog/blobs/uploads/"),
        ("GET", "/v2/_nothing"),
        ("GET", "/v2/_zot/ext/nothing"),
        ("GET", "/v2/a"),
        ("DELETE", "/v2/a/b/c"),
        ("PUT", "/v2/a/b/c/d/e"),
    ],
)
def test_path_under_v2_that_nothing_serves_is_a_404_name_unknown_naming_the_path(registry, method, path):
    """Spec: error bodies are the `{"errors":[...]}` envelope. A `/v2/` path with no endpoint (no repository
    name starts with `_`; `a/b/c` ends in no endpoint) answers 404 as distribution and zot do, with
    NAME_UNKNOWN and a detail naming the path."""
    error = assert_oci_error(registry.request(method, path), 404, "NAME_UNKNOWN")
    assert path in error.get("detail", ""), error


def test_endpoint_shaped_path_with_an_invalid_name_stays_a_400_name_invalid(registry):
    """A path with an endpoint's shape names a repository, and an invalid one is NAME_INVALID, as before."""
    assert_oci_error(registry.get("/v2/UPPER/manifests/x"), 400, "NAME_INVALID")


def test_head_on_a_path_under_v2_that_nothing_serves_is_a_404_without_a_body(registry):
    """HEAD gets the GET answer's status and headers, and no body."""
    r = registry.head("/v2/_nothing")
    assert r.status_code == 404
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert r.content == b""


def test_extension_routes_under_v2_are_still_served(registry):
    """`/v2/_oci/ext/...` and `/v2/_zot/ext/...` belong to the router's extension routes: served as before."""
    r = registry.get("/v2/_oci/ext/discover")
    assert r.status_code == 200, r.text
    assert "extensions" in r.json()


def test_path_outside_v2_that_nothing_serves_keeps_the_bare_404(registry):
    """Outside the registry API the router's answer stays: 404 without a body."""
    r = registry.get("/no/such/endpoint")
    assert r.status_code == 404
    assert r.content == b""
