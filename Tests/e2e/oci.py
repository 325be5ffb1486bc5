"""OCI content built in memory, and the HTTP steps of pushing it, for the e2e tests.

Everything here speaks plain HTTP through `requests` against a running registry (see
`zotd_server.ZotdServer`): digests, blobs, image manifests, indexes, Docker schema2 documents, and
the one assertion every error response goes through, `assert_oci_error`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from typing import Iterable, Optional
from urllib.parse import urlencode, urljoin

import requests

# Media types (OCI image-spec v1.1 and Docker image manifest v2 schema 2).
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCTET_STREAM = "application/octet-stream"

#: The `code` values the OCI Distribution Spec v1.1 allows ("The `code` field MUST be one of the following").
SPEC_ERROR_CODES = frozenset(
    {
        "BLOB_UNKNOWN",
        "BLOB_UPLOAD_INVALID",
        "BLOB_UPLOAD_UNKNOWN",
        "DIGEST_INVALID",
        "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN",
        "NAME_INVALID",
        "NAME_UNKNOWN",
        "SIZE_INVALID",
        "UNAUTHORIZED",
        "DENIED",
        "UNSUPPORTED",
        "TOOMANYREQUESTS",
    }
)

#: Spec, "Legacy Docker support error codes": "The client MAY encounter error codes targeting Docker
#: schema1 manifests, such as `TAG_INVALID`, or `MANIFEST_UNVERIFIED`."
LEGACY_ERROR_CODES = frozenset({"TAG_INVALID", "MANIFEST_UNVERIFIED"})

#: The largest manifest zot (and so zotd) accepts: 4 MiB.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Digests and bytes
# --------------------------------------------------------------------------------------------


def sha256_digest(data: bytes) -> str:
    """`sha256:<hex>` of `data`."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha512_digest(data: bytes) -> str:
    """`sha512:<hex>` of `data`."""
    return "sha512:" + hashlib.sha512(data).hexdigest()


def random_bytes(size: int) -> bytes:
    """`size` random bytes: each call gives content no registry has seen before."""
    return os.urandom(size)


def canonical_json(obj) -> bytes:
    """Compact JSON with sorted keys: deterministic bytes for a document."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


# --------------------------------------------------------------------------------------------
# Content: blobs and manifests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """Bytes with a media type: a blob, or a manifest as pushed (its exact bytes)."""

    data: bytes
    media_type: str = OCTET_STREAM

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self, **extra) -> dict:
        """An OCI descriptor of this content; `extra` adds fields (`artifactType`, `platform`...)."""
        d = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        d.update(extra)
        return d

    def json(self):
        return json.loads(self.data)


@dataclass
class Image:
    """An image (or artifact) manifest and the blobs it references."""

    manifest: Content
    config: Content
    layers: list = field(default_factory=list)

    @property
    def blobs(self) -> list:
        return [self.config, *self.layers]

    @property
    def digest(self) -> str:
        return self.manifest.digest


EMPTY_CONFIG = Content(b"{}", OCI_EMPTY)


def build_image(
    *,
    layer_sizes: Iterable[int] = (512, 1024),
    docker: bool = False,
    artifact_type: Optional[str] = None,
    config: Optional[Content] = None,
    subject: Optional[Content] = None,
    annotations: Optional[dict] = None,
    layers: Optional[list] = None,
) -> Image:
    """A small image manifest with a fresh config and random layers.

    `docker=True` gives a Docker schema2 manifest (`application/vnd.docker.distribution.manifest.v2+json`)
    with Docker media types; otherwise an OCI image manifest. `artifact_type`, `subject` and
    `annotations` fill the OCI 1.1 fields of the same names. Every call gives new digests.
    """
    if layers is None:
        layer_type = DOCKER_LAYER if docker else OCI_LAYER_TAR_GZIP
        layers = [Content(random_bytes(n), layer_type) for n in layer_sizes]
    if config is None:
        cfg = {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [sha256_digest(l.data) for l in layers]},
            "config": {"Labels": {"e2e.nonce": random_bytes(8).hex()}},
        }
        config = Content(canonical_json(cfg), DOCKER_CONFIG if docker else OCI_CONFIG)
    doc = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [l.descriptor() for l in layers],
    }
    if artifact_type is not None:
        doc["artifactType"] = artifact_type
    if subject is not None:
        doc["subject"] = subject.descriptor()
    if annotations is not None:
        doc["annotations"] = annotations
    return Image(Content(canonical_json(doc), doc["mediaType"]), config, list(layers))


def build_artifact(
    artifact_type: str,
    *,
    subject: Optional[Content] = None,
    annotations: Optional[dict] = None,
    payload: Optional[bytes] = None,
) -> Image:
    """An OCI 1.1 artifact: `artifactType` set, the empty config `{}`, one small layer."""
    layer = Content(payload if payload is not None else random_bytes(64), OCTET_STREAM)
    return build_image(
        artifact_type=artifact_type,
        config=EMPTY_CONFIG,
        layers=[layer],
        subject=subject,
        annotations=annotations,
    )


def build_index(
    images: Iterable[Image],
    *,
    docker: bool = False,
    subject: Optional[Content] = None,
    artifact_type: Optional[str] = None,
    annotations: Optional[dict] = None,
) -> Content:
    """An OCI image index (or, with `docker=True`, a Docker manifest list) over `images`."""
    platforms = [("amd64", "linux"), ("arm64", "linux"), ("s390x", "linux"), ("ppc64le", "linux")]
    entries = []
    for i, img in enumerate(images):
        arch, os_ = platforms[i % len(platforms)]
        entries.append(img.manifest.descriptor(platform={"architecture": arch, "os": os_}))
    doc = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST_LIST if docker else OCI_INDEX,
        "manifests": entries,
    }
    if subject is not None:
        doc["subject"] = subject.descriptor()
    if artifact_type is not None:
        doc["artifactType"] = artifact_type
    if annotations is not None:
        doc["annotations"] = annotations
    return Content(canonical_json(doc), doc["mediaType"])


# --------------------------------------------------------------------------------------------
# Real tar layers (for skopeo/podman, which unpack them)
# --------------------------------------------------------------------------------------------


def tar_gz_layer(files: dict) -> tuple:
    """A gzip-compressed tar of `files` ({path: bytes}); returns (compressed bytes, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), sha256_digest(tar_bytes)


