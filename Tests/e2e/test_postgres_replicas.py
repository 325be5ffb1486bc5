"""Three zotd replicas over one PostgreSQL database for metadata, each on its own port, any of them answering
any request. Their blobs are under one storage root they share (replicas on one host, or over a shared file
system) and, under `make test-scale`, also in an S3 bucket they share (the root then holds only staged uploads).

The database server is the one scripts/pg-test-store.sh starts under `make test` (PG_URL); each test gets a
database of its own. Without PG_URL every test here is skipped, with the reason.
"""

import json
import os
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest

from auth_support import auth_registry, oras_client_for, require_tool, run, write_htpasswd  # noqa: F401 (fixture)
from pg_support import PG_URL, fresh_database, shared_storage
from s3_support import s3_driver
from search_support import data_of, make_image, start_server
from oci import (OCTET_STREAM, build_image, build_runnable_image, push_blob, push_image, random_bytes,
                 sha256_digest, write_oci_layout)
from tcp_proxy import CuttableProxy, RoundRobinProxy
from test_trust import COSIGN, PROD_COSIGN, policies, pull, push_signed_by_cosign, served_eventually, start, upload
from test_zui_session import USERS, Browser
from trust_support import CosignKey
from zotd_server import MANIFEST_ACCEPT

pytestmark = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL: run `make test` (scripts/pg-test-store.sh)")


BLOB_STORES = ["shared-root"] + (["s3"] if os.environ.get("S3_ENDPOINT") else [])


@pytest.fixture(params=BLOB_STORES)
def replicas(request, zotd_factory, tmp_path):
    storage = shared_storage(tmp_path / "shared-root", fresh_database())
    if request.param == "s3":
        storage["storageDriver"] = s3_driver(f"e2e-replicas-{uuid.uuid4().hex[:12]}")
    return [zotd_factory(storage_extra=storage) for _ in range(3)]


def test_an_image_pushed_through_one_replica_is_pulled_through_another_with_identical_digests(replicas, tmp_path):
    skopeo = require_tool("skopeo")
    img = build_runnable_image(3)
    write_oci_layout(tmp_path / "src", {"v1": img})
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1",
        f"docker://{replicas[0].hostport}/shared/app:v1")
    run(skopeo, "copy", "--src-tls-verify=false", "--preserve-digests",
        f"docker://{replicas[1].hostport}/shared/app:v1", f"oci:{tmp_path / 'dst'}:v1")
    for blob in img.blobs:
        assert (tmp_path / "dst" / "blobs" / "sha256" / blob.digest.split(":")[1]).read_bytes() == blob.data
    for replica in replicas:
        r = replica.head("/v2/shared/app/manifests/v1")
        assert r.status_code == 200 and r.headers["Docker-Content-Digest"] == img.digest
        assert replica.get("/v2/_catalog").json() == {"repositories": ["shared/app"]}


@pytest.fixture
def round_robin(replicas):
    """The replicas behind one address that sends each request to the next replica in turn."""
    proxy = RoundRobinProxy([replica.port for replica in replicas])
    proxy.hostport = f"127.0.0.1:{proxy.port}"
    yield proxy
    proxy.close()


def test_clients_push_and_pull_through_a_round_robin_over_the_replicas(round_robin, tmp_path):
    """skopeo (streamed PATCH) and oras (chunked PATCHes with Content-Range) push and pull through a load
    balancer that gives every request to the next replica: each upload's POST, PATCHes and PUT land on
    different replicas, and everything comes back byte for byte."""
    skopeo = require_tool("skopeo")
    img = build_runnable_image(3)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{round_robin.hostport}/rr/app:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "copy", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'dst'}:v1")
    for blob in img.blobs:
        assert (tmp_path / "dst" / "blobs" / "sha256" / blob.digest.split(":")[1]).read_bytes() == blob.data
    oras = oras_client_for(round_robin)
    data = random_bytes(300_000)
    (tmp_path / "big.bin").write_bytes(data)
    target = f"{round_robin.hostport}/rr/artifact:chunked"
    r = oras.push(target=target, files=[str(tmp_path / "big.bin")], disable_path_validation=True, do_chunked=True,
                  chunk_size=65536)
    assert r.status_code == 201
    oras.pull(target=target, outdir=str(tmp_path / "out"))
    assert (tmp_path / "out" / "big.bin").read_bytes() == data
    assert min(round_robin.served) > 10, round_robin.served


