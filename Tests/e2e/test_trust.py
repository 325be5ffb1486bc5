"""The trust extension (build label `imagetrust`, config section `trust`): cosign keys and notation certificates
uploaded as zot takes them (`POST /v2/_zot/ext/cosign`, `POST /v2/_zot/ext/notation?truststoreType=ca`,
pkg/extensions/extension_image_trust.go at zot 6d19b445), signatures pushed through the OCI API as the tools
push them (see trust_support.py for the formats), and the verdicts as search shows them (`SignatureInfo`).
Verification runs in the background, so each test polls search until the verdict it expects arrives.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import time
from pathlib import Path

import pytest

from auth_support import AuthServer, write_htpasswd
from oci import build_index, push_image, push_manifest
from search_support import data_of, make_image, raw_request, start_server
from trust_support import (
    CertificateAuthority,
    CosignKey,
    cosign_layer,
    cosign_signature_manifest,
    cosign_tag,
    notation_cose_envelope,
    notation_envelope,
    notation_signature_manifest,
    simple_signing_payload,
)
from zotd_server import MANIFEST_ACCEPT

TRUST_ON = {"search": {"enable": True}, "trust": {"enable": True, "cosign": True, "notation": True}}
COSIGN = "/v2/_zot/ext/cosign"
NOTATION = "/v2/_zot/ext/notation"
SIGNATURES = '{ImageList(repo:"%s"){Results{Tag IsSigned SignatureInfo{Tool IsTrusted Author}}}}'


def start(request, binary, *, extensions=TRUST_ON, **kw):
    return start_server(request, binary, extensions=extensions, **kw)


@pytest.fixture
def trusting(request, zotd_binary):
    """Anonymous access, search and trust with cosign and notation."""
    return start(request, zotd_binary)


def upload(server, path, body: bytes, auth=None):
    return raw_request(server, "POST", path, body=body, headers={"Content-Type": "application/octet-stream"}, auth=auth)


def signatures_of(server, repo: str, tag: str = "v1") -> list:
    results = data_of(server, SIGNATURES % repo)["ImageList"]["Results"]
    return next(r["SignatureInfo"] for r in results if r["Tag"] == tag)


def eventually(server, repo: str, want: list, timeout: float = 20) -> list:
    """SignatureInfo of `repo:v1` once it equals `want` (verification runs in the background)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = signatures_of(server, repo)
        if got == want:
            return got
        time.sleep(0.1)
    assert got == want, f"SignatureInfo never became {want}; last {got}\n{server.log_tail()}"


def push_signed_by_cosign(server, repo: str, key: CosignKey, *, referrers: bool = False, payload_for=None,
                          signed_payload=None):
    """Pushes `repo:v1` and a cosign signature of it. `payload_for` names another digest in the payload;
    `signed_payload` signs different bytes than those pushed (tampering)."""
    image = make_image()
    push_image(server, repo, "v1", image)
    payload = simple_signing_payload(payload_for or image.digest)
    signature = key.sign(signed_payload if signed_payload is not None else payload)
    manifest = cosign_signature_manifest([cosign_layer(payload, signature)], subject=image if referrers else None)
    push_image(server, repo, manifest.digest if referrers else cosign_tag(image.digest), manifest)
    return image


# ============================================================================== cosign


@pytest.mark.parametrize("kind", ["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa"])
def test_a_cosign_signature_by_an_uploaded_key_is_trusted_and_names_the_key(trusting, kind):
    """Tag mode (`sha256-<hex>.sig`); zot names the key's PEM as the author."""
    key = CosignKey(kind)
    assert upload(trusting, COSIGN, key.public_pem).status == 200
    push_signed_by_cosign(trusting, "app", key)
    eventually(trusting, "app", [{"Tool": "cosign", "IsTrusted": True, "Author": key.public_pem.decode()}])


def test_a_cosign_signature_attached_as_a_referrer_is_trusted(trusting):
    key = CosignKey()
    upload(trusting, COSIGN, key.public_pem)
    push_signed_by_cosign(trusting, "app", key, referrers=True)
    eventually(trusting, "app", [{"Tool": "cosign", "IsTrusted": True, "Author": key.public_pem.decode()}])


def test_a_cosign_signature_by_an_unknown_key_is_signed_but_not_trusted(trusting):
    upload(trusting, COSIGN, CosignKey().public_pem)
    push_signed_by_cosign(trusting, "app", CosignKey())
    time.sleep(1)  # give the verifier its chance to (wrongly) trust it
    assert signatures_of(trusting, "app") == [{"Tool": "cosign", "IsTrusted": False, "Author": ""}]
    assert "no uploaded cosign key verifies it" in trusting.log_tail()


