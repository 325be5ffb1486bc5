"""Sync on demand: zotd as a pull-through cache of a real upstream, Debian's docker-registry (distribution 2.8.2).

The upstream is started by each test on a random loopback port and filled over the HTTP API; zotd is
configured as a zot user would (`extensions.sync.registries[{urls, onDemand: true}]`). The upstream's own
access log (distribution logs every request) is how the tests count what zotd asked it for.
"""

import json
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from auth_support import CertificateAuthority, auth_registry, require_tool, run, write_htpasswd  # noqa: F401 (fixture)
from oci import OCI_INDEX, build_index, build_runnable_image, push_blob, push_image, push_manifest, random_bytes, sha256_digest
from zotd_server import ZotdServer

pytestmark = pytest.mark.clients

MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json", OCI_INDEX,
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


class Upstream(ZotdServer):
    """Debian's docker-registry, optionally behind htpasswd (its Basic challenge) or serving TLS with a
    certificate of `ca`."""

    def __init__(self, workdir: Path, htpasswd: Path = None, ca: CertificateAuthority = None):
        super().__init__(require_tool("docker-registry"), workdir, flavor="docker-registry")
        self.htpasswd = htpasswd
        self.ca = ca
        self.tls = ca.issue("upstream", "127.0.0.1", server=True) if ca else None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def _write_config(self) -> None:
        self.root_dir.mkdir(parents=True, exist_ok=True)
        auth = f"auth: {{htpasswd: {{realm: upstream, path: {self.htpasswd}}}}}\n" if self.htpasswd else ""
        tls = f", tls: {{certificate: {self.tls[0]}, key: {self.tls[1]}}}" if self.tls else ""
        self.config_path.write_text(
            "version: 0.1\n"
            "log: {level: info}\n"
            f"storage:\n  filesystem: {{rootdirectory: {self.root_dir}}}\n  delete: {{enabled: true}}\n"
            f"http: {{addr: '{self.host}:{self.port}', secret: e2e-fixed-secret{tls}}}\n" + auth
        )

    def _wait_ready(self, timeout: float) -> None:
        if not self.tls:
            return super()._wait_ready(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base_url + "/v2/", verify=str(self.ca.cert), timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError(f"the TLS upstream did not answer\n{self.log_tail()}")

    def request(self, method, path_or_url, **kw):
        # Per request: a session's own `verify` loses to REQUESTS_CA_BUNDLE when the environment sets it.
        if self.tls:
            kw.setdefault("verify", str(self.ca.cert))
        return super().request(method, path_or_url, **kw)

    def blob_gets(self, digest: str) -> int:
        """GETs of the blob the upstream answered, from its access log."""
        return len(re.findall(rf'"GET /v2/[^ ]*/blobs/{re.escape(digest)} HTTP', self.log_path.read_text()))


@pytest.fixture
def upstream(tmp_path):
    server = Upstream(tmp_path / "upstream")
    server.start()
    yield server
    server.stop()


def mirror_of(zotd_factory, *upstreams, credentials_file=None, **registry):
    sync = {"enable": True, "registries": [
        {"urls": [u.base_url for u in upstreams], "onDemand": True, "tlsVerify": False, **registry}
    ]}
    if credentials_file:
        sync["credentialsFile"] = str(credentials_file)
    return zotd_factory(extensions={"sync": sync})


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stored_locally(server, repo, tag):
    """Whether zotd keeps the tag itself: its tags list (never pulled through) names it."""
    r = server.get(f"/v2/{repo}/tags/list")
    return r.status_code == 200 and tag in r.json().get("tags", [])


def test_a_pull_of_an_image_zotd_lacks_is_answered_from_the_upstream(upstream, zotd_factory):
    """The manifest comes back byte for byte with the upstream's digest, every blob too; then the image is
    stored, so that it still pulls with the upstream gone."""
    image = build_runnable_image(2)
    assert push_image(upstream, "library/app", "v1", image).status_code == 201
    mirror = mirror_of(zotd_factory, upstream)
    r = mirror.get("/v2/library/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT})
    assert r.status_code == 200, r.text
    assert r.content == image.manifest.data and r.headers["Docker-Content-Digest"] == image.digest
    for blob in image.blobs:
        got = mirror.get(f"/v2/library/app/blobs/{blob.digest}")
        assert got.status_code == 200 and got.content == blob.data
    wait_until(lambda: stored_locally(mirror, "library/app", "v1"), what="the image to be stored")
    upstream.stop()
    assert mirror.get("/v2/library/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT}).content == image.manifest.data
    for blob in image.blobs:
        assert mirror.get(f"/v2/library/app/blobs/{blob.digest}").content == blob.data


def test_skopeo_pulls_a_multi_arch_image_through_with_identical_digests(upstream, zotd_factory, tmp_path):
    """`skopeo copy --all docker://zotd/…` of an index zotd never held: the same index and platform digests."""
    skopeo = require_tool("skopeo")
    amd, arm = build_runnable_image(1), build_runnable_image(1)
    index = build_index([amd, arm])
    for img in (amd, arm):
        push_image(upstream, "team/cli", img.digest, img)
    assert push_manifest(upstream, "team/cli", "multi", index).status_code == 201
    mirror = mirror_of(zotd_factory, upstream)
    ref = f"docker://{mirror.hostport}/team/cli:multi"
    assert run(skopeo, "inspect", "--raw", "--tls-verify=false", ref).stdout == index.data
    run(skopeo, "copy", "--all", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'out'}:m")
    layout = json.loads((tmp_path / "out" / "index.json").read_text())
    assert [m["digest"] for m in layout["manifests"]] == [sha256_digest(index.data)]
    wait_until(lambda: stored_locally(mirror, "team/cli", "multi"), what="the index to be stored")
    for img in (amd, arm):
        assert mirror.get(f"/v2/team/cli/manifests/{img.digest}").content == img.manifest.data


def test_eight_concurrent_cold_pulls_of_a_blob_make_one_upstream_get(upstream, zotd_factory):
    """Eight clients ask for the same 16 MiB layer zotd does not hold, at once: each gets all of it, and the
    upstream's log shows a single GET of that blob."""
    data = random_bytes(16 << 20)
    digest = push_blob(upstream, "big/image", data)
    mirror = mirror_of(zotd_factory, upstream)
    barrier = threading.Barrier(8)

    def pull(_):
        barrier.wait()
        with requests.get(mirror.url(f"/v2/big/image/blobs/{digest}"), timeout=60) as r:
            return r.status_code, sha256_digest(r.content)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(pull, range(8)))
    assert results == [(200, digest)] * 8
    assert upstream.blob_gets(digest) == 1


def test_a_blob_any_repository_holds_is_never_fetched_again(upstream, zotd_factory):
    """A base layer pulled through for one repository is linked, not fetched, when another image needs it."""
    first = build_runnable_image(2)
    push_image(upstream, "one/app", "v1", first)
    second_layers = [first.layers[0], *build_runnable_image(1).layers]
    from oci import build_image

    second = build_image(layers=second_layers)
    push_image(upstream, "two/app", "v1", second)
    mirror = mirror_of(zotd_factory, upstream)
    shared = first.layers[0]
    assert mirror.get(f"/v2/one/app/blobs/{shared.digest}").content == shared.data
    assert mirror.get(f"/v2/two/app/blobs/{shared.digest}").content == shared.data
    assert upstream.blob_gets(shared.digest) == 1


def manifest_requests(upstream, repo, tag):
    return len(re.findall(rf'"(?:GET|HEAD) /v2/{re.escape(repo)}/manifests/{re.escape(tag)} HTTP', upstream.log_path.read_text()))


def test_a_stored_tag_is_served_locally_and_a_tag_moved_upstream_is_picked_up(upstream, zotd_factory):
    """Pulls of a stored tag never wait for the upstream: twenty of them within `revalidateAfter` cost it at
    most one HEAD, in the background. A tag moved upstream is stored anew after the next check, and served."""
    first, second = build_runnable_image(1), build_runnable_image(1)
    push_image(upstream, "library/app", "latest", first)
    mirror = mirror_of(zotd_factory, upstream, revalidateAfter="2s")
    assert mirror.get("/v2/library/app/manifests/latest").content == first.manifest.data
    wait_until(lambda: stored_locally(mirror, "library/app", "latest"), what="the image to be stored")
    before = manifest_requests(upstream, "library/app", "latest")
    for _ in range(20):
        assert mirror.get("/v2/library/app/manifests/latest").content == first.manifest.data
    time.sleep(0.5)
    assert manifest_requests(upstream, "library/app", "latest") - before <= 1
    push_image(upstream, "library/app", "latest", second)
    time.sleep(2.1)
    mirror.get("/v2/library/app/manifests/latest")  # served from storage; starts the check
    wait_until(lambda: mirror.get("/v2/library/app/manifests/latest").content == second.manifest.data,
               what="the moved tag to be served")


def test_a_blob_of_another_repository_is_not_lent_unless_the_upstream_has_it(upstream, zotd_factory):
    """A blob pushed to zotd alone (a private repository) is not served through a name sync covers: asking for
    its digest there must not reveal it, since the upstream does not have it."""
    mirror = mirror_of(zotd_factory, upstream)
    secret = random_bytes(4096)
    digest = push_blob(mirror, "private/secrets", secret)
    r = mirror.get(f"/v2/public/app/blobs/{digest}")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "BLOB_UNKNOWN"
    assert mirror.get(f"/v2/private/secrets/blobs/{digest}").content == secret


def test_with_the_upstream_down_unknown_images_answer_404_quickly(upstream, zotd_factory):
    mirror = mirror_of(zotd_factory, upstream)
    upstream.stop()
    started = time.monotonic()
    r = mirror.get("/v2/library/nothing/manifests/v1")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    assert time.monotonic() - started < 5


def test_the_second_url_serves_when_the_first_is_down(upstream, zotd_factory, tmp_path):
    """`urls` fail over in order: a dead first URL does not stop the pull."""
    image = build_runnable_image(1)
    push_image(upstream, "library/app", "v1", image)
    dead = Upstream(tmp_path / "dead")
    dead.port = 1  # nothing listens there
    mirror = mirror_of(zotd_factory, dead, upstream)
    r = mirror.get("/v2/library/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT})
    assert r.status_code == 200 and r.content == image.manifest.data


def test_an_upstream_behind_htpasswd_is_pulled_with_the_credentials_file(tmp_path, zotd_factory):
    """distribution's Basic challenge answered with the login of `credentialsFile` (`host:port` key)."""
    htpasswd = tmp_path / "htpasswd"
    write_htpasswd(htpasswd, {"puller": "s3cret-pull"})
    upstream = Upstream(tmp_path / "upstream", htpasswd=htpasswd)
    upstream.start(timeout=30)
    try:
        image = build_runnable_image(1)
        upstream.http.auth = ("puller", "s3cret-pull")
        assert push_image(upstream, "private/app", "v1", image).status_code == 201
        credentials = tmp_path / "credentials.json"
        credentials.write_text(json.dumps({upstream.hostport: {"username": "puller", "password": "s3cret-pull"}}))
        mirror = mirror_of(zotd_factory, upstream, credentials_file=credentials)
        r = mirror.get("/v2/private/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT})
        assert r.status_code == 200 and r.content == image.manifest.data
        for blob in image.blobs:
            assert mirror.get(f"/v2/private/app/blobs/{blob.digest}").content == blob.data
    finally:
        upstream.stop()


def test_content_rules_map_local_names_to_upstream_ones(upstream, zotd_factory):
    """`destination` + `stripPrefix`: local `mirror/app` is upstream `vendor/app`; names no rule covers are
    not pulled through."""
    image = build_runnable_image(1)
    push_image(upstream, "vendor/app", "v1", image)
    push_image(upstream, "other/app", "v1", image)
    mirror = mirror_of(
        zotd_factory, upstream, content=[{"prefix": "/vendor/**", "destination": "/mirror", "stripPrefix": True}]
    )
    assert mirror.get("/v2/mirror/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT}).content == image.manifest.data
    assert mirror.get("/v2/other/app/manifests/v1").status_code == 404
    assert mirror.get("/v2/vendor/app/manifests/v1").status_code == 404


class FakeUpstream:
    """A registry that misbehaves on purpose, for what distribution never does: `blobs` maps a digest to the
    bytes it sends for it (wrong ones, say); `truncate` cuts every blob body at half its announced length;
    `truncate_first` cuts only the first GET of those digests; `pause` stops for that many seconds halfway
    through a body; `login` (user, password) puts it behind docker's token flow, its token server at `/token`
    handing out tokens to that login only; `manifests` maps a tag or digest to the manifest `Content` served."""

    TOKEN = "fake-upstream-token"

    def __init__(self, blobs: dict, truncate: bool = False, pause: float = 0, login: tuple = None,
                 manifests: dict = None, truncate_first: set = ()):
        import base64
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.gets = []
        self.finished = []  # digests whose whole body was sent
        self.token_requests = []
        self.pause = pause
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path.startswith("/token"):
                    outer.token_requests.append((self.path, self.headers.get("Authorization")))
                    expected = "Basic " + base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
                    if self.headers.get("Authorization") != expected:
                        return self.answer(401)
                    return self.answer(200, json.dumps({"token": outer.TOKEN, "expires_in": 300}).encode())
                if login and self.headers.get("Authorization") != f"Bearer {outer.TOKEN}":
                    realm = f"{outer.base_url}/token"
                    repository = self.path.split("/v2/", 1)[-1].rsplit("/blobs/", 1)[0]
                    challenge = f'Bearer realm="{realm}",service="fake",scope="repository:{repository}:pull"'
                    return self.answer(401, headers=[("WWW-Authenticate", challenge)])
                outer.gets.append(self.path)
                digest = self.path.rsplit("/", 1)[-1]
                if "/manifests/" in self.path and digest in (manifests or {}):
                    content = manifests[digest]
                    return self.answer(200, content.data, headers=[("Content-Type", content.media_type),
                                                                   ("Docker-Content-Digest", content.digest)])
                if self.path == "/v2/" or digest not in blobs:
                    return self.answer(200 if self.path == "/v2/" else 404)
                body = blobs[digest]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                half = len(body) // 2
                self.wfile.write(body[:half])
                self.wfile.flush()
                if outer.pause:
                    time.sleep(outer.pause)
                if truncate or (digest in truncate_first and outer.gets.count(self.path) == 1):
                    self.close_connection = True
                    return
                try:
                    self.wfile.write(body[half:])
                    outer.finished.append(digest)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pull_fails_short(mirror, path, size):
    """GET `path` and read it: it must not come back whole (an error, or fewer bytes than announced)."""
    try:
        with requests.get(mirror.url(path), timeout=30, stream=True) as r:
            if r.status_code != 200:
                return True
            return len(r.raw.read(size + 1, decode_content=False)) < size
    except (requests.exceptions.RequestException, Exception):
        return True


@pytest.mark.parametrize("fault", ["wrong bytes", "truncated body"])
def test_a_blob_the_upstream_sends_wrong_is_never_served_whole_nor_stored(zotd_factory, fault):
    """The bytes are streamed as they arrive but the last one is held until the digest checks out: a wrong or
    short blob reaches the client as a failed response, is not stored (a later pull asks the upstream again)
    and leaves no staging file."""
    data = random_bytes(3 << 20)
    digest = sha256_digest(data)
    sent = data if fault == "truncated body" else b"X" + data[1:]
    fake = FakeUpstream({digest: sent}, truncate=fault == "truncated body")
    try:
        mirror = mirror_of(zotd_factory, fake)
        path = f"/v2/some/app/blobs/{digest}"
        assert pull_fails_short(mirror, path, len(data))
        wait_until(lambda: not any((mirror.state_dir / "uploads").iterdir()), what="the staging file to go")
        assert pull_fails_short(mirror, path, len(data))
        assert len([p for p in fake.gets if p.endswith(digest)]) == 2
        assert not (mirror.state_dir / "blobs" / "sha256" / digest[7:9] / digest[7:]).exists()
    finally:
        fake.close()


def test_periodic_sync_mirrors_the_selected_repositories_and_tags(upstream, zotd_factory):
    """Every `pollInterval`, the repositories `prefix` selects are listed and the tags that pass `regex`,
    `excludeRegex` and `semver` copied under `destination` (with `stripPrefix`); nothing else is."""
    images = {tag: build_runnable_image(1) for tag in ["1.0.0", "1.1.0", "1.2.0-debug", "1.beta", "latest", "2.0.0"]}
    for tag, image in images.items():
        push_image(upstream, "vendor/tools/app", tag, image)
    push_image(upstream, "elsewhere/app", "1.0.0", build_runnable_image(1))
    sync = {"enable": True, "registries": [{
        "urls": [upstream.base_url], "pollInterval": "1s", "tlsVerify": False,
        "content": [{"prefix": "/vendor/**", "destination": "/mirror", "stripPrefix": True,
                     "tags": {"regex": "^1\\.", "excludeRegex": "-debug$", "semver": True}}],
    }]}
    mirror = zotd_factory(extensions={"sync": sync})
    wait_until(lambda: mirror.get("/v2/mirror/tools/app/tags/list").status_code == 200
               and mirror.get("/v2/mirror/tools/app/tags/list").json()["tags"] == ["1.0.0", "1.1.0"],
               timeout=30, what="the mirrored tags")
    for tag in ["1.0.0", "1.1.0"]:
        assert mirror.get(f"/v2/mirror/tools/app/manifests/{tag}").content == images[tag].manifest.data
        for blob in images[tag].blobs:
            assert mirror.get(f"/v2/mirror/tools/app/blobs/{blob.digest}").content == blob.data
    assert mirror.get("/v2/_catalog").json()["repositories"] == ["mirror/tools/app"]


def test_periodic_sync_copies_a_moved_tag_and_signatures_with_their_image(upstream, zotd_factory):
    """A tag moved upstream is copied again at the next pass; cosign's `sha256-<hex>.sig` tag comes with its
    image even though the tag rules would not select it."""
    first, second = build_runnable_image(1), build_runnable_image(1)
    push_image(upstream, "library/app", "1.0.0", first)
    signature = build_runnable_image(1)
    sig_tag = "sha256-" + first.digest.split(":", 1)[1] + ".sig"
    push_image(upstream, "library/app", sig_tag, signature)
    sync = {"enable": True, "registries": [{
        "urls": [upstream.base_url], "pollInterval": "1s", "tlsVerify": False,
        "content": [{"prefix": "library/**", "tags": {"semver": True}}],
    }]}
    mirror = zotd_factory(extensions={"sync": sync})
    wait_until(lambda: mirror.get(f"/v2/library/app/manifests/{sig_tag}").status_code == 200, timeout=30,
               what="the signature tag")
    assert mirror.get("/v2/library/app/manifests/1.0.0").content == first.manifest.data
    push_image(upstream, "library/app", "1.0.0", second)
    wait_until(lambda: mirror.get("/v2/library/app/manifests/1.0.0").content == second.manifest.data, timeout=30,
               what="the moved tag")


def test_sync_work_shows_on_metrics(upstream, zotd_factory):
    """With the metrics extension, images stored on demand and periodic passes are counted per upstream."""
    push_image(upstream, "library/app", "1.0.0", build_runnable_image(1))
    sync = {"enable": True, "registries": [
        {"urls": [upstream.base_url], "onDemand": True, "tlsVerify": False},
        {"urls": [upstream.base_url + "/"], "pollInterval": "1s", "tlsVerify": False,
         "content": [{"prefix": "library/**", "destination": "/copy"}]},
    ]}
    mirror = zotd_factory(extensions={"sync": sync, "metrics": {"enable": True}})
    assert mirror.get("/v2/library/app/manifests/1.0.0").status_code == 200
    wait_until(lambda: stored_locally(mirror, "library/app", "1.0.0"), what="the image to be stored")
    wait_until(lambda: stored_locally(mirror, "copy/library/app", "1.0.0"), timeout=30, what="the periodic copy")

    def series():
        text = mirror.get("/metrics").text
        return {
            name: float(value)
            for name, value in re.findall(r'^(zot_sync_\w+\{[^}]*\}) (\S+)$', text, re.MULTILINE)
        }

    up = upstream.base_url
    wait_until(lambda: series().get(f'zot_sync_passes_total{{upstream="{up}"}}', 0) >= 1, what="a finished pass")
    figures = series()
    assert figures[f'zot_sync_images_copied_total{{upstream="{up}",mode="on_demand"}}'] == 1
    assert figures[f'zot_sync_images_copied_total{{upstream="{up}",mode="periodic"}}'] >= 1


def test_an_upstream_behind_docker_token_flow_is_pulled_with_a_token(zotd_factory, tmp_path):
    """The upstream answers 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; zotd asks the
    realm for a token with the login of `credentialsFile` (Basic), service and scope as the challenge named
    them, and pulls with `Authorization: Bearer`. Later requests reuse the token."""
    data = random_bytes(1 << 20)
    digest = sha256_digest(data)
    fake = FakeUpstream({digest: data}, login=("robot", "t0ken-pass"))
    try:
        host = fake.base_url.split("://", 1)[1]
        credentials = tmp_path / "credentials.json"
        credentials.write_text(json.dumps({host: {"username": "robot", "password": "t0ken-pass"}}))
        mirror = mirror_of(zotd_factory, fake, credentials_file=credentials)
        r = mirror.get(f"/v2/secure/app/blobs/{digest}")
        assert r.status_code == 200 and r.content == data
        assert len(fake.token_requests) == 1
        path, authorization = fake.token_requests[0]
        assert "service=fake" in path and "scope=repository:secure/app:pull" in path.replace("%3A", ":").replace("%2F", "/")
        assert authorization.startswith("Basic ")
        other = random_bytes(1024)
        assert mirror.get(f"/v2/secure/app/blobs/{sha256_digest(other)}").status_code == 404
        assert len(fake.token_requests) == 1
    finally:
        fake.close()


def test_a_kill_in_the_middle_of_a_copy_leaves_nothing_behind(zotd_factory):
    """zotd killed (-9) while a blob is half copied in: the next start removes the staging file, the blob is
    not stored, and a pull after the restart copies it whole."""
    data = random_bytes(4 << 20)
    digest = sha256_digest(data)
    fake = FakeUpstream({digest: data}, pause=30)
    try:
        mirror = mirror_of(zotd_factory, fake)
        reader = threading.Thread(target=pull_fails_short, args=(mirror, f"/v2/some/app/blobs/{digest}", len(data)))
        reader.start()
        wait_until(lambda: any((mirror.state_dir / "uploads").iterdir()), what="the copy to start staging")
        mirror.kill9()
        reader.join(timeout=30)
        fake.pause = 0
        mirror.start()
        assert not any((mirror.state_dir / "uploads").iterdir())
        assert not (mirror.state_dir / "blobs" / "sha256" / digest[7:9] / digest[7:]).exists()
        r = mirror.get(f"/v2/some/app/blobs/{digest}")
        assert r.status_code == 200 and r.content == data
    finally:
        fake.close()


def test_a_cold_layer_streams_to_the_client_before_the_upstream_has_sent_it_all(zotd_factory):
    """The client reads the first half of a layer while the upstream still holds back the second: bytes go
    out as they arrive, not after the whole blob is in."""
    data = random_bytes(8 << 20)
    digest = sha256_digest(data)
    fake = FakeUpstream({digest: data}, pause=3)
    try:
        mirror = mirror_of(zotd_factory, fake)
        with requests.get(mirror.url(f"/v2/some/app/blobs/{digest}"), stream=True, timeout=30) as r:
            assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(data)
            first = r.raw.read(len(data) // 4)
            assert first == data[: len(data) // 4]
            assert fake.finished == [], "the upstream had already sent the whole blob"
            rest = r.raw.read()
        assert first + rest == data
    finally:
        fake.close()


def test_podman_pulls_through_with_the_upstreams_digest(upstream, zotd_factory):
    """`podman pull` of an image only the upstream holds gets the upstream's manifest digest."""
    import tempfile as _tempfile

    from podman_support import podman_or_skip

    image = build_runnable_image(2)
    push_image(upstream, "library/base", "stable", image)
    mirror = mirror_of(zotd_factory, upstream)
    base = Path(_tempfile.mkdtemp(prefix="pm-", dir="/tmp"))
    try:
        podman = podman_or_skip(base, "p")
        podman.run("pull", "--tls-verify=false", f"{mirror.hostport}/library/base:stable")
        listed = json.loads(podman.run("image", "inspect", f"{mirror.hostport}/library/base:stable").stdout)[0]
        assert listed["Digest"] == image.digest
        podman.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_another_zotd_behind_htpasswd_is_an_upstream(auth_registry, zotd_factory, tmp_path):
    """A second zotd with htpasswd auth as the upstream: its Basic challenge answered from `credentialsFile`,
    with identical digests; without credentials the image is simply unknown."""
    htpasswd = write_htpasswd(tmp_path / "htpasswd", {"mirror": "m1rror-pass"})
    upstream = auth_registry(http_extra={"realm": "upstream", "auth": {"htpasswd": {"path": str(htpasswd)}}})
    upstream.http.auth = ("mirror", "m1rror-pass")
    image = build_runnable_image(1)
    assert push_image(upstream, "team/app", "v1", image).status_code == 201
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({upstream.hostport: {"username": "mirror", "password": "m1rror-pass"}}))
    mirror = mirror_of(zotd_factory, upstream, credentials_file=credentials)
    r = mirror.get("/v2/team/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT})
    assert r.status_code == 200 and r.headers["Docker-Content-Digest"] == image.digest
    for blob in image.blobs:
        assert mirror.get(f"/v2/team/app/blobs/{blob.digest}").content == blob.data
    anonymous = mirror_of(zotd_factory, upstream)
    assert anonymous.get("/v2/team/app/manifests/v1").status_code == 404


def test_only_signed_syncs_images_with_a_trusted_cosign_signature(upstream, zotd_factory):
    """`onlySigned` with the trust extension: an image whose cosign signature verifies against an uploaded key
    is pulled through; an unsigned one, or one signed by another key, is not (404)."""
    from trust_support import CosignKey, cosign_layer, cosign_signature_manifest, cosign_tag, simple_signing_payload

    key, stranger = CosignKey(), CosignKey()

    def push_signed(repo, signer):
        image = build_runnable_image(1)
        push_image(upstream, repo, "1.0.0", image)
        if signer is not None:
            payload = simple_signing_payload(image.digest)
            signature = cosign_signature_manifest([cosign_layer(payload, signer.sign(payload))])
            push_image(upstream, repo, cosign_tag(image.digest), signature)
        return image

    signed = push_signed("signed/app", key)
    push_signed("unsigned/app", None)
    push_signed("stranger/app", stranger)
    sync = {"enable": True, "registries": [
        {"urls": [upstream.base_url], "onDemand": True, "onlySigned": True, "tlsVerify": False}]}
    mirror = zotd_factory(extensions={"search": {"enable": True}, "trust": {"enable": True, "cosign": True}, "sync": sync})
    r = mirror.post("/v2/_zot/ext/cosign", data=key.public_pem, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    r = mirror.get("/v2/signed/app/manifests/1.0.0", headers={"Accept": MANIFEST_ACCEPT})
    assert r.status_code == 200 and r.content == signed.manifest.data
    assert mirror.get("/v2/unsigned/app/manifests/1.0.0").status_code == 404
    assert mirror.get("/v2/stranger/app/manifests/1.0.0").status_code == 404


def test_only_signed_without_the_trust_extension_refuses_to_start(zotd_binary, tmp_path):
    server = ZotdServer(zotd_binary, tmp_path / "server", extensions={"sync": {"registries": [
        {"urls": ["http://127.0.0.1:1"], "onDemand": True, "onlySigned": True}]}})
    server.port = 5000
    server._write_config()
    p = run(zotd_binary, "serve", server.config_path, check=False, timeout=30)
    assert p.returncode != 0
    assert b"onlySigned: needs the trust extension" in p.stdout + p.stderr


def test_a_background_store_that_fails_mid_blob_is_retried_with_back_off(zotd_factory):
    """On demand: the upstream cuts the layer's first GET short; the image's background store retries after
    `retryDelay` and stores it whole, so it pulls with nothing asked of the upstream any more."""
    image = build_runnable_image(1)
    layer = image.layers[0]
    fake = FakeUpstream({b.digest: b.data for b in image.blobs},
                        manifests={"v1": image.manifest, image.digest: image.manifest},
                        truncate_first={layer.digest})
    try:
        mirror = mirror_of(zotd_factory, fake, maxRetries=3, retryDelay="200ms")
        assert mirror.get("/v2/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT}).content == image.manifest.data
        wait_until(lambda: stored_locally(mirror, "app", "v1"), timeout=30, what="the retried store")
        assert len([p for p in fake.gets if p.endswith(layer.digest)]) == 2
        assert mirror.get(f"/v2/app/blobs/{layer.digest}").content == layer.data
    finally:
        fake.close()


def test_an_upstream_over_tls_is_trusted_through_cert_dir(tmp_path, zotd_factory):
    """An upstream serving TLS with a certificate of a private CA: trusted with `certDir` holding that CA as
    `ca.crt` (docker's layout), refused without it (the image is unknown), pulled with `tlsVerify: false`."""
    ca = CertificateAuthority(tmp_path / "ca")
    upstream = Upstream(tmp_path / "upstream", ca=ca)
    upstream.start(timeout=30)
    try:
        image = build_runnable_image(1)
        assert push_image(upstream, "secure/app", "v1", image).status_code == 201
        cert_dir = tmp_path / "certs"
        cert_dir.mkdir()
        shutil.copy(ca.cert, cert_dir / "ca.crt")
        trusting = zotd_factory(extensions={"sync": {"registries": [
            {"urls": [upstream.base_url], "onDemand": True, "certDir": str(cert_dir)}]}})
        r = trusting.get("/v2/secure/app/manifests/v1", headers={"Accept": MANIFEST_ACCEPT})
        assert r.status_code == 200 and r.content == image.manifest.data
        assert trusting.get(f"/v2/secure/app/blobs/{image.layers[0].digest}").content == image.layers[0].data
        strict = zotd_factory(extensions={"sync": {"registries": [{"urls": [upstream.base_url], "onDemand": True}]}})
        assert strict.get("/v2/secure/app/manifests/v1").status_code == 404
        lax = mirror_of(zotd_factory, upstream)
        assert lax.get("/v2/secure/app/manifests/v1").status_code == 200
    finally:
        upstream.stop()
