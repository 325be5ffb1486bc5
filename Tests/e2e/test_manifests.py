"""Manifests: push, pull, HEAD, delete; OCI and Docker media types; every rejection."""

import json
from urllib.parse import urlsplit

import pytest

from oci import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    MAX_MANIFEST_BYTES,
    OCI_INDEX,
    OCI_MANIFEST,
    Content,
    absolute_location,
    assert_oci_error,
    build_artifact,
    build_image,
    build_index,
    canonical_json,
    push_blob,
    push_image,
    push_manifest,
    random_bytes,
    sha256_digest,
    with_query,
)


def put_manifest(registry, repo, ref, content, media_type=None):
    return registry.put(
        f"/v2/{repo}/manifests/{ref}", data=content.data, headers={"Content-Type": media_type or content.media_type}
    )


@pytest.fixture
def image(registry, repo):
    img = build_image()
    push_image(registry, repo, "v1", img)
    return img


# ------------------------------------------------------------------ push


def test_put_manifest_by_tag_is_201_with_location_and_digest(registry, repo):
    """Spec: "Upon a successful upload, the registry MUST return response code `201 Created`, and MUST
    have `Location: <location>`"; "The Docker-Content-Digest header returns the canonical digest of the
    uploaded blob"."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    r = put_manifest(registry, repo, "latest", img.manifest)
    assert r.status_code == 201, r.text
    assert r.headers.get("Docker-Content-Digest") == img.digest
    loc = urlsplit(absolute_location(r)).path
    assert loc in (f"/v2/{repo}/manifests/{img.digest}", f"/v2/{repo}/manifests/latest"), loc


def test_put_manifest_by_its_digest_is_201(registry, repo):
    """Spec: "the `<reference>` MUST be either a) a digest or b) a tag"; pushed by digest it is
    pullable by that digest."""
    img = build_image()
    push_image(registry, repo, img.digest, img)
    r = registry.get(f"/v2/{repo}/manifests/{img.digest}")
    assert r.status_code == 200 and r.content == img.manifest.data


def test_manifest_location_is_pullable(registry, repo):
    """Spec: "The `<location>` is a pullable manifest URL."."""
    img = build_image()
    r = push_image(registry, repo, "t", img)
    g = registry.get(absolute_location(r))
    assert g.status_code == 200 and g.content == img.manifest.data


def test_put_tag_again_moves_the_tag(registry, repo):
    """A tag names one manifest at a time: pushing another manifest under it moves it."""
    first, second = build_image(), build_image()
    push_image(registry, repo, "moving", first)
    push_image(registry, repo, "moving", second)
    r = registry.get(f"/v2/{repo}/manifests/moving")
    assert r.headers.get("Docker-Content-Digest") == second.digest
    assert registry.get(f"/v2/{repo}/manifests/{first.digest}").status_code == 200


def test_put_same_manifest_twice_is_idempotent(registry, repo):
    """Pushing identical bytes again succeeds and changes nothing."""
    img = build_image()
    push_image(registry, repo, "same", img)
    r = put_manifest(registry, repo, "same", img.manifest)
    assert r.status_code == 201
    assert r.headers.get("Docker-Content-Digest") == img.digest


# ------------------------------------------------------------------ pull


def test_get_manifest_by_tag_returns_stored_bytes_type_and_digest(registry, repo, image):
    """Spec: "A GET request to an existing manifest URL MUST provide the expected manifest, with a
    response code that MUST be `200 OK`"; "`Content-Type: <manifest media type>` [...] should match the
    `Content-Type` used when the manifest was pushed"; "Body: the manifest, byte-for-byte as stored"."""
    r = registry.get(f"/v2/{repo}/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200
    assert r.content == image.manifest.data
    assert r.headers.get("Content-Type") == OCI_MANIFEST
    assert r.headers.get("Docker-Content-Digest") == image.digest


def test_get_manifest_by_digest_returns_stored_bytes(registry, repo, image):
    """Spec: `<reference>` "MUST be either (a) the digest of the manifest or (b) a tag name"."""
    r = registry.get(f"/v2/{repo}/manifests/{image.digest}", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200
    assert r.content == image.manifest.data
    assert r.headers.get("Docker-Content-Digest") == image.digest
    assert r.headers.get("Content-Type") == OCI_MANIFEST


def test_head_manifest_gives_type_length_and_digest_without_body(registry, repo, image):
    """Spec (HEAD): "MUST return 200 OK" with "`Docker-Content-Digest`" and "`Content-Length: <size in
    bytes>`", and "**must not** include a response body"."""
    for ref in ("v1", image.digest):
        r = registry.head(f"/v2/{repo}/manifests/{ref}", headers={"Accept": OCI_MANIFEST})
        assert r.status_code == 200
        assert r.headers.get("Docker-Content-Digest") == image.digest
        assert r.headers.get("Content-Length") == str(image.manifest.size)
        assert r.headers.get("Content-Type") == OCI_MANIFEST
        assert r.content == b""


def test_manifest_bytes_are_kept_exactly_as_pushed(registry, repo):
    """Spec: "The registry MUST store the manifest in the exact byte representation provided by the
    client." — indentation, key order and a trailing newline survive."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    doc = img.manifest.json()
    odd = (json.dumps({"schemaVersion": 2, **{k: doc[k] for k in reversed(list(doc))}}, indent=3) + "\n").encode()
    content = Content(odd, OCI_MANIFEST)
    r = put_manifest(registry, repo, "odd", content)
    assert r.status_code == 201, r.text
    assert r.headers.get("Docker-Content-Digest") == sha256_digest(odd)
    assert registry.get(f"/v2/{repo}/manifests/odd").content == odd


def test_get_unknown_tag_is_404_manifest_unknown(registry, repo, image):
    """Spec: "If the manifest is not found in the registry, the response code MUST be `404 Not Found`";
    code MANIFEST_UNKNOWN "manifest unknown to registry"."""
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/nope"), 404, "MANIFEST_UNKNOWN")


def test_get_unknown_digest_is_404_manifest_unknown(registry, repo, image):
    """Same for a digest that names no manifest."""
    missing = sha256_digest(random_bytes(16))
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/{missing}"), 404, "MANIFEST_UNKNOWN")


def test_head_unknown_manifest_is_404(registry, repo, image):
    """Spec: "If the manifest or blob does not exist, the registry **must** return 404 Not Found"."""
    assert registry.head(f"/v2/{repo}/manifests/nope").status_code == 404


def test_manifest_in_unknown_repository_is_404(registry, repo):
    """Spec: "An attempt to pull a nonexistent repository MUST return response code `404 Not Found`"."""
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/latest"), 404, "NAME_UNKNOWN", "MANIFEST_UNKNOWN")


def test_blob_digest_is_not_a_manifest(registry, repo, image):
    """A layer's digest names a blob, not a manifest: 404 MANIFEST_UNKNOWN."""
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/{image.layers[0].digest}"), 404, "MANIFEST_UNKNOWN")


def test_manifest_of_one_repository_is_unknown_in_another(registry, repo, image):
    """Manifests belong to their repository: the digest is not found in another."""
    push_image(registry, repo + "-x", "t", build_image())
    assert_oci_error(registry.get(f"/v2/{repo}-x/manifests/{image.digest}"), 404, "MANIFEST_UNKNOWN")


# ------------------------------------------------------------------ media types


def test_oci_index_of_pushed_manifests_is_accepted_and_served(registry, repo):
    """zot-behaviour.md: "Every blob the manifest references (config, layers; manifests for an index)
    must exist"; an index whose manifests are pushed is accepted and served as pushed."""
    images = [build_image(), build_image()]
    for img in images:
        push_image(registry, repo, img.digest, img)
    index = build_index(images)
    r = put_manifest(registry, repo, "multi", index)
    assert r.status_code == 201, r.text
    g = registry.get(f"/v2/{repo}/manifests/multi", headers={"Accept": OCI_INDEX})
    assert g.content == index.data
    assert g.headers.get("Content-Type") == OCI_INDEX
    assert g.headers.get("Docker-Content-Digest") == index.digest


def test_oci_index_with_missing_manifest_is_404_manifest_blob_unknown(registry, repo):
    """zot-behaviour.md: an index's manifests must exist "→ otherwise `MANIFEST_BLOB_UNKNOWN`";
    spec: "the registry **must** return one or more `MANIFEST_BLOB_UNKNOWN` errors"."""
    present, absent = build_image(), build_image()
    push_image(registry, repo, present.digest, present)
    index = build_index([present, absent])
    assert_oci_error(put_manifest(registry, repo, "broken", index), 404, "MANIFEST_BLOB_UNKNOWN")


def test_docker_schema2_manifest_is_accepted_and_served_as_pushed(registry, repo):
    """zot-behaviour.md: "zotd does better: accepts Docker schema2 manifests and manifest lists by
    default (docker and podman push them), and serves what was pushed byte for byte."""
    img = build_image(docker=True)
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    r = put_manifest(registry, repo, "docker", img.manifest)
    assert r.status_code == 201, r.text
    g = registry.get(f"/v2/{repo}/manifests/docker", headers={"Accept": DOCKER_MANIFEST})
    assert g.status_code == 200
    assert g.content == img.manifest.data
    assert g.headers.get("Content-Type") == DOCKER_MANIFEST


def test_docker_manifest_list_is_accepted_and_served_as_pushed(registry, repo):
    """zot-behaviour.md: zotd "accepts Docker schema2 manifests and manifest lists by default"."""
    images = [build_image(docker=True), build_image(docker=True)]
    for img in images:
        push_image(registry, repo, img.digest, img)
    lst = build_index(images, docker=True)
    r = put_manifest(registry, repo, "list", lst)
    assert r.status_code == 201, r.text
    g = registry.get(f"/v2/{repo}/manifests/list", headers={"Accept": DOCKER_MANIFEST_LIST})
    assert g.content == lst.data
    assert g.headers.get("Content-Type") == DOCKER_MANIFEST_LIST


def test_artifact_manifest_with_artifact_type_is_accepted(registry, repo):
    """image-spec v1.1: an artifact sets `artifactType` and may use the empty config
    `application/vnd.oci.empty.v1+json` (`{}`); the registry stores it like any image manifest."""
    art = build_artifact("application/vnd.example.thing.v1")
    r = push_image(registry, repo, "artifact", art)
    assert r.headers.get("Docker-Content-Digest") == art.digest
    g = registry.get(f"/v2/{repo}/manifests/artifact")
    assert g.content == art.manifest.data
    assert g.json()["artifactType"] == "application/vnd.example.thing.v1"


def test_content_type_parameters_are_ignored(registry, repo):
    """Spec: "The registry SHOULD ignore parameters on the `Content-Type` header."."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    r = put_manifest(registry, repo, "params", img.manifest, media_type=OCI_MANIFEST + "; charset=utf-8")
    assert r.status_code == 201, r.text
    assert registry.get(f"/v2/{repo}/manifests/params").headers.get("Content-Type") == OCI_MANIFEST


# ------------------------------------------------------------------ rejections


def test_manifest_with_missing_layer_is_404_manifest_blob_unknown(registry, repo):
    """zot-behaviour.md: "Every blob the manifest references (config, layers [...]) must exist →
    otherwise `MANIFEST_BLOB_UNKNOWN`" (404 in its code table)."""
    img = build_image()
    push_blob(registry, repo, img.config.data)
    push_blob(registry, repo, img.layers[0].data)  # the second layer is never pushed
    assert_oci_error(put_manifest(registry, repo, "t", img.manifest), 404, "MANIFEST_BLOB_UNKNOWN")
    assert registry.get(f"/v2/{repo}/manifests/t").status_code == 404


def test_manifest_with_missing_config_is_404_manifest_blob_unknown(registry, repo):
    """The config is a referenced blob too."""
    img = build_image()
    for layer in img.layers:
        push_blob(registry, repo, layer.data)
    assert_oci_error(put_manifest(registry, repo, "t", img.manifest), 404, "MANIFEST_BLOB_UNKNOWN")


def test_manifest_referencing_a_blob_of_another_repository_is_rejected(registry, repo):
    """The blobs must exist in the manifest's own repository: a layer held only by another repository
    does not count."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo + "-elsewhere", b.data)
    push_blob(registry, repo, img.config.data)
    assert_oci_error(put_manifest(registry, repo, "t", img.manifest), 404, "MANIFEST_BLOB_UNKNOWN")


def test_malformed_json_is_400_manifest_invalid(registry, repo):
    """zot-behaviour.md code table: "MANIFEST_INVALID 400" — "manifest invalid"."""
    bad = Content(b'{"schemaVersion": 2, "mediaType": ', OCI_MANIFEST)
    assert_oci_error(put_manifest(registry, repo, "bad", bad), 400, "MANIFEST_INVALID")


def test_manifest_without_config_is_400_manifest_invalid(registry, repo):
    """image-spec: an image manifest's `config` "is REQUIRED"; without it the manifest is invalid."""
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}
    assert_oci_error(put_manifest(registry, repo, "bad", Content(canonical_json(doc), OCI_MANIFEST)), 400, "MANIFEST_INVALID")


def test_manifest_with_wrong_schema_version_is_400_manifest_invalid(registry, repo):
    """image-spec: "schemaVersion [...] MUST be `2`"."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    doc = img.manifest.json()
    doc["schemaVersion"] = 1
    assert_oci_error(put_manifest(registry, repo, "bad", Content(canonical_json(doc), OCI_MANIFEST)), 400, "MANIFEST_INVALID")


def test_manifest_whose_media_type_contradicts_content_type_is_400(registry, repo):
    """Spec: "If a manifest includes a `mediaType` field, clients MUST set the `Content-Type` header to
    the value specified by the `mediaType` field"; a contradiction makes the manifest invalid."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    assert_oci_error(put_manifest(registry, repo, "bad", img.manifest, media_type=OCI_INDEX), 400, "MANIFEST_INVALID")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/json", "application/vnd.example." + "x" * 10_000],
    ids=["missing", "text-plain", "json", "made-up-10kb"])