def test_a_tampered_cosign_payload_is_not_trusted(trusting):
    key = CosignKey()
    upload(trusting, COSIGN, key.public_pem)
    push_signed_by_cosign(trusting, "app", key, signed_payload=b'{"critical":{}}')
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "cosign", "IsTrusted": False, "Author": ""}]


def test_a_cosign_signature_over_another_image_is_not_trusted(trusting):
    """A genuine signature of image B, copied under image A's signature tag, does not make A trusted."""
    key = CosignKey()
    upload(trusting, COSIGN, key.public_pem)
    other = make_image()
    push_image(trusting, "app", "other", other)
    push_signed_by_cosign(trusting, "app", key, payload_for=other.digest)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "cosign", "IsTrusted": False, "Author": ""}]
    assert f"names {other.digest}" in trusting.log_tail()


def test_a_key_uploaded_after_the_signature_makes_it_trusted(trusting):
    """Verdicts are checked again whenever trust material arrives."""
    key = CosignKey()
    push_signed_by_cosign(trusting, "app", key)
    eventually(trusting, "app", [{"Tool": "cosign", "IsTrusted": False, "Author": ""}])
    assert upload(trusting, COSIGN, key.public_pem).status == 200
    eventually(trusting, "app", [{"Tool": "cosign", "IsTrusted": True, "Author": key.public_pem.decode()}])


# ============================================================================== notation


def push_signed_by_notation(server, repo: str, ca: CertificateAuthority, **issue):
    image = make_image()
    push_image(server, repo, "v1", image)
    key, leaf = ca.issue("signer", **issue)
    manifest = notation_signature_manifest(image, notation_envelope(image, key, [leaf, ca.certificate]), leaf)
    push_image(server, repo, manifest.digest, manifest)
    return image


def test_a_notation_signature_chaining_to_an_uploaded_ca_is_trusted_and_names_the_signer(trusting):
    ca = CertificateAuthority()
    assert upload(trusting, NOTATION + "?truststoreType=ca", ca.pem).status == 200
    push_signed_by_notation(trusting, "app", ca)
    eventually(trusting, "app", [{"Tool": "notation", "IsTrusted": True, "Author": "CN=signer,O=zotd,C=US"}])


def test_a_notation_cose_signature_chaining_to_an_uploaded_ca_is_trusted(trusting):
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    image = make_image()
    push_image(trusting, "app", "v1", image)
    key, leaf = ca.issue("cose signer")
    envelope = notation_cose_envelope(image, key, [leaf, ca.certificate])
    manifest = notation_signature_manifest(image, envelope, leaf, media_type="application/cose")
    push_image(trusting, "app", manifest.digest, manifest)
    eventually(trusting, "app", [{"Tool": "notation", "IsTrusted": True, "Author": "CN=cose signer,O=zotd,C=US"}])


def test_a_tampered_notation_cose_payload_is_not_trusted(trusting):
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    image = make_image()
    push_image(trusting, "app", "v1", image)
    key, leaf = ca.issue()
    forged = json.dumps({"targetArtifact": image.manifest.descriptor(), "x": 1}).encode()
    envelope = notation_cose_envelope(image, key, [leaf, ca.certificate], payload_override=forged)
    manifest = notation_signature_manifest(image, envelope, leaf, media_type="application/cose")
    push_image(trusting, "app", manifest.digest, manifest)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]


def test_a_notation_signature_from_an_unknown_ca_is_not_trusted(trusting):
    upload(trusting, NOTATION + "?truststoreType=ca", CertificateAuthority("another root").pem)
    push_signed_by_notation(trusting, "app", CertificateAuthority())
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]


def test_a_notation_signature_by_an_expired_leaf_is_not_trusted(trusting):
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    now = datetime.datetime.now(datetime.timezone.utc)
    image = make_image()
    push_image(trusting, "app", "v1", image)
    key, leaf = ca.issue(not_before=now - datetime.timedelta(days=10), not_after=now - datetime.timedelta(days=1))
    envelope = notation_envelope(image, key, [leaf, ca.certificate], signing_time=now - datetime.timedelta(days=5))
    manifest = notation_signature_manifest(image, envelope, leaf)
    push_image(trusting, "app", manifest.digest, manifest)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]


def test_a_notation_signature_by_a_leaf_not_meant_for_code_signing_is_not_trusted(trusting):
    """A TLS server certificate from the same CA cannot sign images (notation's signing certificate rules)."""
    from cryptography.x509.oid import ExtendedKeyUsageOID
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    push_signed_by_notation(trusting, "app", ca, usage=ExtendedKeyUsageOID.SERVER_AUTH)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]
    assert "does not include code signing" in trusting.log_tail()


def test_a_notation_envelope_naming_another_image_is_not_trusted(trusting):
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    image = make_image()
    push_image(trusting, "app", "v1", image)
    key, leaf = ca.issue()
    envelope = notation_envelope(image, key, [leaf, ca.certificate], target_digest="sha256:" + "0" * 64)
    manifest = notation_signature_manifest(image, envelope, leaf)
    push_image(trusting, "app", manifest.digest, manifest)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]


