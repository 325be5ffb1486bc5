"""Blob uploads: sessions, monolithic and chunked pushes, status, cancel, and every error."""

import re
import socket
import time
from urllib.parse import urlsplit

import pytest

from oci import (
    OCTET_STREAM,
    absolute_location,
    assert_oci_error,
    next_offset,
    patch_chunk,
    push_blob,
    random_bytes,
    range_end,
    sha256_digest,
    start_upload,
    with_query,
)
from pg_support import ROUND_ROBIN


def put_digest(registry, url, digest, data=b"", **headers):
    h = {"Content-Type": OCTET_STREAM, "Content-Length": str(len(data))}
    h.update(headers)
    return registry.put(with_query(url, {"digest": digest}), data=data, headers=h)


def assert_blob(registry, repo, data):
    r = registry.get(f"/v2/{repo}/blobs/{sha256_digest(data)}")
    assert r.status_code == 200, f"blob not served after upload: {r.status_code}"
    assert r.content == data


# ------------------------------------------------------------------ starting a session


def test_post_starts_a_session_with_202_location_and_uuid(registry, repo):
    """Spec: "Upon success, the response MUST have a code of `202 Accepted`, and MUST include
    `Location: <location>`. The `<location>` MUST contain a UUID representing a unique session ID";
    zot-behaviour.md: "`POST .../blobs/uploads/` → 202, `Location`, `Range: 0-0`, `Docker-Upload-UUID`"."""
    r = registry.post(f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    assert r.status_code == 202, r.text
    uuid = r.headers.get("Docker-Upload-UUID")
    assert uuid, "no Docker-Upload-UUID header"
    assert uuid in r.headers.get("Location", ""), f"Location {r.headers.get('Location')!r} lacks the UUID {uuid}"
    assert r.headers.get("Range") == "0-0"


def test_session_location_resolves_under_the_repository(registry, repo):
    """zot's upload URLs are `/v2/<name>/blobs/uploads/<uuid>`; relative Locations resolve against the
    request URL (RFC 7231 §7.1.2)."""
    r = registry.post(f"/v2/{repo}/blobs/uploads/")
    path = urlsplit(absolute_location(r)).path
    assert path.startswith(f"/v2/{repo}/blobs/uploads/"), path


def test_two_sessions_get_different_locations(registry, repo):
    """Spec: each Location carries "a unique session ID for the upload"."""
    assert start_upload(registry, repo) != start_upload(registry, repo)


# ------------------------------------------------------------------ monolithic


def test_monolithic_post_with_digest_creates_the_blob(registry, repo):
    """Spec (Single POST): "Successful completion of the request MUST return a `201 Created` and MUST
    include `Location: <blob-location>`"; zot-behaviour.md: "`POST ...?digest=` with a body →
    monolithic, 201"."""
    data = random_bytes(5000)
    digest = sha256_digest(data)
    r = registry.post(
        with_query(f"/v2/{repo}/blobs/uploads/", {"digest": digest}),
        data=data,
        headers={"Content-Type": OCTET_STREAM},
    )
    assert r.status_code == 201, r.text
    assert r.headers.get("Docker-Content-Digest") == digest
    g = registry.get(absolute_location(r))
    assert g.status_code == 200 and g.content == data


def test_monolithic_post_with_wrong_digest_is_400_and_stores_nothing(registry, repo):
    """Spec (Single POST): "the `<digest>` MUST match the blob's digest"; a mismatch is
    DIGEST_INVALID "provided digest did not match uploaded content", and nothing is stored."""
    data = random_bytes(100)
    claimed = sha256_digest(data + b"!")
    r = registry.post(with_query(f"/v2/{repo}/blobs/uploads/", {"digest": claimed}), data=data)
    assert_oci_error(r, 400, "DIGEST_INVALID")
    assert registry.head(f"/v2/{repo}/blobs/{claimed}").status_code == 404
    assert registry.head(f"/v2/{repo}/blobs/{sha256_digest(data)}").status_code == 404


def test_post_then_put_with_whole_body_creates_the_blob(registry, repo):
    """Spec (POST then PUT): "Upon successful completion of the request, the response MUST have code
    `201 Created` and MUST have `Location: <blob-location>`"."""
    data = random_bytes(4000)
    url = start_upload(registry, repo)
    r = put_digest(registry, url, sha256_digest(data), data)
    assert r.status_code == 201, r.text
    assert r.headers.get("Docker-Content-Digest") == sha256_digest(data)
    g = registry.get(absolute_location(r))
    assert g.status_code == 200 and g.content == data


def test_put_location_is_a_pullable_blob_url(registry, repo):
    """Spec: "With `<blob-location>` being a pullable blob URL." (zot: `/v2/<name>/blobs/<digest>`)."""
    data = random_bytes(10)
    r = put_digest(registry, start_upload(registry, repo), sha256_digest(data), data)
    assert urlsplit(absolute_location(r)).path == f"/v2/{repo}/blobs/{sha256_digest(data)}"


# ------------------------------------------------------------------ streamed PATCH


def test_streamed_patch_then_put_creates_the_blob(registry, repo):
    """zot-behaviour.md: "`PATCH` without `Content-Range` streams"; "`PUT ...?digest=` (optionally with a
    last chunk) completes → 201"."""
    data = random_bytes(70000)
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data)
    assert r.status_code == 202, r.text
    assert range_end(r) == len(data) - 1
    r = put_digest(registry, absolute_location(r), sha256_digest(data))
    assert r.status_code == 201, r.text
    assert_blob(registry, repo, data)


