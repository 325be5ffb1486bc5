"""Repository names: what is valid, what is refused, and that no name reaches outside the root."""

import http.client
import json
import os

import pytest

from oci import (
    OCI_MANIFEST,
    build_image,
    push_image,
    random_bytes,
    sha256_digest,
)


def raw(registry, method, path, body=b"", headers=None):
    """Send `path` exactly as written (no client-side normalisation of `..` or `//`)."""
    conn = http.client.HTTPConnection(registry.host, registry.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        hdrs = {"Content-Length": str(len(body))}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def assert_name_refused(status, body, where):
    """Refused as an invalid name (400 NAME_INVALID) or as not found (404); the body is the OCI error
    envelope."""
    assert status in (400, 404), f"{where}: status {status}: {body[:200]!r}"
    try:
        doc = json.loads(body)
    except ValueError:
        raise AssertionError(f"{where}: {status} without a JSON error body: {body[:200]!r}")
    codes = [e.get("code") for e in doc.get("errors", [])]
    expected = {"NAME_INVALID"} if status == 400 else {"NAME_UNKNOWN", "NAME_INVALID", "BLOB_UPLOAD_UNKNOWN", "MANIFEST_UNKNOWN", "BLOB_UNKNOWN"}
    assert expected & set(codes), f"{where}: codes {codes}, expected one of {sorted(expected)}"


INVALID_NAMES = [
    "UpperCase",
    "a//b",
    "-lead",
    "trail-",
    "a/../b",
    "..",
    "a/..",
    "a/./b",
    "under___three",
    "dot..dot",
    "sp%20ace",
    "a%2F..%2F..%2Fescape",
]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_push_to_invalid_name_is_refused(fresh_registry, name):
    """Spec: `<name>` "**must** match `[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)
    [a-z0-9]+)*)*`"; zot-behaviour.md: NAME_INVALID 400. A push under such a name is refused."""
    status, body, _ = raw(fresh_registry, "POST", f"/v2/{name}/blobs/uploads/")
    assert_name_refused(status, body, f"POST /v2/{name}/blobs/uploads/")


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_manifest_put_to_invalid_name_is_refused(fresh_registry, name):
    """The same rule for a manifest push: nothing is created under an invalid name."""
    img = build_image(layers=[], config=None)
    status, body, _ = raw(
        fresh_registry, "PUT", f"/v2/{name}/manifests/latest", img.manifest.data, {"Content-Type": OCI_MANIFEST}
    )
    assert_name_refused(status, body, f"PUT /v2/{name}/manifests/latest")


def test_trailing_slash_name_is_refused(fresh_registry):
    """`a/` has an empty last component: not a name."""
    status, body, _ = raw(fresh_registry, "GET", "/v2/a//tags/list")
    assert_name_refused(status, body, "GET /v2/a//tags/list")


@pytest.mark.parametrize("name", ["a", "0", "a.b", "a_b", "a__b", "a-b", "a---b", "a/b/c/d/e/f", "x9/y.z-w_v"])
def test_valid_unusual_names_are_accepted(registry, name):
    """Spec: names matching `[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/...)*` are valid: one character,
    dots, single and double underscores, runs of dashes, deep nesting."""
    img = build_image()
    full = f"e2e-names/{name}"
    push_image(registry, full, "t", img)
    assert registry.get(f"/v2/{full}/manifests/t").content == img.manifest.data


def test_invalid_names_never_touch_files_outside_the_root(fresh_registry):
    """The server "must not touch files outside its root": after traversal attempts on every endpoint,
    nothing new exists beside the root directory, and the server still answers."""
    parent = fresh_registry.root_dir.parent
    before = set(os.listdir(parent))
    digest = sha256_digest(b"x")
    tries = ["..", "a/..", "../escape", "a/../../escape", "..%2F..%2Fescape", "a%2F..%2F..%2Fescape", "%2e%2e", "a/%2e%2e/%2e%2e/escape"]
    for name in tries:
        for method, path, body in (
            ("POST", f"/v2/{name}/blobs/uploads/?digest={digest}", b"x"),
            ("PUT", f"/v2/{name}/manifests/latest", b"{}"),
            ("GET", f"/v2/{name}/tags/list", b""),
            ("GET", f"/v2/{name}/blobs/{digest}", b""),
            ("DELETE", f"/v2/{name}/manifests/latest", b""),
            ("GET", f"/v2/{name}/referrers/{digest}", b""),
        ):
            status, rbody, _ = raw(fresh_registry, method, path, body, {"Content-Type": OCI_MANIFEST})
            assert status < 500, f"{method} {path}: {status} {rbody[:200]!r}"
    assert set(os.listdir(parent)) == before
    assert not (parent.parent / "escape").exists()
    assert fresh_registry.get("/v2/").status_code == 200
    assert fresh_registry.get("/v2/_catalog").json().get("repositories") in ([], None)


def test_invalid_name_on_read_endpoints_is_refused(fresh_registry):
    """Reads under an invalid name are refused too (400 NAME_INVALID or 404), never served."""
    digest = sha256_digest(random_bytes(4))
    for path in (f"/v2/Bad/tags/list", f"/v2/Bad/manifests/latest", f"/v2/Bad/blobs/{digest}"):
        status, body, _ = raw(fresh_registry, "GET", path)
        assert_name_refused(status, body, f"GET {path}")