@pytest.mark.parametrize("envelope, media_type", [
    (b"", "application/jose+json"),
    (b"not json", "application/jose+json"),
    (b'{"payload":"","protected":"!!","signature":""}', "application/jose+json"),
    (b'{"payload":"e30","protected":"e30","header":{"x5c":["AAAA"]},"signature":"AA"}', "application/jose+json"),
    (b"\xd2\x84", "application/cose"),
    (b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "application/cose"),
    (b"\x81" * 10_000 + b"\x00", "application/cose"),
], ids=["empty", "not-json", "bad-base64", "bad-certificate", "cose-truncated", "cose-huge-count", "cose-deep"])
def test_a_corrupt_notation_envelope_is_not_trusted_and_the_server_keeps_serving(trusting, envelope, media_type):
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    image = make_image()
    push_image(trusting, "app", "v1", image)
    manifest = notation_signature_manifest(image, envelope, media_type=media_type)
    push_image(trusting, "app", manifest.digest, manifest)
    time.sleep(1)
    assert signatures_of(trusting, "app") == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]
    assert not trusting.crashed()


# ============================================================================== uploads


@pytest.mark.parametrize("path, body", [
    (COSIGN, b"garbage"),
    (COSIGN, b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    (NOTATION, b"garbage"),
    (NOTATION + "?truststoreType=nonsense", CertificateAuthority().pem),
], ids=["key-garbage", "key-bad-pem", "certificate-garbage", "unknown-truststore-type"])
def test_bad_trust_material_is_refused_with_400_saying_why(trusting, path, body):
    answer = upload(trusting, path, body)
    assert answer.status == 400, answer.text
    assert answer.json()["errors"][0]["detail"]


def test_a_leaf_certificate_is_refused_as_a_trust_root(trusting):
    """notation's trust stores hold CA or self-signed certificates only."""
    _, leaf = CertificateAuthority().issue()
    from cryptography.hazmat.primitives import serialization
    answer = upload(trusting, NOTATION + "?truststoreType=ca", leaf.public_bytes(serialization.Encoding.PEM))
    assert answer.status == 400


def test_uploads_are_kept_where_zot_keeps_them(trusting):
    key = CosignKey()
    upload(trusting, COSIGN, key.public_pem)
    ca = CertificateAuthority()
    upload(trusting, NOTATION + "?truststoreType=ca", ca.pem)
    root = Path(trusting.root_dir)
    assert [p.read_bytes() for p in (root / "_cosign").iterdir()] == [key.public_pem]
    assert [p.read_bytes() for p in (root / "_notation/truststore/x509/ca/default").iterdir()] == [ca.pem]


def test_discover_lists_the_upload_endpoints(trusting):
    answer = raw_request(trusting, "GET", "/v2/_oci/ext/discover")
    endpoints = answer.json()["extensions"][0]["endpoints"]
    assert COSIGN in endpoints and NOTATION in endpoints


ADMIN_ACL = {"repositories": {"**": {"policies": [{"users": ["alice", "bob"], "actions": ["read", "create"]}]}},
             "adminPolicy": {"users": ["alice"], "actions": ["read", "create", "update", "delete"]}}


def test_uploading_trust_material_takes_an_administrator_when_auth_is_on(request, zotd_binary, tmp_path):
    """zot's AuthzOnlyAdminsMiddleware: anonymous 401, a user who is not an admin 403, an admin 200."""
    htpasswd = write_htpasswd(tmp_path / "htpasswd", {"alice": "alice-pw", "bob": "bob-pw"})
    server = start(request, zotd_binary, cls=AuthServer,
                   http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}}, "accessControl": ADMIN_ACL})
    pem = CosignKey().public_pem
    assert upload(server, COSIGN, pem).status == 401
    assert upload(server, COSIGN, pem, auth=("bob", "bob-pw")).status == 403
    assert upload(server, COSIGN, pem, auth=("alice", "alice-pw")).status == 200


# ============================================================================== signature policies at pull


def policies(*items):
    return {"search": {"enable": True},
            "trust": {"enable": True, "cosign": True, "notation": True, "signaturePolicies": list(items)}}


PROD_COSIGN = {"name": "prod-signed", "repositories": ["prod/**"], "tool": "cosign"}


def pull(server, repo, reference, method="GET"):
    return raw_request(server, method, f"/v2/{repo}/manifests/{reference}", headers={"Accept": MANIFEST_ACCEPT})