def test_manifest_with_unsupported_content_type_is_415(registry, repo, content_type):
    """zot's UpdateManifest: a Content-Type that is no manifest type it stores, or none at all, is 415 with
    MANIFEST_INVALID; the body's own `mediaType` is not taken instead, and nothing is stored under the tag."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = registry.put(f"/v2/{repo}/manifests/typed", data=img.manifest.data, headers=headers)
    assert_oci_error(r, 415, "MANIFEST_INVALID")
    assert registry.get(f"/v2/{repo}/manifests/typed").status_code == 404


def test_manifest_with_a_duplicate_layers_key_is_400_and_not_stored(registry, repo):
    """Go clients keep the last of two equal keys: a second `layers` naming a blob never pushed would pass
    the missing-blob check on the first and reach every client. Refused, naming the key."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    missing = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha256_digest(b"never pushed"), "size": 12}
    text = img.manifest.data.decode()
    assert text.endswith("}")
    smuggled = text[:-1] + ',"layers":' + json.dumps([missing]) + "}"
    r = registry.put(f"/v2/{repo}/manifests/dup", data=smuggled.encode(), headers={"Content-Type": OCI_MANIFEST})
    body = assert_oci_error(r, 400, "MANIFEST_INVALID")
    assert 'duplicate key "layers"' in body.get("detail", ""), body
    assert registry.get(f"/v2/{repo}/manifests/dup").status_code == 404