def test_patch_answers_location_range_and_uuid(registry, repo):
    """Spec: "Each successful chunk upload MUST have a `202 Accepted` response code, and MUST have
    `Location: <location>` and `Range: 0-<end-of-range>`"."""
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, b"0123456789")
    assert r.status_code == 202
    assert r.headers.get("Range") == "0-9"
    assert r.headers.get("Location")
    assert r.headers.get("Docker-Upload-UUID")


def test_several_streamed_patches_including_zero_length_append_in_order(registry, repo):
    """zot-behaviour.md: "zero-length and repeated PATCHes are legal"; each appends at the end."""
    parts = [random_bytes(1000), b"", random_bytes(1), random_bytes(2000), b""]
    url = start_upload(registry, repo)
    total = 0
    for part in parts:
        r = patch_chunk(registry, url, part)
        assert r.status_code == 202, f"PATCH of {len(part)} bytes: {r.status_code} {r.text[:200]}"
        total += len(part)
        assert range_end(r) == total - 1
        url = absolute_location(r)
    data = b"".join(parts)
    assert put_digest(registry, url, sha256_digest(data)).status_code == 201
    assert_blob(registry, repo, data)


def test_patch_with_chunked_transfer_encoding_streams(registry, repo):
    """Clients stream layers of unknown length with `Transfer-Encoding: chunked` (no Content-Length)."""
    pieces = [random_bytes(30000) for _ in range(5)]
    url = start_upload(registry, repo)
    r = registry.patch(url, data=iter(pieces), headers={"Content-Type": OCTET_STREAM})
    assert r.status_code == 202, r.text
    data = b"".join(pieces)
    assert range_end(r) == len(data) - 1
    assert put_digest(registry, absolute_location(r), sha256_digest(data)).status_code == 201
    assert_blob(registry, repo, data)


# ------------------------------------------------------------------ chunked PATCH with Content-Range


def test_chunked_patches_with_content_range_in_order_build_the_blob(registry, repo):
    """Spec: "Chunks MUST be uploaded in order, with the first byte of a chunk being the last chunk's
    `<end-of-range>` plus one." Each chunk answers 202 with `Range: 0-<end-of-range>`."""
    data = random_bytes(10000)
    url = start_upload(registry, repo)
    for start in range(0, len(data), 3000):
        chunk = data[start : start + 3000]
        r = patch_chunk(registry, url, chunk, start=start)
        assert r.status_code == 202, f"chunk at {start}: {r.status_code} {r.text[:200]}"
        assert range_end(r) == start + len(chunk) - 1
        url = absolute_location(r)
    assert put_digest(registry, url, sha256_digest(data)).status_code == 201
    assert_blob(registry, repo, data)