def served_eventually(server, repo, reference, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = pull(server, repo, reference)
        if answer.status == 200:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{repo}:{reference} never served: {answer.status} {answer.text}")


@pytest.fixture
def guarded(request, zotd_binary):
    """prod/** serves only images with a trusted cosign signature."""
    return start(request, zotd_binary, extensions=policies(PROD_COSIGN))


def test_an_unsigned_image_under_a_policy_is_refused_with_403_naming_the_policy(guarded):
    image = make_image()
    assert push_image(guarded, "prod/app", "v1", image).status_code == 201  # pushes are never refused
    for method in ("GET", "HEAD"):
        answer = pull(guarded, "prod/app", "v1", method)
        assert answer.status == 403, answer.text
    error = pull(guarded, "prod/app", image.digest).json()["errors"][0]
    assert error["code"] == "DENIED" and "prod-signed" in error["detail"]


def test_blobs_of_a_refused_image_stay_readable(guarded):
    image = make_image()
    push_image(guarded, "prod/app", "v1", image)
    assert raw_request(guarded, "GET", f"/v2/prod/app/blobs/{image.config.digest}").status == 200


def test_repositories_no_policy_covers_are_served_unsigned(guarded):
    push_image(guarded, "dev/app", "v1", make_image())
    assert pull(guarded, "dev/app", "v1").status == 200


def test_a_trusted_signature_pushed_after_the_image_unblocks_it(guarded):
    """Push, then sign: the signature itself is readable while the image is refused, and the verdict, once
    in, lets the image through."""
    key = CosignKey()
    upload(guarded, COSIGN, key.public_pem)
    image = push_signed_by_cosign(guarded, "prod/app", key)
    assert pull(guarded, "prod/app", cosign_tag(image.digest)).status == 200
    served_eventually(guarded, "prod/app", "v1")


def test_a_signature_by_an_unknown_key_does_not_unblock(guarded):
    upload(guarded, COSIGN, CosignKey().public_pem)
    push_signed_by_cosign(guarded, "prod/app", CosignKey())
    eventually(guarded, "prod/app", [{"Tool": "cosign", "IsTrusted": False, "Author": ""}])
    assert pull(guarded, "prod/app", "v1").status == 403


def test_a_signed_index_lets_its_platform_images_through(guarded):
    """A multi-platform image is signed once, as its index; clients then fetch each platform by digest."""
    key = CosignKey()
    upload(guarded, COSIGN, key.public_pem)
    amd, arm = make_image(arch="amd64"), make_image(arch="arm64")
    for child in (amd, arm):
        push_image(guarded, "prod/multi", child.digest, child)
    index = build_index([amd, arm])
    push_manifest(guarded, "prod/multi", "v1", index)
    assert pull(guarded, "prod/multi", amd.digest).status == 403
    payload = simple_signing_payload(index.digest)
    signature = cosign_signature_manifest([cosign_layer(payload, key.sign(payload))])
    push_image(guarded, "prod/multi", cosign_tag(index.digest), signature)
    served_eventually(guarded, "prod/multi", "v1")
    assert pull(guarded, "prod/multi", amd.digest).status == 200


def test_a_policy_asking_for_notation_is_not_met_by_cosign(request, zotd_binary):
    server = start(request, zotd_binary,
                   extensions=policies({"name": "notarized", "repositories": ["**"], "tool": "notation"}))
    key = CosignKey()
    upload(server, COSIGN, key.public_pem)
    push_signed_by_cosign(server, "app", key)
    eventually(server, "app", [{"Tool": "cosign", "IsTrusted": True, "Author": key.public_pem.decode()}])
    answer = pull(server, "app", "v1")
    assert answer.status == 403 and "notarized" in answer.text


def test_reindex_finds_signatures_pushed_before_trust_was_on(request, zotd_binary):
    """A root that had search but not trust: after `zotd reindex` with trust on, a signature pushed back then
    is verified against the keys now uploaded (cosign tag mode and a notation referrer)."""
    server = start(request, zotd_binary, extensions={"search": {"enable": True}})
    key = CosignKey()
    push_signed_by_cosign(server, "app", key)
    ca = CertificateAuthority()
    push_signed_by_notation(server, "other", ca)
    server.stop()
    (server.root_dir / "_cosign").mkdir()
    (server.root_dir / "_cosign" / "key.pub").write_bytes(key.public_pem)
    (server.root_dir / "_notation/truststore/x509/ca/default").mkdir(parents=True)
    (server.root_dir / "_notation/truststore/x509/ca/default/root.crt").write_bytes(ca.pem)
    server.extensions = TRUST_ON
    server._write_config()
    p = subprocess.run([zotd_binary, "reindex", str(server.config_path)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"reindex exited {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert "trust checked 2 signatures" in p.stdout + p.stderr
    server.start()
    assert signatures_of(server, "app") == [{"Tool": "cosign", "IsTrusted": True, "Author": key.public_pem.decode()}]
    assert signatures_of(server, "other") == [{"Tool": "notation", "IsTrusted": True, "Author": "CN=signer,O=zotd,C=US"}]