def test_manifest_that_clients_would_read_as_an_index_is_400(registry, repo):
    """`"mediaType": <image manifest>, ..., "mediaType": <index>` under an image Content-Type: refused."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    text = img.manifest.data.decode()
    smuggled = text[:-1] + ',"mediaType":"' + OCI_INDEX + '"}'
    r = registry.put(f"/v2/{repo}/manifests/dup", data=smuggled.encode(), headers={"Content-Type": OCI_MANIFEST})
    assert_oci_error(r, 400, "MANIFEST_INVALID")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_manifest_not_in_plain_utf8_is_400(registry, repo, encoding):
    """The image spec requires UTF-8 JSON; Go (and so zot) refuses a byte-order mark. A UTF-16 manifest with
    its BOM, or UTF-8 with one, is refused rather than stored and served back."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    data = img.manifest.data.decode().encode(encoding)
    r = registry.put(f"/v2/{repo}/manifests/enc", data=data, headers={"Content-Type": OCI_MANIFEST})
    assert_oci_error(r, 400, "MANIFEST_INVALID")
    assert registry.get(f"/v2/{repo}/manifests/enc").status_code == 404


def _manifest_of_size(size: int) -> Content:
    doc = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.big",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256_digest(b"{}"), "size": 2},
        "layers": [],
        "annotations": {"pad": ""},
    }
    base = len(canonical_json(doc))
    doc["annotations"]["pad"] = "x" * (size - base)
    data = canonical_json(doc)
    assert len(data) == size
    return Content(data, OCI_MANIFEST)


