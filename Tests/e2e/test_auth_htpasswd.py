"""htpasswd (http.auth.htpasswd.path): Basic auth on every endpoint, with real clients.

zot-behaviour.md "Auth": "htpasswd file of bcrypt hashes; Basic auth on every endpoint", and "With auth
configured and no credentials: 401 with `WWW-Authenticate: Basic realm="<realm>"`".
"""

import base64
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from auth_support import auth_registry, require_tool, run, write_htpasswd  # noqa: F401 (fixture)
from oci import assert_oci_error, build_image, build_runnable_image, push_blob, push_image, random_bytes, write_oci_layout

USERS = {"alice": "wonderland-1", "bob": "builder-2"}


@pytest.fixture
def htpasswd_registry(auth_registry, tmp_path):
    path = write_htpasswd(tmp_path / "htpasswd", USERS)
    server = auth_registry(http_extra={"realm": "zotd-e2e", "auth": {"htpasswd": {"path": str(path)}}})
    server.htpasswd_path = path
    return server


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_challenged(r, realm="zotd-e2e"):
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert r.headers.get("WWW-Authenticate") == f'Basic realm="{realm}"', r.headers


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/v2/"), ("GET", "/v2/_catalog"), ("GET", "/v2/a/tags/list"), ("GET", "/v2/a/manifests/v1"),
        ("HEAD", "/v2/a/manifests/v1"), ("PUT", "/v2/a/manifests/v1"), ("DELETE", "/v2/a/manifests/v1"),
        ("GET", "/v2/a/blobs/sha256:" + "0" * 64), ("DELETE", "/v2/a/blobs/sha256:" + "0" * 64),
        ("POST", "/v2/a/blobs/uploads/"), ("PATCH", "/v2/a/blobs/uploads/x"), ("PUT", "/v2/a/blobs/uploads/x"),
        ("GET", "/v2/a/referrers/sha256:" + "0" * 64), ("GET", "/v2/_oci/ext/discover"),
        ("GET", "/zot/auth/apikey"),
    ],
)
def test_every_endpoint_asks_anonymous_callers_to_log_in(htpasswd_registry, method, path):
    """No credentials: 401 UNAUTHORIZED with the Basic challenge docker/podman/skopeo log in by, on every
    endpoint but logout, which zot serves to anyone (test_zui_session.py)."""
    r = htpasswd_registry.request(method, path)
    assert r.status_code == 401
    if method != "HEAD":
        assert_challenged(r)


def test_health_checks_stay_open(htpasswd_registry):
    for path in ("/livez", "/readyz", "/startupz"):
        assert htpasswd_registry.get(path).status_code == 200


def test_right_password_is_served_wrong_one_refused(htpasswd_registry):
    assert htpasswd_registry.as_user("alice", USERS["alice"]).get("/v2/").status_code == 200
    assert_challenged(htpasswd_registry.as_user("alice", USERS["bob"]).get("/v2/"))
    assert_challenged(htpasswd_registry.as_user("mallory", USERS["alice"]).get("/v2/"))
    assert_challenged(htpasswd_registry.as_user("alice", "").get("/v2/"))


def test_push_and_pull_with_basic_auth(htpasswd_registry, repo):
    alice = htpasswd_registry.as_user("alice", USERS["alice"])
    image = build_image()
    push_image(alice, repo, "v1", image)
    r = alice.get(f"/v2/{repo}/manifests/v1")
    assert r.status_code == 200 and r.content == image.manifest.data
    assert_challenged(htpasswd_registry.get(f"/v2/{repo}/manifests/v1"))


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic", "Basic ", "Basic !!!!", "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b":nouser").decode(), "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
        "Basic " + base64.b64encode(b"alice:" + b"x" * 5000).decode(),
        "Basic " + "QUFB" * 15000,  # 60 KB of base64
        "Bearer not.a.jwt", "Bearer " + "A" * 20000, "Digest username=alice", "basicc abc", "Basic\tabc",
    ],
    ids=lambda a: a[:24],
)
def test_malformed_authorization_is_a_clean_401(htpasswd_registry, authorization):
    """Attack surface: malformed headers, wrong base64, absurdly long credentials — a clean 401, never a
    crash (the fixture fails the test if zotd exits)."""
    r = htpasswd_registry.get("/v2/", headers={"Authorization": authorization})
    assert_challenged(r)
    assert htpasswd_registry.as_user("alice", USERS["alice"]).get("/v2/").status_code == 200


def test_two_authorization_headers_are_refused(htpasswd_registry):
    """A request carrying credentials twice is refused rather than read either way."""
    import http.client

    conn = http.client.HTTPConnection(htpasswd_registry.host, htpasswd_registry.port, timeout=10)
    conn.putrequest("GET", "/v2/")
    conn.putheader("Authorization", basic("alice", USERS["alice"]))
    conn.putheader("Authorization", basic("bob", USERS["bob"]))
    conn.endheaders()
    assert conn.getresponse().status == 401
    conn.close()


