"""zotd with its blobs in a real S3 store: Ceph's RADOS Gateway, started by scripts/s3-test-store.sh under
`make test-scale`. Without `S3_ENDPOINT` (plain `make test`) every test here is skipped, with the reason.

Each server gets its own `rootdirectory` in the shared `zotd-e2e` bucket, so the tests do not see each
other's blobs. The bucket is read back with curl's own SigV4 (`--aws-sigv4`), not through zotd.
"""

import json
import os
import subprocess
import uuid

import pytest

from auth_support import require_tool, run
from s3_support import BUCKET, bucket_keys, s3_driver
from tcp_proxy import CuttableProxy
from oci import OCTET_STREAM, build_runnable_image, random_bytes, sha256_digest, write_oci_layout

pytestmark = pytest.mark.skipif(
    not os.environ.get("S3_ENDPOINT"), reason="no S3 store: run `make test-scale` (scripts/s3-test-store.sh)")


@pytest.fixture
def s3_registry(zotd_factory):
    prefix = f"e2e-{uuid.uuid4().hex[:12]}"
    server = zotd_factory(storage_extra={"storageDriver": s3_driver(prefix)})
    server.s3_prefix = prefix
    return server


def test_skopeo_pushes_and_pulls_back_through_s3_with_identical_digests(s3_registry, tmp_path):
    """Every config and layer blob skopeo pushes lands in the bucket under the driver's rootdirectory, and
    comes back out byte for byte."""
    skopeo = require_tool("skopeo")
    img = build_runnable_image(3)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{s3_registry.hostport}/s3/app:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "copy", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'dst'}:v1")
    for blob in img.blobs:
        assert (tmp_path / "dst" / "blobs" / "sha256" / blob.digest.split(":")[1]).read_bytes() == blob.data
    keys = bucket_keys(s3_registry.s3_prefix)
    for blob in img.blobs:
        hexdigest = blob.digest.split(":")[1]
        assert f"{s3_registry.s3_prefix}/_zotd/blobs/sha256/{hexdigest[:2]}/{hexdigest}" in keys
    assert not list((s3_registry.state_dir / "blobs" / "sha256").iterdir()), "no blob file is kept locally"


def test_a_blob_larger_than_one_part_goes_up_in_parts_and_reads_back_by_range(s3_registry):
    """40 MiB is three 16 MiB parts of a multipart upload; ranged GETs across a part boundary read back right."""
    data = random_bytes(40 << 20)
    digest = sha256_digest(data)
    r = s3_registry.post(f"/v2/s3/big/blobs/uploads/?digest={digest}", data=data,
                         headers={"Content-Type": OCTET_STREAM})
    assert r.status_code == 201, r.text
    whole = s3_registry.get(f"/v2/s3/big/blobs/{digest}")
    assert whole.status_code == 200 and sha256_digest(whole.content) == digest
    start, end = (16 << 20) - 10, (16 << 20) + 9
    ranged = s3_registry.get(f"/v2/s3/big/blobs/{digest}", headers={"Range": f"bytes={start}-{end}"})
    assert ranged.status_code == 206 and ranged.content == data[start:end + 1]


def test_a_restarted_server_serves_what_the_bucket_holds(s3_registry):
    data = random_bytes(100_000)
    digest = sha256_digest(data)
    assert s3_registry.post(f"/v2/s3/kept/blobs/uploads/?digest={digest}", data=data,
                            headers={"Content-Type": OCTET_STREAM}).status_code == 201
    s3_registry.restart()
    r = s3_registry.get(f"/v2/s3/kept/blobs/{digest}")
    assert r.status_code == 200 and r.content == data