def test_concurrent_pushes_of_one_tag_over_every_replica_leave_one_tag_every_replica_agrees_on(replicas):
    """zot #4337 lost tags when two instances on shared storage pushed at once. Here 32 different manifests
    pushed to one tag at once, spread over the replicas, all get 201; the tag ends on one of them, the same
    on every replica, and every manifest stays reachable by digest."""
    base = build_image()
    for blob in base.blobs:
        push_blob(replicas[0], "race/app", blob.data)
    images = [build_image(config=base.config, layers=base.layers, annotations={"push": str(n)}) for n in range(32)]

    def push(n):
        replica = replicas[n % len(replicas)]
        return replica.put("/v2/race/app/manifests/latest", data=images[n].manifest.data,
                           headers={"Content-Type": images[n].manifest.media_type}).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        assert list(pool.map(push, range(32))) == [201] * 32
    winners = {replica.head("/v2/race/app/manifests/latest").headers["Docker-Content-Digest"] for replica in replicas}
    assert len(winners) == 1 and winners <= {image.digest for image in images}
    for replica in replicas:
        assert replica.get("/v2/race/app/tags/list").json() == {"name": "race/app", "tags": ["latest"]}
    for image in images:
        assert replicas[2].head(f"/v2/race/app/manifests/{image.digest}").status_code == 200


def test_a_chunked_upload_continues_on_whichever_replica_gets_each_request(replicas):
    """No sticky load balancer: the POST, each PATCH, the status request and the closing PUT of one upload go to
    a different replica in turn, and the blob is stored whole."""
    data = random_bytes(3 * 200_000)
    digest = sha256_digest(data)
    r = replicas[0].post("/v2/roaming/app/blobs/uploads/", headers={"Content-Length": "0"})
    assert r.status_code == 202
    location = r.headers["Location"]
    for n in range(3):
        chunk = data[n * 200_000:(n + 1) * 200_000]
        r = replicas[(n + 1) % 3].patch(location, data=chunk, headers={
            "Content-Type": OCTET_STREAM, "Content-Range": f"{n * 200_000}-{(n + 1) * 200_000 - 1}"})
        assert r.status_code == 202, r.text
        assert r.headers["Range"] == f"0-{(n + 1) * 200_000 - 1}"
        status = replicas[(n + 2) % 3].get(location)
        assert status.status_code == 204 and status.headers["Range"] == f"0-{(n + 1) * 200_000 - 1}"
    r = replicas[2].put(f"{location}{'&' if '?' in location else '?'}digest={digest}", headers={"Content-Length": "0"})
    assert r.status_code == 201, r.text
    assert replicas[0].get(f"/v2/roaming/app/blobs/{digest}").content == data


def test_a_push_cut_short_by_a_killed_replica_succeeds_when_retried_on_another(replicas):
    """A replica dies (kill -9) half-way through a chunked upload; the client starts the push again on the
    next replica, and the image is whole on every replica that is left."""
    image = build_image(layer_sizes=(300_000,))
    layer = image.layers[0].data
    r = replicas[0].post("/v2/killed/app/blobs/uploads/", headers={"Content-Length": "0"})
    assert r.status_code == 202
    assert replicas[0].patch(r.headers["Location"], data=layer[:100_000],
                             headers={"Content-Type": OCTET_STREAM}).status_code == 202
    replicas[0].kill9()
    for blob in image.blobs:
        push_blob(replicas[1], "killed/app", blob.data)
    assert replicas[1].put("/v2/killed/app/manifests/v1", data=image.manifest.data,
                           headers={"Content-Type": image.manifest.media_type}).status_code == 201
    r = replicas[2].get(f"/v2/killed/app/blobs/{image.layers[0].digest}")
    assert r.status_code == 200 and r.content == layer


def test_a_login_and_an_api_key_made_on_one_replica_sign_in_on_every_other(auth_registry, tmp_path):
    """zui behind a load balancer that does not stick: it logs in through one replica, and its session cookie
    serves it on the next, where it makes an API key; the key signs skopeo in on the third; logged out there,
    the session is over on the first too. Each replica has a storage root of its own, so that nothing but the
    database can carry the session."""
    htpasswd = write_htpasswd(tmp_path / "htpasswd", USERS)
    database = fresh_database()
    replicas = [auth_registry(http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}, "apikey": True}},
                              storage_extra=shared_storage(tmp_path / f"root-{n}", database)) for n in range(3)]
    browser = Browser(replicas[0])
    assert browser.login().status_code == 200
    browser.server = replicas[1]
    created = browser.request("POST", "/zot/auth/apikey", json={"label": "ci"})
    assert created.status_code == 201, created.text
    key = created.json()["apiKey"]
    assert replicas[2].as_user("alice", key).get("/v2/_catalog").status_code == 200
    assert [k["label"] for k in browser.request("GET", "/zot/auth/apikey").json()["apiKeys"]] == ["ci"]
    browser.server = replicas[2]
    assert browser.logout().status_code == 200
    browser.server = replicas[0]
    assert browser.request("GET", "/zot/auth/apikey").status_code == 401


def test_a_signature_verified_by_one_replica_lets_the_image_through_every_replicas_pull_policy(request, zotd_binary,
                                                                                              tmp_path):
    """The image and its cosign signature are pushed through one replica, whose trust extension verifies it;
    the verdict is in the shared database, so another replica's pull policy serves the image too. Each replica
    has a storage root of its own, so that nothing but the database can carry the verdict."""
    database = fresh_database()
    replicas = [start(request, zotd_binary, extensions=policies(PROD_COSIGN),
                      storage_extra=shared_storage(tmp_path / f"root-{n}", database)) for n in range(2)]
    key = CosignKey()
    assert upload(replicas[0], COSIGN, key.public_pem).status == 200
    push_signed_by_cosign(replicas[0], "prod/app", key)
    served_eventually(replicas[0], "prod/app", "v1")
    assert pull(replicas[1], "prod/app", "v1").status == 200


