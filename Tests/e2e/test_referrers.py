"""The referrers API (OCI Distribution Spec v1.1) and the legacy ORAS path."""

from urllib.parse import quote

import pytest

from oci import (
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    assert_oci_error,
    build_artifact,
    build_image,
    build_index,
    push_image,
    push_manifest,
    random_bytes,
    sha256_digest,
)

SBOM = "application/vnd.example.sbom.v1"
SIG = "application/vnd.example.signature.v1"


@pytest.fixture
def subject(registry, repo):
    img = build_image()
    push_image(registry, repo, "subject", img)
    return img


def referrers(registry, repo, digest, artifact_type=None):
    path = f"/v2/{repo}/referrers/{digest}"
    if artifact_type is not None:
        path += "?artifactType=" + quote(artifact_type, safe="")
    return registry.get(path)


def by_digest(resp):
    return {d["digest"]: d for d in resp.json()["manifests"]}


def test_referrers_of_manifest_without_referrers_is_an_empty_index(registry, repo, subject):
    """Spec: "Upon success, the response MUST be a JSON body with an image index"; "The `Content-Type`
    header MUST be set to `application/vnd.oci.image.index.v1+json`"; "If a query results in no matching
    referrers, an empty manifest list MUST be returned."."""
    r = referrers(registry, repo, subject.digest)
    assert r.status_code == 200, r.text
    assert r.headers.get("Content-Type") == OCI_INDEX
    body = r.json()
    assert body["schemaVersion"] == 2
    assert body["mediaType"] == OCI_INDEX
    assert body["manifests"] == []


def test_referrers_of_unknown_digest_is_200_not_404(registry, repo, subject):
    """Spec: "If the registry supports the referrers API, the registry MUST NOT return a `404 Not Found`
    to a referrers API requests."; zot-behaviour.md: "always 200 with an OCI image index"."""
    r = referrers(registry, repo, sha256_digest(random_bytes(8)))
    assert r.status_code == 200, r.text
    assert r.json()["manifests"] == []


def test_referrers_lists_each_referrer_with_artifact_type_and_annotations(registry, repo, subject):
    """Spec: "Each descriptor is of an image manifest or index in the same `<name>` namespace with a
    `subject` field that specifies the value of `<digest>`. The descriptors MUST include an
    `artifactType` field [...] The descriptors MUST include annotations from the image manifest"."""
    sbom = build_artifact(SBOM, subject=subject.manifest, annotations={"org.example.format": "spdx"})
    sig = build_artifact(SIG, subject=subject.manifest, annotations={"org.example.key": "k1"})
    push_image(registry, repo, sbom.digest, sbom)
    push_image(registry, repo, sig.digest, sig)
    r = referrers(registry, repo, subject.digest)
    assert r.status_code == 200
    listed = by_digest(r)
    assert set(listed) == {sbom.digest, sig.digest}
    assert listed[sbom.digest] == {
        "mediaType": OCI_MANIFEST,
        "digest": sbom.digest,
        "size": sbom.manifest.size,
        "artifactType": SBOM,
        "annotations": {"org.example.format": "spdx"},
    }
    assert listed[sig.digest]["artifactType"] == SIG
    assert listed[sig.digest]["annotations"] == {"org.example.key": "k1"}


def test_referrer_without_artifact_type_is_listed_with_its_config_media_type(registry, repo, subject):
    """Spec: "If the `artifactType` is empty or missing in the image manifest, the value of
    `artifactType` MUST be set to the config descriptor `mediaType` value."."""
    ref = build_image(subject=subject.manifest)  # an image manifest, config type OCI_CONFIG
    push_image(registry, repo, ref.digest, ref)
    listed = by_digest(referrers(registry, repo, subject.digest))
    assert listed[ref.digest]["artifactType"] == OCI_CONFIG


def test_index_with_subject_is_listed_as_a_referrer(registry, repo, subject):
    """Spec: "Each descriptor is of an image manifest or index [...] with a `subject` field"; "If the
    `artifactType` is empty or missing in an index, the `artifactType` MUST be omitted."."""
    child = build_image()
    push_image(registry, repo, child.digest, child)
    idx = build_index([child], subject=subject.manifest, annotations={"k": "v"})
    push_manifest(registry, repo, idx.digest, idx)
    listed = by_digest(referrers(registry, repo, subject.digest))
    assert listed[idx.digest]["mediaType"] == OCI_INDEX
    assert "artifactType" not in listed[idx.digest]
    assert listed[idx.digest]["annotations"] == {"k": "v"}


