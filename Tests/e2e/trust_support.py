"""Signatures made here exactly as cosign and notation make them, since neither tool installs on this machine.

- cosign, "simple signing" (sigstore/cosign `specs/SIGNATURE_SPEC.md`; zot checks them in
  `pkg/extensions/imagetrust/cosign.go` at 6d19b445): the payload
  `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":"cosign container
  image signature"},"optional":null}` is a layer of type `application/vnd.dev.cosign.simplesigning.v1+json`,
  its SHA-256 signature (ECDSA DER, RSA PKCS #1 v1.5, or Ed25519) base64 in the layer annotation
  `dev.cosignproject.cosign/signature`. Tag mode stores the manifest under `sha256-<hex>.sig`; referrers mode
  (`--registry-referrers-mode=oci-1-1`) gives it `artifactType application/vnd.dev.cosign.artifact.sig.v1+json`,
  the empty config and the signed image as `subject`.
- notation, JWS envelope (notaryproject/specification `specs/signature-envelope-jws.md` and
  `signature-specification.md`): layer `application/jose+json` holding
  `{"payload","protected","header":{"x5c":[leaf, …, root]},"signature"}`, the protected header naming `alg`,
  `cty application/vnd.cncf.notary.payload.v1+json`, `crit`, the signing scheme `notary.x509` and the signing
  time; the payload `{"targetArtifact": <descriptor of the signed manifest>}`. The manifest has
  `artifactType application/vnd.cncf.notary.signature`, the empty config, and the image as `subject`.
- notation, COSE envelope (`specs/signature-envelope-cose.md`, `--signature-format cose`): layer
  `application/cose` holding COSE_Sign1 (tag 18) with the protected header {1: alg, 2: crit, 3: cty, the
  signing scheme, the signing time as tag 1}, the unprotected header {33: x5chain}, the payload, and the
  signature over `Sig_structure` `["Signature1", protected, h'', payload]` (RFC 9052).
"""

from __future__ import annotations

import base64
import datetime
import json

import cbor2

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from oci import EMPTY_CONFIG, OCI_CONFIG, Content, Image, build_image, canonical_json

COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
COSIGN_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json"
NOTATION_ARTIFACT = "application/vnd.cncf.notary.signature"
NOTATION_PAYLOAD = "application/vnd.cncf.notary.payload.v1+json"


# ============================================================================== cosign


class CosignKey:
    """A cosign key pair of one kind: `ecdsa-p256` (cosign's default), `ecdsa-p384`, `ed25519` or `rsa`."""

    def __init__(self, kind: str = "ecdsa-p256"):
        self.kind = kind
        if kind == "ecdsa-p256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        elif kind == "ecdsa-p384":
            self.private = ec.generate_private_key(ec.SECP384R1())
        elif kind == "ed25519":
            self.private = ed25519.Ed25519PrivateKey.generate()
        elif kind == "rsa":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(kind)

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, payload: bytes) -> bytes:
        if self.kind.startswith("ecdsa"):
            return self.private.sign(payload, ec.ECDSA(hashes.SHA256()))
        if self.kind == "ed25519":
            return self.private.sign(payload)
        return self.private.sign(payload, padding.PKCS1v15(), hashes.SHA256())


def simple_signing_payload(digest: str, reference: str = "127.0.0.1/app") -> bytes:
    return canonical_json({"critical": {"identity": {"docker-reference": reference},
                                        "image": {"docker-manifest-digest": digest},
                                        "type": "cosign container image signature"},
                           "optional": None})


def cosign_layer(payload: bytes, signature: bytes) -> tuple:
    """A signature layer: its content and the annotation that carries the signature."""
    return (Content(payload, COSIGN_SIMPLESIGNING),
            {"dev.cosignproject.cosign/signature": base64.b64encode(signature).decode()})


def cosign_tag(subject_digest: str) -> str:
    return "sha256-" + subject_digest.split(":", 1)[1] + ".sig"


