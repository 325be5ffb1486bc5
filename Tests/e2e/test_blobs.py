"""Blobs: GET, HEAD, Range, DELETE, and the digest errors."""

import hashlib

import pytest

from oci import (
    assert_oci_error,
    push_blob,
    random_bytes,
    sha256_digest,
    sha512_digest,
    start_upload,
    with_query,
)


@pytest.fixture
def blob(registry, repo):
    data = random_bytes(1000)
    return data, push_blob(registry, repo, data)


def test_get_blob_returns_its_bytes_and_digest(registry, repo, blob):
    """Spec: "A GET request to an existing blob URL MUST provide the expected blob, with a response
    code that MUST be `200 OK`." and "`Docker-Content-Digest` [...] MUST match the digest of the
    returned blob"."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200
    assert r.content == data
    assert r.headers.get("Docker-Content-Digest") == digest


def test_head_blob_gives_length_and_digest_without_body(registry, repo, blob):
    """Spec (HEAD): "MUST return 200 OK" with "`Docker-Content-Digest: <digest>`" and
    "`Content-Length: <size in bytes>` The exact size of the stored object." "A `HEAD` response
    **must not** include a response body."""
    data, digest = blob
    r = registry.head(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200
    assert r.headers.get("Content-Length") == str(len(data))
    assert r.headers.get("Docker-Content-Digest") == digest
    assert r.content == b""


def test_get_blob_with_range_returns_206_and_the_part(registry, repo, blob):
    """zot-behaviour.md: "Blobs: `GET` supports `Range` (206 ...)"; RFC 9110: a 206 carries
    `Content-Range: bytes <first>-<last>/<complete-length>`."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206
    assert r.content == data[100:200]
    assert r.headers.get("Content-Range") == f"bytes 100-199/{len(data)}"
    assert r.headers.get("Content-Length") == "100"


def test_get_blob_with_open_ended_range_returns_the_tail(registry, repo, blob):
    """RFC 9110 `bytes=<first>-`: from `first` to the end."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": "bytes=900-"})
    assert r.status_code == 206
    assert r.content == data[900:]
    assert r.headers.get("Content-Range") == f"bytes 900-{len(data) - 1}/{len(data)}"


def test_get_blob_with_suffix_range_returns_the_last_bytes(registry, repo, blob):
    """RFC 9110 `bytes=-<n>`: the last `n` bytes."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": "bytes=-10"})
    assert r.status_code == 206
    assert r.content == data[-10:]
    assert r.headers.get("Content-Range") == f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}"


def test_get_blob_with_range_past_the_end_is_416(registry, repo, blob):
    """zot-behaviour.md: "`GET` supports `Range` (206, 416 for an unsatisfiable range)"."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": f"bytes={len(data)}-{len(data) + 10}"})
    assert r.status_code == 416


def test_unsatisfiable_range_answer_names_the_blob_size(registry, repo, blob):
    """RFC 9110 §15.5.17: "a server generating a 416 response to a byte-range request SHOULD send a
    Content-Range header field with an unsatisfied-range value" (`bytes */<length>`)."""
    data, digest = blob
    r = registry.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": f"bytes={len(data) + 5}-"})
    assert r.status_code == 416
    assert r.headers.get("Content-Range") == f"bytes */{len(data)}"