def test_manifest_of_exactly_4_mib_is_accepted(registry, repo):
    """Spec: "Client and registry implementations SHOULD expect to be able to support manifest pushes of
    at least 4 megabytes."; zot-behaviour.md: "Body limit 4 MiB"."""
    push_blob(registry, repo, b"{}")
    content = _manifest_of_size(MAX_MANIFEST_BYTES)
    r = put_manifest(registry, repo, "big", content)
    assert r.status_code == 201, r.text[:300]
    assert registry.get(f"/v2/{repo}/manifests/big").content == content.data


def test_manifest_over_4_mib_is_413(registry, repo):
    """Spec: "A registry that enforces this limit SHOULD respond to a request to push a manifest over
    this limit with a response code `413 Payload Too Large`"; zot-behaviour.md: "Body limit 4 MiB → 413"."""
    push_blob(registry, repo, b"{}")
    r = put_manifest(registry, repo, "huge", _manifest_of_size(MAX_MANIFEST_BYTES + 1))
    assert_oci_error(r, 413, "SIZE_INVALID", "MANIFEST_INVALID")
    assert registry.get(f"/v2/{repo}/manifests/huge").status_code == 404


def test_put_by_digest_that_does_not_match_is_400_digest_invalid(registry, repo):
    """Spec: the Docker-Content-Digest "MUST be equal to the client provided digest"; a manifest pushed
    under a digest that is not its own is DIGEST_INVALID "provided digest did not match uploaded
    content"."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    wrong = sha256_digest(img.manifest.data + b" ")
    assert_oci_error(put_manifest(registry, repo, wrong, img.manifest), 400, "DIGEST_INVALID")
    assert registry.get(f"/v2/{repo}/manifests/{img.digest}").status_code == 404


@pytest.mark.parametrize("tag", ["-starts-with-dash", ".dot", "a" * 129, "has+plus"])
def test_invalid_tag_is_rejected_with_400(registry, repo, tag):
    """Spec: a tag matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`; "The `<reference>` MUST NOT be in any
    other format." (MANIFEST_INVALID, or the legacy TAG_INVALID the spec says clients may meet)."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    r = put_manifest(registry, repo, tag, img.manifest)
    assert_oci_error(r, 400, "MANIFEST_INVALID", "TAG_INVALID")


def test_tag_of_128_characters_is_accepted(registry, repo):
    """Spec: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` — 128 characters, mixed case, are a valid tag."""
    tag = "A_b.c-" + "x" * 122
    assert len(tag) == 128
    push_image(registry, repo, tag, build_image())
    assert registry.get(f"/v2/{repo}/manifests/{tag}").status_code == 200


# ------------------------------------------------------------------ delete


def test_delete_manifest_by_digest_is_202_then_404(registry, repo, image):
    """Spec: "Upon success, the registry MUST respond with a `202 Accepted` code." "Once deleted, a `GET`
    to `/v2/<name>/manifests/<digest>` and any tag pointing to that digest will return a 404."."""
    r = registry.delete(f"/v2/{repo}/manifests/{image.digest}")
    assert r.status_code == 202, r.text
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/{image.digest}"), 404, "MANIFEST_UNKNOWN")
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/v1"), 404, "MANIFEST_UNKNOWN")