IMAGES = '{ImageList(repo:"%s"){Results{Tag Digest DownloadCount}}}'


def images(server, repo: str) -> list:
    return data_of(server, IMAGES % repo)["ImageList"]["Results"]


def downloads_eventually(server, repo: str, want: int, timeout: float = 10) -> int:
    """DownloadCount of the repository's only image, once it is `want` (a replica records its pulls each second)."""
    deadline = time.monotonic() + timeout
    while True:
        got = images(server, repo)[0]["DownloadCount"]
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_search_through_any_replica_finds_what_was_pushed_or_deleted_through_another(request, zotd_binary, tmp_path):
    """Each replica keeps its own search index and follows the changes in the shared database: an image pushed
    through one is found through the other at once (a search first catches up with the changes committed
    before it), a deleted tag is gone from both, a replica started later indexes what is stored, and pulls
    through any replica count on every one. The
    replicas share their blobs, but each has a storage root of its own, and so a search index of its own (on
    one shared root they would share one SQLite file): nothing but the database carries the changes."""
    database = fresh_database()

    def replica(n):
        root = tmp_path / f"root-{n}"
        if n > 0:
            (root / "_zotd").mkdir(parents=True)
            (root / "_zotd" / "blobs").symlink_to(tmp_path / "root-0" / "_zotd" / "blobs")
        return start_server(request, zotd_binary, storage_extra=shared_storage(root, database))

    replicas = [replica(0), replica(1)]
    image = make_image(arch="arm64")
    assert push_image(replicas[0], "team/app", "v1", image).status_code == 201
    for server in replicas:
        assert [(i["Tag"], i["Digest"]) for i in images(server, "team/app")] == [("v1", image.digest)]
    assert replicas[1].delete("/v2/team/app/manifests/v1").status_code == 202
    for server in replicas:
        assert images(server, "team/app") == []
    assert push_image(replicas[1], "team/app", "v2", image).status_code == 201
    late = replica(2)
    assert [i["Tag"] for i in images(late, "team/app")] == ["v2"]
    assert [i["Tag"] for i in images(replicas[0], "team/app")] == ["v2"]
    # Pulls counted through two replicas add up on all three.
    for server in (replicas[0], late):
        assert server.get("/v2/team/app/manifests/v2", headers={"Accept": MANIFEST_ACCEPT}).status_code == 200
    for server in (*replicas, late):
        assert downloads_eventually(server, "team/app", 2) == 2


def test_while_the_database_is_unreachable_requests_get_503_and_nothing_is_lost(zotd_factory, tmp_path):
    """Cut between zotd and PostgreSQL: a pull and a push answer 503 UNAVAILABLE with the OCI body (after the
    ten seconds zotd waits for a connection); once the database is back, what was stored is served and the
    push succeeds."""
    database = urlsplit(fresh_database())
    proxy = CuttableProxy(urlunsplit(database))
    try:
        proxied = urlunsplit(database._replace(netloc=f"{database.username}@127.0.0.1:{proxy.port}"))
        server = zotd_factory(storage_extra=shared_storage(tmp_path / "root", proxied))
        kept = build_image()
        for blob in kept.blobs:
            push_blob(server, "outage/app", blob.data)
        assert server.put("/v2/outage/app/manifests/v1", data=kept.manifest.data,
                          headers={"Content-Type": kept.manifest.media_type}).status_code == 201
        later = random_bytes(10_000)
        proxy.cut()
        for r in (server.get("/v2/outage/app/manifests/v1"),
                  server.post(f"/v2/outage/app/blobs/uploads/?digest={sha256_digest(later)}", data=later,
                              headers={"Content-Type": OCTET_STREAM})):
            assert r.status_code == 503, r.text
            assert [e["code"] for e in r.json()["errors"]] == ["UNAVAILABLE"]
        proxy.restore()
        r = server.get("/v2/outage/app/manifests/v1")
        assert r.status_code == 200 and r.content == kept.manifest.data
        push_blob(server, "outage/app", later)
        assert server.get(f"/v2/outage/app/blobs/{sha256_digest(later)}").content == later
    finally:
        proxy.close()


def test_a_replica_pointed_at_no_database_stops_at_start_with_the_reason(zotd_binary, tmp_path):
    config = {
        "distSpecVersion": "1.1.1",
        "storage": shared_storage(tmp_path / "root", "postgres://zotd@127.0.0.1:1/zotd"),
        "http": {"address": "127.0.0.1", "port": "0"},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    r = subprocess.run([zotd_binary, "serve", str(tmp_path / "config.json")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1
    assert "no connection to the metadata database at 127.0.0.1:1/zotd" in r.stdout + r.stderr
