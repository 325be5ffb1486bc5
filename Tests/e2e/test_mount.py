"""Cross-repository blob mount."""

from urllib.parse import urlsplit

from oci import (
    absolute_location,
    assert_oci_error,
    patch_chunk,
    push_blob,
    random_bytes,
    sha256_digest,
    with_query,
)


def mount(registry, target, digest, source):
    return registry.post(with_query(f"/v2/{target}/blobs/uploads/", {"mount": digest, "from": source}))


def test_mount_of_existing_blob_is_201_with_location(registry, repo):
    """Spec: "The response to a successful mount MUST be `201 Created`, and MUST contain
    `Location: <blob-location>`"; zot-behaviour.md: "→ 201 when the blob exists and the caller may read
    `from`"."""
    data = random_bytes(4000)
    digest = push_blob(registry, repo, data)
    r = mount(registry, repo + "-b", digest, repo)
    assert r.status_code == 201, r.text
    assert r.headers.get("Docker-Content-Digest") == digest
    assert urlsplit(absolute_location(r)).path == f"/v2/{repo}-b/blobs/{digest}"


def test_mounted_blob_is_served_by_the_target_repository(registry, repo):
    """After a mount the target repository serves the blob, byte for byte."""
    data = random_bytes(4000)
    digest = push_blob(registry, repo, data)
    assert mount(registry, repo + "-b", digest, repo).status_code == 201
    r = registry.get(f"/v2/{repo}-b/blobs/{digest}")
    assert r.status_code == 200 and r.content == data


def test_mounted_blob_survives_delete_in_the_source(registry, repo):
    """zot-behaviour.md: "a real mount": the target holds its own link, so deleting the blob from the
    source repository leaves the target's copy readable."""
    data = random_bytes(100)
    digest = push_blob(registry, repo, data)
    assert mount(registry, repo + "-b", digest, repo).status_code == 201
    assert registry.delete(f"/v2/{repo}/blobs/{digest}").status_code == 202
    r = registry.get(f"/v2/{repo}-b/blobs/{digest}")
    assert r.status_code == 200 and r.content == data


def test_mount_of_missing_blob_falls_back_to_a_new_upload_session(registry, repo):
    """Spec: "if a registry does not support cross-repository mounting or is unable to mount the
    requested blob, it SHOULD return a `202`. This indicates that the upload session has begun and that
    the client MAY proceed with the upload."""
    push_blob(registry, repo, b"the source exists")
    data = random_bytes(300)
    digest = sha256_digest(data)
    r = mount(registry, repo + "-b", digest, repo)
    assert r.status_code == 202, r.text
    url = absolute_location(r)
    r = patch_chunk(registry, url, data)
    assert r.status_code == 202
    r = registry.put(with_query(absolute_location(r), {"digest": digest}))
    assert r.status_code == 201, r.text
    assert registry.get(f"/v2/{repo}-b/blobs/{digest}").content == data


def test_mount_from_unknown_repository_falls_back_to_202(registry, repo):
    """Spec: a registry "unable to mount the requested blob [...] SHOULD return a `202`"."""
    digest = sha256_digest(random_bytes(10))
    r = mount(registry, repo, digest, repo + "-nowhere")
    assert r.status_code == 202, r.text
    assert r.headers.get("Location")


def test_mount_does_not_expose_a_blob_the_source_lacks(registry, repo):
    """A blob stored in some repository C cannot be mounted from A, which does not hold it: 202, and
    the target does not gain the blob."""
    data = random_bytes(100)
    digest = push_blob(registry, repo + "-c", data)
    push_blob(registry, repo, b"a holds something else")
    r = mount(registry, repo + "-b", digest, repo)
    assert r.status_code == 202, r.text
    assert registry.head(f"/v2/{repo}-b/blobs/{digest}").status_code == 404


def test_mount_with_invalid_digest_is_400(registry, repo):
    """A `mount` parameter that is not a digest: 400 DIGEST_INVALID (or the spec's fallback, 202)."""
    push_blob(registry, repo, b"x")
    r = mount(registry, repo + "-b", "sha256:zz", repo)
    if r.status_code != 202:
        assert_oci_error(r, 400, "DIGEST_INVALID")


def test_a_mount_without_from_takes_the_blob_from_any_repository_holding_it(registry, repo):
    """zot's automatic cross-repository mount (the conformance suite's OCI_AUTOMATIC_CROSSMOUNT): no `from`,
    and the blob is found wherever the caller may read it."""
    data = random_bytes(3000)
    digest = push_blob(registry, repo, data)
    r = registry.post(with_query(f"/v2/{repo}-auto/blobs/uploads/", {"mount": digest}))
    assert r.status_code == 201, r.text
    assert urlsplit(absolute_location(r)).path == f"/v2/{repo}-auto/blobs/{digest}"
    assert registry.get(f"/v2/{repo}-auto/blobs/{digest}").content == data


def test_a_mount_without_from_of_a_blob_nobody_holds_starts_an_upload(registry, repo):
    r = registry.post(with_query(f"/v2/{repo}/blobs/uploads/", {"mount": sha256_digest(random_bytes(64))}))
    assert r.status_code == 202, r.text


def test_conformance_automatic_cross_mount_sequence_answers_201(registry, repo):
    """The OCI conformance suite's push workflow with OCI_AUTOMATIC_CROSSMOUNT=1 (distribution-spec,
    conformance/03_push_test.go, "Cross-mounting without from, and automatic content discovery enabled should
    return a 201"): a mount with `from` into the cross-mount namespace (201, its Location then GETs 200), then
    the same mount without `from` into that namespace, which must answer 201 too."""
    data = random_bytes(1024)
    digest = push_blob(registry, repo, data)
    crossmount = f"{repo}-conformance-crossmount"
    first = registry.post(with_query(f"/v2/{crossmount}/blobs/uploads/", {"mount": digest, "from": repo}))
    assert first.status_code == 201, first.text
    assert urlsplit(absolute_location(first)).path == f"/v2/{crossmount}/blobs/{digest}"
    assert registry.get(absolute_location(first)).status_code == 200
    again = registry.post(with_query(f"/v2/{crossmount}/blobs/uploads/", {"mount": digest}))
    assert again.status_code == 201, again.text