def test_a_wrong_secret_key_stops_the_server_at_start_with_the_reason(zotd_binary, tmp_path):
    config = {
        "distSpecVersion": "1.1.1",
        "storage": {"rootDirectory": str(tmp_path / "root"), "storageDriver": s3_driver("e2e-refused", secretkey="wrong")},
        "http": {"address": "127.0.0.1", "port": "0"},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    r = subprocess.run([zotd_binary, "serve", str(tmp_path / "config.json")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "cannot be listed" in r.stdout + r.stderr and "SignatureDoesNotMatch" in r.stdout + r.stderr


def test_an_s3_outage_answers_503_and_loses_nothing(zotd_factory):
    """While the store does not answer, reads and pushes get 503 UNAVAILABLE with the OCI error body, and a
    push that failed stores nothing; once it answers again, what was stored is served and the push succeeds."""
    proxy = CuttableProxy(os.environ["S3_ENDPOINT"])
    try:
        server = zotd_factory(storage_extra={"storageDriver": s3_driver(
            f"e2e-{uuid.uuid4().hex[:12]}", regionendpoint=f"http://127.0.0.1:{proxy.port}")})
        kept, later = random_bytes(50_000), random_bytes(60_000)
        kept_digest, later_digest = sha256_digest(kept), sha256_digest(later)
        assert server.post(f"/v2/s3/outage/blobs/uploads/?digest={kept_digest}", data=kept,
                           headers={"Content-Type": OCTET_STREAM}).status_code == 201
        proxy.cut()
        for r in (server.get(f"/v2/s3/outage/blobs/{kept_digest}"),
                  server.post(f"/v2/s3/outage/blobs/uploads/?digest={later_digest}", data=later,
                              headers={"Content-Type": OCTET_STREAM})):
            assert r.status_code == 503, r.text
            assert [e["code"] for e in r.json()["errors"]] == ["UNAVAILABLE"]
        assert server.head(f"/v2/s3/outage/blobs/{later_digest}").status_code == 404
        proxy.restore()
        assert server.get(f"/v2/s3/outage/blobs/{kept_digest}").content == kept
        assert server.post(f"/v2/s3/outage/blobs/uploads/?digest={later_digest}", data=later,
                           headers={"Content-Type": OCTET_STREAM}).status_code == 201
        assert server.get(f"/v2/s3/outage/blobs/{later_digest}").content == later
    finally:
        proxy.close()


def test_with_redirectBlobURL_a_blob_get_is_a_redirect_to_a_presigned_url_of_the_bucket(zotd_factory):
    """The client fetches the bytes from the store, Range included; HEAD and manifests stay with zotd."""
    prefix = f"e2e-{uuid.uuid4().hex[:12]}"
    server = zotd_factory(storage_extra={"storageDriver": s3_driver(prefix), "redirectBlobURL": True})
    data = random_bytes(300_000)
    digest = sha256_digest(data)
    assert server.post(f"/v2/s3/redirect/blobs/uploads/?digest={digest}", data=data,
                       headers={"Content-Type": OCTET_STREAM}).status_code == 201
    r = server.get(f"/v2/s3/redirect/blobs/{digest}", allow_redirects=False)
    assert r.status_code == 307
    location = r.headers["Location"]
    assert location.startswith(f"{os.environ['S3_ENDPOINT']}/{BUCKET}/{prefix}/_zotd/blobs/sha256/")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=1200" in location
    assert server.get(f"/v2/s3/redirect/blobs/{digest}", allow_redirects=True).content == data
    ranged = server.get(f"/v2/s3/redirect/blobs/{digest}", headers={"Range": "bytes=1000-1999"}, allow_redirects=True)
    assert ranged.status_code == 206 and ranged.content == data[1000:2000]
    head = server.head(f"/v2/s3/redirect/blobs/{digest}")
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(data))


def test_connections_the_store_drops_are_retried_without_the_client_seeing_them(zotd_factory):
    """Every connection open when the store went away, and the next new one, fail; zotd's retries (three
    tries per request) hide both from the client."""
    proxy = CuttableProxy(os.environ["S3_ENDPOINT"])
    try:
        server = zotd_factory(storage_extra={"storageDriver": s3_driver(
            f"e2e-{uuid.uuid4().hex[:12]}", regionendpoint=f"http://127.0.0.1:{proxy.port}")})
        data = random_bytes(70_000)
        digest = sha256_digest(data)
        assert server.post(f"/v2/s3/retry/blobs/uploads/?digest={digest}", data=data,
                           headers={"Content-Type": OCTET_STREAM}).status_code == 201
        proxy.cut()
        proxy.restore(dropping=1)
        r = server.get(f"/v2/s3/retry/blobs/{digest}")
        assert r.status_code == 200 and r.content == data
    finally:
        proxy.close()