def test_delete_blob_is_202_then_the_blob_is_unknown(registry, repo, blob):
    """Spec: "Upon success, the registry MUST respond with code `202 Accepted`." Afterwards the blob
    is gone: "If the blob is not found in the registry, the response code MUST be `404 Not Found`"."""
    _, digest = blob
    r = registry.delete(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 202, r.text
    assert_oci_error(registry.get(f"/v2/{repo}/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    assert registry.head(f"/v2/{repo}/blobs/{digest}").status_code == 404


def test_delete_unknown_blob_is_404_blob_unknown(registry, repo, blob):
    """Spec (Deleting Blobs): "If the blob is not found, a `404 Not Found` code MUST be returned." """
    missing = sha256_digest(random_bytes(32))
    assert_oci_error(registry.delete(f"/v2/{repo}/blobs/{missing}"), 404, "BLOB_UNKNOWN")


def test_get_unknown_blob_is_404_blob_unknown(registry, repo, blob):
    """Spec: "If the blob is not found in the repository, the registry **must** return 404"; code
    BLOB_UNKNOWN "blob unknown to registry"."""
    missing = sha256_digest(random_bytes(32))
    assert_oci_error(registry.get(f"/v2/{repo}/blobs/{missing}"), 404, "BLOB_UNKNOWN")


def test_head_unknown_blob_is_404(registry, repo, blob):
    """Spec: "If the manifest or blob does not exist, the registry **must** return 404 Not Found"."""
    missing = sha256_digest(random_bytes(32))
    r = registry.head(f"/v2/{repo}/blobs/{missing}")
    assert r.status_code == 404
    assert r.content == b""


def test_blob_in_unknown_repository_is_404(registry, repo):
    """A blob asked for in a repository that does not exist is not found (BLOB_UNKNOWN or NAME_UNKNOWN)."""
    missing = sha256_digest(random_bytes(32))
    assert_oci_error(registry.get(f"/v2/{repo}-absent/blobs/{missing}"), 404, "BLOB_UNKNOWN", "NAME_UNKNOWN")


def test_blob_is_visible_only_in_the_repository_it_was_pushed_to(registry, repo, blob):
    """style-anchors.md: "A global content-addressed blob store; per-repository links grant access":
    a blob pushed to one repository is not served from another."""
    _, digest = blob
    other = repo + "-other"
    push_blob(registry, other, random_bytes(10))
    assert_oci_error(registry.get(f"/v2/{other}/blobs/{digest}"), 404, "BLOB_UNKNOWN")


@pytest.mark.parametrize(
    "bad",
    [
        "sha256:abc",  # too short for sha256
        "sha256:" + "g" * 64,  # not hex
        "sha256:" + "A" * 64,  # upper-case hex is not the canonical encoding
        "nodigest",
        "sha256:",
    ],
)
def test_get_blob_with_invalid_digest_is_400_digest_invalid(registry, repo, blob, bad):
    """zot-behaviour.md: "DIGEST_INVALID 400"; image-spec: "the encoded portion MUST match
    /[a-f0-9]{64}/" for sha256."""
    assert_oci_error(registry.get(f"/v2/{repo}/blobs/{bad}"), 400, "DIGEST_INVALID")


def test_get_blob_with_unsupported_algorithm_is_400(registry, repo, blob):
    """A digest algorithm the registry does not implement (md5) is rejected: 400 DIGEST_INVALID or
    UNSUPPORTED; never a 5xx."""
    md5 = "md5:" + hashlib.md5(b"x").hexdigest()
    assert_oci_error(registry.get(f"/v2/{repo}/blobs/{md5}"), 400, "DIGEST_INVALID", "UNSUPPORTED")


def test_sha512_blob_can_be_pushed_and_pulled(registry, repo):
    """image-spec (Registered algorithms): sha512 is a registered algorithm; a blob pushed with
    `?digest=sha512:...` is served under that digest. Spec: `Docker-Content-Digest` "returns the
    canonical digest of the uploaded blob which MAY differ from the provided digest" but "MUST be a
    digest matching that of the response body"."""
    data = random_bytes(3000)
    digest = sha512_digest(data)
    url = start_upload(registry, repo)
    r = registry.put(with_query(url, {"digest": digest}), data=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    g = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert g.status_code == 200
    assert g.content == data
    assert g.headers.get("Docker-Content-Digest") in (digest, sha256_digest(data))


def test_sha512_blob_with_wrong_content_is_rejected(registry, repo):
    """A sha512 digest is verified like a sha256 one: a mismatch is 400 DIGEST_INVALID."""
    data = random_bytes(300)
    digest = sha512_digest(data + b"x")
    url = start_upload(registry, repo)
    r = registry.put(with_query(url, {"digest": digest}), data=data)
    assert_oci_error(r, 400, "DIGEST_INVALID")
    assert registry.head(f"/v2/{repo}/blobs/{digest}").status_code == 404


def test_empty_blob_can_be_pushed_and_pulled(registry, repo):
    """A zero-length blob is legal content (`sha256:e3b0...`)."""
    digest = push_blob(registry, repo, b"")
    r = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200
    assert r.content == b""
    assert registry.head(f"/v2/{repo}/blobs/{digest}").headers.get("Content-Length") == "0"


def test_large_blob_roundtrips_intact(registry, repo):
    """A blob larger than any internal buffer (24 MiB) comes back byte for byte."""
    data = random_bytes(24 * 1024 * 1024)
    digest = push_blob(registry, repo, data)
    r = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200
    assert len(r.content) == len(data)
    assert sha256_digest(r.content) == digest