def test_delete_manifest_by_digest_removes_its_tags_from_the_list(registry, repo, image):
    """After the manifest is gone, its tags are no longer listed."""
    registry.delete(f"/v2/{repo}/manifests/{image.digest}")
    r = registry.get(f"/v2/{repo}/tags/list")
    if r.status_code == 200:
        assert "v1" not in (r.json().get("tags") or [])
    else:
        assert_oci_error(r, 404, "NAME_UNKNOWN")


def test_delete_tag_removes_only_the_tag(registry, repo, image):
    """zot-behaviour.md: "Manifest `DELETE` by digest or tag → 202. Tag delete removes only the tag."
    Spec: "Once deleted, a `GET` to `/v2/<name>/manifests/<tag>` will return a 404."."""
    push_manifest(registry, repo, "v2", image.manifest)
    r = registry.delete(f"/v2/{repo}/manifests/v1")
    assert r.status_code == 202, r.text
    assert_oci_error(registry.get(f"/v2/{repo}/manifests/v1"), 404, "MANIFEST_UNKNOWN")
    assert registry.get(f"/v2/{repo}/manifests/{image.digest}").status_code == 200
    assert registry.get(f"/v2/{repo}/manifests/v2").status_code == 200
    assert registry.get(f"/v2/{repo}/tags/list").json()["tags"] == ["v2"]