def test_htpasswd_file_is_reread_without_restart(htpasswd_registry):
    """The file is re-read when it changes: a new user signs in, a removed one no longer does, a changed
    password takes effect — all without a restart (and despite the credential cache)."""
    alice = htpasswd_registry.as_user("alice", USERS["alice"])
    assert alice.get("/v2/").status_code == 200
    write_htpasswd(htpasswd_registry.htpasswd_path, {"alice": "changed-3", "carol": "new-4"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alice.get("/v2/").status_code == 200:
        time.sleep(0.2)
    assert_challenged(alice.get("/v2/"))
    assert htpasswd_registry.as_user("alice", "changed-3").get("/v2/").status_code == 200
    assert htpasswd_registry.as_user("carol", "new-4").get("/v2/").status_code == 200
    assert_challenged(htpasswd_registry.as_user("bob", USERS["bob"]).get("/v2/"))


def test_fail_delay_slows_failed_logins_only_and_blocks_nobody_else(auth_registry, tmp_path):
    """http.auth.failDelay: a failed login is answered after the delay; meanwhile other requests are served
    at once (the delay is a suspension, not a blocked thread); no credentials at all is no failed login."""
    path = write_htpasswd(tmp_path / "htpasswd", USERS)
    server = auth_registry(http_extra={"auth": {"htpasswd": {"path": str(path)}, "failDelay": 2}})
    good = server.as_user("alice", USERS["alice"])
    assert good.get("/v2/").status_code == 200  # warm the credential cache

    results = {}

    def failing():
        start = time.monotonic()
        results["status"] = server.as_user("alice", "wrong").get("/v2/").status_code
        results["elapsed"] = time.monotonic() - start

    threads = [threading.Thread(target=failing) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    start = time.monotonic()
    for _ in range(5):
        assert good.get("/v2/").status_code == 200
    assert time.monotonic() - start < 1.5, "good requests waited behind failed logins"
    for t in threads:
        t.join()
    assert results["status"] == 401 and results["elapsed"] >= 1.9
    start = time.monotonic()
    assert server.get("/v2/").status_code == 401
    assert time.monotonic() - start < 1.5


def test_no_password_in_any_log_line(auth_registry, tmp_path):
    """No password appears in the server log, even at debug level with failed logins."""
    secret = "pa55-" + random_bytes(8).hex()
    path = write_htpasswd(tmp_path / "htpasswd", {"alice": secret})
    audit = tmp_path / "audit.log"
    server = auth_registry(
        http_extra={"auth": {"htpasswd": {"path": str(path)}}},
        log_extra={"level": "debug", "audit": str(audit)},
    )
    alice = server.as_user("alice", secret)
    push_blob(alice, "logs/check", b"x" * 100)
    server.as_user("alice", secret + "-wrong").get("/v2/")
    server.as_user("alice", secret).post("/v2/logs/check/blobs/uploads/")
    server.stop()
    for text in (server.log_path.read_text(errors="replace"), audit.read_text()):
        assert secret not in text
        assert base64.b64encode(f"alice:{secret}".encode()).decode() not in text


# ============================================================================== real clients


def test_skopeo_with_creds_pushes_and_pulls(htpasswd_registry, repo, tmp_path):
    """`skopeo copy --dest-creds` pushes, `--src-creds` pulls back; without credentials skopeo is refused."""
    skopeo = require_tool("skopeo")
    img = build_runnable_image(2)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{htpasswd_registry.hostport}/{repo}:v1"
    creds = f"alice:{USERS['alice']}"
    run(skopeo, "copy", "--dest-tls-verify=false", "--dest-creds", creds, "--preserve-digests",
        f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "copy", "--src-tls-verify=false", "--src-creds", creds, ref, f"oci:{tmp_path / 'dst'}:v1")
    index = json.loads((tmp_path / "dst" / "index.json").read_text())
    assert [m["digest"] for m in index["manifests"]] == [img.digest]
    refused = run(skopeo, "inspect", "--tls-verify=false", "--no-creds", ref, check=False)
    assert refused.returncode != 0
    refused = run(skopeo, "inspect", "--tls-verify=false", "--creds", "alice:wrong", ref, check=False)
    assert refused.returncode != 0


def test_podman_login_push_and_pull(htpasswd_registry, repo, tmp_path):
    """`podman login` then push and pull; `podman logout` and the pull is refused."""
    from podman_support import Podman, load_local, podman_or_skip

    # podman refuses a runroot longer than 50 characters: keep its directories short.
    short = Path(tempfile.mkdtemp(prefix="zp-", dir="/tmp"))
    pusher = podman_or_skip(short, "a")
    try:
        auth_file = tmp_path / "auth.json"
        host = htpasswd_registry.hostport
        pusher.run("login", "--tls-verify=false", "--authfile", str(auth_file), "-u", "alice",
                   "-p", USERS["alice"], host)
        img = build_runnable_image(2)
        image_id = load_local(pusher, tmp_path, img, "a")
        ref = f"{host}/{repo}:v1"
        pusher.run("push", "--tls-verify=false", "--authfile", str(auth_file), image_id, f"docker://{ref}")
        puller = Podman(pusher.binary, short / "b")
        try:
            puller.run("pull", "--tls-verify=false", "--authfile", str(auth_file), ref)
            pusher.run("logout", "--authfile", str(auth_file), host)
            refused = puller.run("pull", "--tls-verify=false", "--authfile", str(auth_file), ref, check=False)
            assert refused.returncode != 0
            bad = pusher.run("login", "--tls-verify=false", "--authfile", str(auth_file), "-u", "alice",
                             "-p", "wrong", host, check=False)
            assert bad.returncode != 0
        finally:
            puller.cleanup()
    finally:
        pusher.cleanup()
        shutil.rmtree(short, ignore_errors=True)