def build_runnable_image(n_layers: int = 3, *, docker: bool = False) -> Image:
    """An image whose layers are real gzip tars of random files and whose config names their diff_ids."""
    layers, diff_ids = [], []
    for i in range(n_layers):
        blob, diff_id = tar_gz_layer(
            {f"layer{i}/data.bin": random_bytes(4096 + 1000 * i), f"layer{i}/hello.txt": f"layer {i}\n".encode()}
        )
        layers.append(Content(blob, DOCKER_LAYER if docker else OCI_LAYER_TAR_GZIP))
        diff_ids.append(diff_id)
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"e2e.nonce": random_bytes(8).hex()}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"e2e layer {i}"} for i in range(n_layers)],
    }
    config = Content(canonical_json(cfg), DOCKER_CONFIG if docker else OCI_CONFIG)
    return build_image(docker=docker, config=config, layers=layers)


def write_oci_layout(directory, images_by_tag: dict, extra_blobs: Iterable[Content] = ()) -> None:
    """Write an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`) holding the images.

    `images_by_tag` maps a tag to an `Image` or to an index `Content` (whose child images must be in
    `extra_blobs` as their manifests and blobs).
    """
    from pathlib import Path

    root = Path(directory)
    blob_dir = root / "blobs" / "sha256"
    blob_dir.mkdir(parents=True, exist_ok=True)

    def put(c: Content):
        (blob_dir / c.digest.split(":", 1)[1]).write_bytes(c.data)

    entries = []
    for tag, item in images_by_tag.items():
        if isinstance(item, Image):
            for b in item.blobs:
                put(b)
            put(item.manifest)
            top = item.manifest
        else:
            put(item)
            top = item
        entries.append(top.descriptor(annotations={"org.opencontainers.image.ref.name": tag}))
    for c in extra_blobs:
        put(c)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_bytes(
        canonical_json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
    )


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def assert_oci_error(resp: requests.Response, status, *codes: str) -> dict:
    """Assert `resp` is an OCI error: the status, and the spec's JSON envelope with one of `codes`.

    OCI Distribution Spec v1.1, Error Codes: "If the response body is in JSON format, it MUST have the
    following format: {"errors": [{"code": ..., "message": ..., "detail": ...}]}. The `code` field MUST
    be a unique identifier, containing only uppercase alphabetic characters and underscores. The
    `message` field is OPTIONAL [...] The `detail` field is OPTIONAL." zot-behaviour.md: every error is
    `{"errors":[{"code":"...","message":"...","detail":...}]}` with the spec's codes. So this helper asks
    for a JSON body on every error: `code` among the spec's codes, `message` a string when present.

    `status` is an int or a collection of acceptable ints; `codes` empty means any spec code.
    Returns the first matching error object.
    """
    statuses = {status} if isinstance(status, int) else set(status)
    where = f"{resp.request.method} {resp.request.path_url}"
    assert resp.status_code in statuses, (
        f"{where}: status {resp.status_code}, expected {sorted(statuses)}; body: {resp.text[:500]!r}"
    )
    if resp.request.method == "HEAD":
        return {}  # a HEAD response carries no body to inspect
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(
            f"{where}: error {resp.status_code} without a JSON body "
            f"(Content-Type {resp.headers.get('Content-Type')!r}): {resp.text[:300]!r}"
        )
    assert isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"], (
        f"{where}: error body is not {{\"errors\": [...]}}: {body!r}"
    )
    for err in body["errors"]:
        assert isinstance(err, dict), f"{where}: error entry is not an object: {err!r}"
        code = err.get("code")
        assert isinstance(code, str) and re.fullmatch(r"[A-Z_]+", code), f"{where}: bad error code {code!r}"
        assert code in SPEC_ERROR_CODES | LEGACY_ERROR_CODES, f"{where}: code {code!r} is not one of the spec's codes"
        if "message" in err:
            assert isinstance(err["message"], str), f"{where}: message is not a string: {err!r}"
    if codes:
        found = [e for e in body["errors"] if e["code"] in codes]
        assert found, f"{where}: error codes {[e['code'] for e in body['errors']]}, expected one of {list(codes)}"
        return found[0]
    return body["errors"][0]