def test_put_with_final_chunk_completes_the_blob(registry, repo):
    """Spec: "The final chunk MAY be uploaded using a `PATCH` request or it MAY be uploaded in the
    closing `PUT` request."""
    data = random_bytes(9000)
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data[:5000], start=0)
    assert r.status_code == 202
    r = put_digest(
        registry, absolute_location(r), sha256_digest(data), data[5000:], **{"Content-Range": f"5000-{len(data) - 1}"}
    )
    assert r.status_code == 201, r.text
    assert_blob(registry, repo, data)


def test_put_with_final_chunk_without_content_range_completes_the_blob(registry, repo):
    """The closing PUT's `Content-Range` is "if present": a last chunk without it is appended."""
    data = random_bytes(9000)
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data[:4000])
    r = put_digest(registry, absolute_location(r), sha256_digest(data), data[4000:])
    assert r.status_code == 201, r.text
    assert_blob(registry, repo, data)


def test_out_of_order_chunk_is_416(registry, repo):
    """Spec: "If a chunk is uploaded out of order, the registry MUST respond with a `416 Requested
    Range Not Satisfiable` code." (a gap: the chunk starts after the current end)."""
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, random_bytes(10), start=0)
    assert r.status_code == 202
    assert_oci_error(patch_chunk(registry, absolute_location(r), random_bytes(10), start=20), 416)


def test_first_chunk_not_starting_at_zero_is_416(registry, repo):
    """Spec: "The first chunk's range MUST begin with `0`."; any other start is out of order → 416."""
    url = start_upload(registry, repo)
    assert_oci_error(patch_chunk(registry, url, random_bytes(10), start=5), 416)


def test_overlapping_chunk_is_416(registry, repo):
    """Spec: a chunk's first byte MUST be the last `<end-of-range>` plus one; one that overlaps what
    is stored (starts before the end) is out of order → 416."""
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, random_bytes(10), start=0)
    assert_oci_error(patch_chunk(registry, absolute_location(r), random_bytes(10), start=5), 416)


def test_rejected_chunk_leaves_the_upload_where_it_stood(registry, repo):
    """Spec: after a 416, "A GET request may be used to retrieve the current valid offset and upload
    location" — the rejected chunk changed nothing, and the upload continues from there."""
    data = random_bytes(20)
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data[:10], start=0)
    url = absolute_location(r)
    assert patch_chunk(registry, url, random_bytes(10), start=4).status_code == 416
    status = registry.get(url)
    assert status.status_code == 204
    assert status.headers.get("Range") == "0-9"
    r = patch_chunk(registry, absolute_location(status), data[10:], start=10)
    assert r.status_code == 202
    assert put_digest(registry, absolute_location(r), sha256_digest(data)).status_code == 201
    assert_blob(registry, repo, data)


def test_put_with_final_chunk_out_of_order_is_416(registry, repo):
    """Spec: the closing PUT may carry "Content-Range: <range of chunk, if present>"; a last chunk that
    does not continue where the upload stands is out of order → 416, and the session keeps its data."""
    data = random_bytes(100)
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data[:50], start=0)
    url = absolute_location(r)
    r = put_digest(registry, url, sha256_digest(data), data[50:], **{"Content-Range": "60-109"})
    assert_oci_error(r, 416)
    assert registry.head(f"/v2/{repo}/blobs/{sha256_digest(data)}").status_code == 404
    status = registry.get(url)
    assert status.status_code == 204 and status.headers.get("Range") == "0-49"