def cosign_signature_manifest(layers: list, *, subject: Image | None = None) -> Image:
    """Tag mode without `subject`; referrers mode with it. `layers` are `cosign_layer`s."""
    descriptors = [content.descriptor(annotations=annotations) for content, annotations in layers]
    if subject is None:
        config = Content(canonical_json({"architecture": "", "os": "", "config": {},
                                         "rootfs": {"type": "layers", "diff_ids": []}}), OCI_CONFIG)
        doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "config": config.descriptor(), "layers": descriptors}
    else:
        config = EMPTY_CONFIG
        doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "artifactType": COSIGN_ARTIFACT, "config": config.descriptor(), "layers": descriptors,
               "subject": subject.manifest.descriptor()}
    return Image(Content(canonical_json(doc), doc["mediaType"]), config, [content for content, _ in layers])


# ============================================================================== notation


class CertificateAuthority:
    """A root CA and leaves it issues, as `notation cert generate-test` and real PKIs make them."""

    def __init__(self, name: str = "zotd test root"):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "zotd"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256()))

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str = "signer", *, not_before=None, not_after=None,
              usage=ExtendedKeyUsageOID.CODE_SIGNING):
        """A leaf and its key, for code signing unless `usage` says otherwise; valid from yesterday for a year."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "zotd"),
                             x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - datetime.timedelta(days=1))
            .not_valid_after(not_after or now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .sign(self.key, hashes.SHA256()))
        return key, certificate


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def notation_envelope(subject: Image, key, chain: list, *, signing_time: datetime.datetime | None = None,
                      target_digest: str | None = None) -> bytes:
    """A JWS envelope signing `subject` (PS256, as notation signs with an RSA 2048 key)."""
    signing_time = signing_time or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    protected = {"alg": "PS256", "crit": ["io.cncf.notary.signingScheme"], "cty": NOTATION_PAYLOAD,
                 "io.cncf.notary.signingScheme": "notary.x509",
                 "io.cncf.notary.signingTime": signing_time.strftime("%Y-%m-%dT%H:%M:%SZ")}
    descriptor = subject.manifest.descriptor()
    if target_digest is not None:
        descriptor["digest"] = target_digest
    payload = {"targetArtifact": descriptor}
    protected_b64 = b64url(json.dumps(protected, separators=(",", ":")).encode())
    payload_b64 = b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = key.sign(f"{protected_b64}.{payload_b64}".encode(),
                         padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    envelope = {"payload": payload_b64, "protected": protected_b64,
                "header": {"x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain],
                           "io.cncf.notary.signingAgent": "notation-go/1.3.0"},
                "signature": b64url(signature)}
    return json.dumps(envelope, separators=(",", ":")).encode()


def notation_cose_envelope(subject: Image, key, chain: list, *, payload_override: bytes | None = None) -> bytes:
    """A COSE_Sign1 envelope signing `subject` (PS256, algorithm -37); `payload_override` replaces the payload
    after signing (tampering)."""
    signing_time = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    protected = cbor2.dumps({1: -37, 2: ["io.cncf.notary.signingScheme"], 3: NOTATION_PAYLOAD,
                             "io.cncf.notary.signingScheme": "notary.x509",
                             "io.cncf.notary.signingTime": cbor2.CBORTag(1, int(signing_time.timestamp()))},
                            canonical=True)
    payload = json.dumps({"targetArtifact": subject.manifest.descriptor()}, separators=(",", ":")).encode()
    signature = key.sign(cbor2.dumps(["Signature1", protected, b"", payload]),
                         padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    unprotected = {33: [c.public_bytes(serialization.Encoding.DER) for c in chain],
                   "io.cncf.notary.signingAgent": "notation-go/1.3.0"}
    return cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload_override or payload, signature]))


def notation_signature_manifest(subject: Image, envelope: bytes, leaf=None, media_type="application/jose+json") -> Image:
    thumbprints = []
    if leaf is not None:
        thumbprints = [leaf.fingerprint(hashes.SHA256()).hex()]
    return build_image(artifact_type=NOTATION_ARTIFACT, config=EMPTY_CONFIG,
                       layers=[Content(envelope, media_type)], subject=subject.manifest,
                       annotations={"io.cncf.notary.x509chain.thumbprint#S256": json.dumps(thumbprints)})