def absolute_location(resp: requests.Response) -> str:
    """The response's `Location`, resolved against the request URL (it may be relative)."""
    loc = resp.headers.get("Location")
    assert loc, f"{resp.request.method} {resp.request.path_url}: no Location header (status {resp.status_code})"
    return urljoin(resp.request.url, loc)


def with_query(url: str, params) -> str:
    """`url` with `params` (dict or list of pairs) appended, keeping any query it already has."""
    query = urlencode(params, doseq=True)
    return url + ("&" if "?" in url else "?") + query


def range_end(resp: requests.Response) -> int:
    """The `<end>` of a `Range: 0-<end>` response header, as an int."""
    value = resp.headers.get("Range")
    assert value is not None, f"{resp.request.method} {resp.request.path_url}: no Range header"
    m = re.fullmatch(r"(?:bytes=)?0-(\d+)", value.strip())
    assert m, f"Range header {value!r} is not 0-<end>"
    return int(m.group(1))


def next_offset(resp: requests.Response) -> int:
    """Where the upload stands according to `Range: 0-<end>`: end+1, or 0 for the empty `0-0`."""
    end = range_end(resp)
    return 0 if end == 0 else end + 1


def start_upload(reg, repo: str) -> str:
    """POST /v2/<repo>/blobs/uploads/ and return the absolute upload URL."""
    r = reg.post(f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    assert r.status_code == 202, f"POST upload: {r.status_code} {r.text[:300]!r}"
    return absolute_location(r)


def patch_chunk(reg, url: str, data: bytes, start: Optional[int] = None) -> requests.Response:
    """PATCH one chunk; with `start`, sends `Content-Range: <start>-<end>` as the spec's chunked upload."""
    headers = {"Content-Type": OCTET_STREAM, "Content-Length": str(len(data))}
    if start is not None:
        headers["Content-Range"] = f"{start}-{start + len(data) - 1}"
    return reg.patch(url, data=data, headers=headers)


def push_blob(reg, repo: str, data: bytes, digest: Optional[str] = None) -> str:
    """Push `data` monolithically (POST then PUT ?digest=); returns its digest."""
    digest = digest or sha256_digest(data)
    url = start_upload(reg, repo)
    r = reg.put(
        with_query(url, {"digest": digest}),
        data=data,
        headers={"Content-Type": OCTET_STREAM, "Content-Length": str(len(data))},
    )
    assert r.status_code == 201, f"PUT blob {digest} to {repo}: {r.status_code} {r.text[:300]!r}"
    return digest


def push_manifest(reg, repo: str, ref: str, manifest: Content) -> requests.Response:
    """PUT /v2/<repo>/manifests/<ref> with the manifest's exact bytes; asserts 201."""
    r = reg.put(
        f"/v2/{repo}/manifests/{ref}", data=manifest.data, headers={"Content-Type": manifest.media_type}
    )
    assert r.status_code == 201, f"PUT manifest {repo}:{ref}: {r.status_code} {r.text[:300]!r}"
    return r


def push_image(reg, repo: str, ref: str, image: Image) -> requests.Response:
    """Push the image's blobs, then its manifest under `ref` (a tag or its digest)."""
    for blob in image.blobs:
        push_blob(reg, repo, blob.data)
    return push_manifest(reg, repo, ref, image.manifest)