def test_content_range_longer_than_body_is_416(registry, repo):
    """Spec: `<range>` is "the byte range of the chunk" and `<length>` "the content-length of the
    current chunk"; a range that disagrees with the body is a range the registry cannot satisfy: the
    PATCH failure codes are 404/416 (Endpoints, end-5)."""
    url = start_upload(registry, repo)
    r = registry.patch(
        url,
        data=random_bytes(5),
        headers={"Content-Type": OCTET_STREAM, "Content-Range": "0-9", "Content-Length": "5"},
    )
    assert_oci_error(r, 416)


def test_content_range_shorter_than_body_is_416(registry, repo):
    """Same rule the other way round: `Content-Range: 0-4` with a 10-byte body → 416."""
    url = start_upload(registry, repo)
    r = registry.patch(
        url,
        data=random_bytes(10),
        headers={"Content-Type": OCTET_STREAM, "Content-Range": "0-4", "Content-Length": "10"},
    )
    assert_oci_error(r, 416)


def test_malformed_content_range_is_rejected(registry, repo):
    """Spec: the range "MUST match the following regular expression: `^[0-9]+-[0-9]+$`"; anything else
    is refused (400 BLOB_UPLOAD_INVALID or 416), never taken as a streamed chunk."""
    url = start_upload(registry, repo)
    r = registry.patch(
        url,
        data=random_bytes(10),
        headers={"Content-Type": OCTET_STREAM, "Content-Range": "bytes=zero-nine", "Content-Length": "10"},
    )
    assert_oci_error(r, (400, 416))
    status = registry.get(url)
    assert status.status_code == 204 and status.headers.get("Range") == "0-0"


# ------------------------------------------------------------------ status and cancel


def test_get_upload_status_is_204_with_range(registry, repo):
    """Spec: "The response to an active upload `<location>` MUST be a `204 No Content` response code,
    and MUST have `Location: <location>` and `Range: 0-<end-of-range>`"."""
    url = start_upload(registry, repo)
    patch_chunk(registry, url, random_bytes(1234))
    r = registry.get(url)
    assert r.status_code == 204, r.text
    assert r.headers.get("Range") == "0-1233"
    assert r.headers.get("Location")
    assert r.content == b""


def test_get_status_of_fresh_upload_is_range_0_0(registry, repo):
    """zot-behaviour.md: a new upload stands at `Range: 0-0`."""
    url = start_upload(registry, repo)
    r = registry.get(url)
    assert r.status_code == 204
    assert r.headers.get("Range") == "0-0"


def test_delete_upload_is_204_then_upload_is_unknown(registry, repo):
    """zot-behaviour.md: "`DELETE` → 204"; afterwards the session is gone: 404 BLOB_UPLOAD_UNKNOWN
    "blob upload unknown to registry"."""
    url = start_upload(registry, repo)
    patch_chunk(registry, url, random_bytes(100))
    r = registry.delete(url)
    assert r.status_code == 204, r.text
    assert_oci_error(registry.get(url), 404, "BLOB_UPLOAD_UNKNOWN")


def test_patch_after_delete_is_404_blob_upload_unknown(registry, repo):
    """A cancelled session takes no more data."""
    url = start_upload(registry, repo)
    registry.delete(url)
    assert_oci_error(patch_chunk(registry, url, random_bytes(10)), 404, "BLOB_UPLOAD_UNKNOWN")