def test_delete_unknown_manifest_is_404_manifest_unknown(registry, repo, image):
    """Deleting what is not there: 404 MANIFEST_UNKNOWN."""
    missing = sha256_digest(random_bytes(16))
    assert_oci_error(registry.delete(f"/v2/{repo}/manifests/{missing}"), 404, "MANIFEST_UNKNOWN")
    assert_oci_error(registry.delete(f"/v2/{repo}/manifests/no-such-tag"), 404, "MANIFEST_UNKNOWN")


def test_delete_manifest_in_unknown_repository_is_404(registry, repo):
    """Spec (Deleting Manifests): "If the repository does not exist, the response MUST return `404 Not
    Found`"."""
    missing = sha256_digest(random_bytes(16))
    assert_oci_error(registry.delete(f"/v2/{repo}/manifests/{missing}"), 404, "NAME_UNKNOWN", "MANIFEST_UNKNOWN")


# ------------------------------------------------------------------ multi-tag push, subject


def test_push_by_digest_with_several_tag_parameters_applies_each_tag(registry, repo):
    """zot-behaviour.md: "Push by digest may carry repeated `?tag=` parameters (draft multi-tag push):
    each tag is applied and echoed in an `OCI-Tag` response header."."""
    img = build_image()
    for b in img.blobs:
        push_blob(registry, repo, b.data)
    r = registry.put(
        with_query(f"/v2/{repo}/manifests/{img.digest}", [("tag", "a"), ("tag", "b"), ("tag", "c")]),
        data=img.manifest.data,
        headers={"Content-Type": OCI_MANIFEST},
    )
    assert r.status_code == 201, r.text
    for tag in "abc":
        g = registry.get(f"/v2/{repo}/manifests/{tag}")
        assert g.status_code == 200 and g.headers.get("Docker-Content-Digest") == img.digest
    echoed = [t.strip() for t in r.headers.get("OCI-Tag", "").split(",") if t.strip()]
    assert sorted(echoed) == ["a", "b", "c"], f"OCI-Tag headers: {r.headers.get('OCI-Tag')!r}"


def test_manifest_with_subject_answers_oci_subject(registry, repo, image):
    """Spec: "When processing a request for an image manifest with the `subject` field, a registry
    implementation that supports the referrers API MUST respond with the response header
    `OCI-Subject: <subject digest>`"."""
    art = build_artifact("application/vnd.example.sig", subject=image.manifest)
    r = push_image(registry, repo, art.digest, art)
    assert r.headers.get("OCI-Subject") == image.digest


def test_manifest_without_subject_has_no_oci_subject(registry, repo):
    """`OCI-Subject` tells that a `subject` was processed; a manifest without one gets none."""
    r = push_image(registry, repo, "plain", build_image())
    assert "OCI-Subject" not in r.headers


def test_manifest_whose_subject_is_missing_is_accepted(registry, repo):
    """Spec: "A registry **must** accept a manifest that includes a `subject` field referencing another
    manifest that does not yet exist in the repository." """
    ghost = build_image()  # never pushed
    art = build_artifact("application/vnd.example.sig", subject=ghost.manifest)
    r = push_image(registry, repo, art.digest, art)
    assert r.status_code == 201
    assert r.headers.get("OCI-Subject") == ghost.digest