def test_artifact_type_filter_keeps_matching_referrers_and_says_so(registry, repo, subject):
    """Spec: "If filtering is requested and applied, the response MUST include a header
    `OCI-Filters-Applied: artifactType` denoting that an `artifactType` filter was applied."."""
    sbom = build_artifact(SBOM, subject=subject.manifest)
    sig = build_artifact(SIG, subject=subject.manifest)
    push_image(registry, repo, sbom.digest, sbom)
    push_image(registry, repo, sig.digest, sig)
    r = referrers(registry, repo, subject.digest, artifact_type=SBOM)
    assert r.status_code == 200
    assert r.headers.get("OCI-Filters-Applied") == "artifactType"
    assert list(by_digest(r)) == [sbom.digest]


def test_filter_matching_nothing_is_an_empty_index(registry, repo, subject):
    """Spec: "If a query results in no matching referrers, an empty manifest list MUST be returned."."""
    sig = build_artifact(SIG, subject=subject.manifest)
    push_image(registry, repo, sig.digest, sig)
    r = referrers(registry, repo, subject.digest, artifact_type="application/vnd.example.none")
    assert r.status_code == 200
    assert r.json()["manifests"] == []
    assert r.headers.get("OCI-Filters-Applied") == "artifactType"


def test_unfiltered_listing_has_no_filters_applied_header(registry, repo, subject):
    """`OCI-Filters-Applied` names the filters applied; with none asked, none is named."""
    r = referrers(registry, repo, subject.digest)
    assert "OCI-Filters-Applied" not in r.headers


def test_referrers_with_invalid_digest_is_400(registry, repo, subject):
    """Spec: "If the request is invalid, such as a `<digest>` with an invalid syntax, a `400 Bad
    Request` MUST be returned."."""
    assert_oci_error(registry.get(f"/v2/{repo}/referrers/sha256:nothex"), 400, "DIGEST_INVALID")


def test_referrers_with_a_tag_instead_of_a_digest_is_400(registry, repo, subject):
    """`<digest>` is "the digest of the manifest specified in the `subject` field"; a tag is not a
    digest."""
    assert_oci_error(registry.get(f"/v2/{repo}/referrers/subject"), 400, "DIGEST_INVALID")


def test_deleted_referrer_is_no_longer_listed(registry, repo, subject):
    """A referrer whose manifest is deleted disappears from the list."""
    sig = build_artifact(SIG, subject=subject.manifest)
    push_image(registry, repo, sig.digest, sig)
    assert registry.delete(f"/v2/{repo}/manifests/{sig.digest}").status_code == 202
    assert referrers(registry, repo, subject.digest).json()["manifests"] == []


def test_referrers_are_scoped_to_the_repository(registry, repo, subject):
    """Spec: descriptors are of manifests "in the same `<name>` namespace"."""
    other = repo + "-other"
    push_image(registry, other, "subject", subject)
    sig = build_artifact(SIG, subject=subject.manifest)
    push_image(registry, other, sig.digest, sig)
    assert referrers(registry, repo, subject.digest).json()["manifests"] == []
    assert list(by_digest(referrers(registry, other, subject.digest))) == [sig.digest]


def test_referrer_pushed_before_its_subject_is_listed(registry, repo):
    """Spec: registries accept a subject that "does not yet exist [...] allowing clients to push a
    manifest and referrers to that manifest in either order"."""
    later = build_image()
    sig = build_artifact(SIG, subject=later.manifest)
    push_image(registry, repo, sig.digest, sig)
    push_image(registry, repo, "later", later)
    assert list(by_digest(referrers(registry, repo, later.digest))) == [sig.digest]


def test_legacy_oras_referrers_path_answers_200(registry, repo, subject):
    """zot-behaviour.md: "Legacy ORAS: `GET /oras/artifacts/v1/<name>/manifests/<digest>/referrers`"
    (zot-api.md: "Always enabled")."""
    sig = build_artifact(SIG, subject=subject.manifest)
    push_image(registry, repo, sig.digest, sig)
    r = registry.get(f"/oras/artifacts/v1/{repo}/manifests/{subject.digest}/referrers")
    assert r.status_code == 200, r.text
    r.json()  # a JSON document