def test_completed_upload_is_no_longer_a_session(registry, repo):
    """After the closing PUT the session is over: its URL answers 404 BLOB_UPLOAD_UNKNOWN."""
    data = random_bytes(50)
    url = start_upload(registry, repo)
    assert put_digest(registry, url, sha256_digest(data), data).status_code == 201
    assert_oci_error(registry.get(url), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_oci_error(patch_chunk(registry, url, b"more"), 404, "BLOB_UPLOAD_UNKNOWN")


UNKNOWN_UUID = "5f0c6f9e-1111-4a3b-9c4d-2f2f2f2f2f2f"


def test_get_unknown_upload_is_404_blob_upload_unknown(registry, repo):
    """Spec end-13 failure: 404; code BLOB_UPLOAD_UNKNOWN."""
    push_blob(registry, repo, b"make the repository exist")
    assert_oci_error(registry.get(f"/v2/{repo}/blobs/uploads/{UNKNOWN_UUID}"), 404, "BLOB_UPLOAD_UNKNOWN")


def test_patch_unknown_upload_is_404_blob_upload_unknown(registry, repo):
    """Spec end-5 failure: 404; code BLOB_UPLOAD_UNKNOWN."""
    push_blob(registry, repo, b"make the repository exist")
    r = patch_chunk(registry, registry.url(f"/v2/{repo}/blobs/uploads/{UNKNOWN_UUID}"), b"x")
    assert_oci_error(r, 404, "BLOB_UPLOAD_UNKNOWN")


def test_put_unknown_upload_is_404_blob_upload_unknown(registry, repo):
    """Spec end-6 failure: 404; code BLOB_UPLOAD_UNKNOWN."""
    push_blob(registry, repo, b"make the repository exist")
    r = put_digest(registry, registry.url(f"/v2/{repo}/blobs/uploads/{UNKNOWN_UUID}"), sha256_digest(b"x"), b"x")
    assert_oci_error(r, 404, "BLOB_UPLOAD_UNKNOWN")


def test_delete_unknown_upload_is_404_blob_upload_unknown(registry, repo):
    """A session that does not exist cannot be cancelled: 404 BLOB_UPLOAD_UNKNOWN."""
    push_blob(registry, repo, b"make the repository exist")
    assert_oci_error(registry.delete(f"/v2/{repo}/blobs/uploads/{UNKNOWN_UUID}"), 404, "BLOB_UPLOAD_UNKNOWN")


def test_upload_of_one_repository_is_unknown_in_another(registry, repo):
    """A session belongs to the repository that opened it."""
    url = start_upload(registry, repo)
    other = url.replace(f"/v2/{repo}/", f"/v2/{repo}-other/")
    push_blob(registry, repo + "-other", b"exists")
    assert_oci_error(registry.get(other), 404, "BLOB_UPLOAD_UNKNOWN")


# ------------------------------------------------------------------ digest errors on PUT


def test_put_with_mismatched_digest_is_400_and_blob_absent(registry, repo):
    """zot-behaviour.md: "a digest mismatch → 400 `DIGEST_INVALID` and nothing stored"."""
    data = random_bytes(2048)
    wrong = sha256_digest(b"something else")
    url = start_upload(registry, repo)
    r = patch_chunk(registry, url, data)
    assert_oci_error(put_digest(registry, absolute_location(r), wrong), 400, "DIGEST_INVALID")
    assert registry.head(f"/v2/{repo}/blobs/{wrong}").status_code == 404
    assert registry.head(f"/v2/{repo}/blobs/{sha256_digest(data)}").status_code == 404


def test_put_without_digest_is_rejected(registry, repo):
    """Spec: "The closing `PUT` request MUST include the `<digest>` of the whole blob"; without it the
    request is invalid (400: DIGEST_INVALID or BLOB_UPLOAD_INVALID)."""
    url = start_upload(registry, repo)
    r = registry.put(url, data=b"abc", headers={"Content-Type": OCTET_STREAM})
    assert_oci_error(r, 400, "DIGEST_INVALID", "BLOB_UPLOAD_INVALID")


def test_put_with_malformed_digest_is_400_digest_invalid(registry, repo):
    """zot-behaviour.md: DIGEST_INVALID 400 for a digest that is not one."""
    url = start_upload(registry, repo)
    assert_oci_error(put_digest(registry, url, "sha256:nothex", b"abc"), 400, "DIGEST_INVALID")


def test_upload_can_be_retried_after_a_digest_mismatch(registry, repo):
    """A failed PUT leaves the registry usable: a new session with the right digest succeeds."""
    data = random_bytes(500)
    put_digest(registry, start_upload(registry, repo), sha256_digest(b"nope"), data)
    assert put_digest(registry, start_upload(registry, repo), sha256_digest(data), data).status_code == 201
    assert_blob(registry, repo, data)


# ------------------------------------------------------------------ transport-level behaviour


def test_body_cut_short_stores_nothing_and_the_push_can_be_retried(registry, repo):
    """A monolithic upload whose connection dies mid-body (Content-Length larger than what was sent)
    stores no blob, leaves the server healthy, and the same push succeeds afterwards."""
    data = random_bytes(200000)
    digest = sha256_digest(data)
    path = with_query(f"/v2/{repo}/blobs/uploads/", {"digest": digest})
    with socket.create_connection((registry.host, registry.port), timeout=10) as s:
        s.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {registry.hostport}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data[:50000]
        )
        time.sleep(0.2)
    # the server noticed (or will notice) the broken connection; nothing may appear
    time.sleep(0.3)
    assert registry.head(f"/v2/{repo}/blobs/{digest}").status_code == 404
    assert registry.get("/v2/").status_code == 200
    r = registry.post(path, data=data, headers={"Content-Type": OCTET_STREAM})
    assert r.status_code == 201, r.text
    assert_blob(registry, repo, data)


@pytest.mark.skipif(ROUND_ROBIN, reason="the round-robin front reads a request whole before forwarding it: the status "
                                       "query overtakes the cut PATCH")
def test_patch_cut_short_keeps_the_session_resumable(registry, repo):
    """Spec (Resumable Push): after a lost connection "The registry notifies the build server that the
    upload has already been partially attempted. The build server responds by only sending the
    remaining data". The session survives a PATCH cut short; its status tells where to resume, and
    resuming from there yields exactly the blob."""
    data = random_bytes(300000)
    url = start_upload(registry, repo)
    path = urlsplit(url).path + (("?" + urlsplit(url).query) if urlsplit(url).query else "")
    with socket.create_connection((registry.host, registry.port), timeout=10) as s:
        s.sendall(
            (
                f"PATCH {path} HTTP/1.1\r\nHost: {registry.hostport}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data[:100000]
        )
        time.sleep(0.2)
    deadline = time.monotonic() + 10
    while True:  # the server may still be finishing the broken request
        status = registry.get(url)
        if status.status_code == 204 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status.status_code == 204, f"session lost after a cut PATCH: {status.status_code} {status.text[:200]}"
    offset = next_offset(status)
    assert 0 <= offset <= 100000
    r = patch_chunk(registry, absolute_location(status), data[offset:], start=offset)
    assert r.status_code == 202, r.text
    r = put_digest(registry, absolute_location(r), sha256_digest(data))
    assert r.status_code == 201, r.text
    assert_blob(registry, repo, data)
    assert registry.get("/v2/").status_code == 200


def test_expect_100_continue_is_answered_before_the_body(registry, repo):
    """swift-stack-notes.md trap: "Hummingbird 2.28.1 does not answer `Expect: 100-continue`. curl (and Go
    clients for large bodies) send it and wait". RFC 9110 §10.1.1: a server that receives it and will
    read the body sends `100 Continue` first."""
    data = random_bytes(1000)
    target = urlsplit(with_query(start_upload(registry, repo), {"digest": sha256_digest(data)}))
    path = f"{target.path}?{target.query}"
    with socket.create_connection((registry.host, registry.port), timeout=3) as s:
        s.sendall(
            (
                f"PUT {path} HTTP/1.1\r\nHost: {registry.hostport}\r\nExpect: 100-continue\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode()
        )
        started = time.monotonic()
        first = b""
        try:
            while b"\r\n" not in first:
                chunk = s.recv(1024)
                if not chunk:
                    break
                first += chunk
        except socket.timeout:
            pass
        waited = time.monotonic() - started
        assert re.match(rb"HTTP/1\.1 100", first), f"no 100 Continue within {waited:.1f}s; got {first[:80]!r}"
        s.sendall(data)
        rest = first
        while b"201" not in rest and len(rest) < 65536:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        assert b"HTTP/1.1 201" in rest, rest[:300]
