"""Pages that name repositories show a caller only what it may read: `/metrics` under access control, and
the scrub extension's report. Found by a probe (issue "two repository-name leaks"): bob, who may read
nothing of alice's, saw `zot_repo_downloads_total{repo="alice/app"}` on /metrics, and an anonymous caller
saw `zot_scrub_problems{repo="alice/app"}` on /v2/_zot/ext/scrub."""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from auth_support import AuthServer, write_htpasswd
from oci import assert_oci_error, build_image, push_image

USERS = {"alice": "alicepw", "bob": "bobpw", "watcher": "watcherpw"}
ACCESS_CONTROL = {
    "repositories": {
        "alice/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]}]},
        "public/**": {"defaultPolicy": ["read", "create"], "anonymousPolicy": ["read"]},
    },
}


def _labels(zotd_binary):
    return subprocess.run([zotd_binary, "--version"], capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
def guarded(request, zotd_binary):
    """Starts a zotd with htpasswd users, ACCESS_CONTROL (plus `access_extra`) and the given extensions."""
    servers = []

    def start(extensions, access_extra=None):
        workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-leaks-"))
        htpasswd = write_htpasswd(workdir / "htpasswd", USERS)
        server = AuthServer(
            zotd_binary, workdir / "server",
            http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}},
                        "accessControl": {**ACCESS_CONTROL, **(access_extra or {})}},
            extensions=extensions)
        (workdir / "server").mkdir()
        server.start()
        servers.append((server, workdir))
        request.node._zotd_servers = [s for s, _ in servers]
        return server

    yield start
    for server, workdir in servers:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.parametrize("path_setting", ["/metrics", ""])
def test_metrics_are_refused_when_access_control_lists_no_metrics_users(guarded, zotd_binary, path_setting):
    """zot's MetricsAuthzHandler: with accessControl and no `metrics.users`, /metrics is for nobody signed in
    (403) and asks anonymous callers to log in (401). `"path": ""` serves the page at /metrics and guards it
    the same; `/metrics/` is the same page to the router, and so to the guard."""
    if "metrics" not in _labels(zotd_binary):
        pytest.skip("zotd was built without the metrics extension")
    server = guarded({"metrics": {"enable": True, "prometheus": {"path": path_setting}}})
    push_image(server.as_user("alice", USERS["alice"]), "alice/app", "v1", build_image())
    assert server.as_user("alice", USERS["alice"]).get("/v2/alice/app/manifests/v1").status_code == 200
    for path in ["/metrics", "/metrics/", "//metrics"]:
        bob = server.as_user("bob", USERS["bob"]).get(path)
        assert_oci_error(bob, 403, "DENIED")
        assert "alice/app" not in bob.text
        assert_oci_error(server.as_user("alice", USERS["alice"]).get(path), 403, "DENIED")
        assert_oci_error(server.get(path), 401, "UNAUTHORIZED")


def test_metrics_users_still_read_every_repository(guarded, zotd_binary):
    """Listing a user in `accessControl.metrics.users` is how an operator lets Prometheus in."""
    if "metrics" not in _labels(zotd_binary):
        pytest.skip("zotd was built without the metrics extension")
    server = guarded({"metrics": {"enable": True}}, {"metrics": {"users": ["watcher"]}})
    push_image(server.as_user("alice", USERS["alice"]), "alice/app", "v1", build_image())
    assert server.as_user("alice", USERS["alice"]).get("/v2/alice/app/manifests/v1").status_code == 200
    page = server.as_user("watcher", USERS["watcher"]).get("/metrics")
    assert page.status_code == 200, page.text
    assert 'repo="alice/app"' in page.text
    assert_oci_error(server.as_user("bob", USERS["bob"]).get("/metrics"), 403, "DENIED")


def _corrupt_first_layer(server, image):
    alg, hexpart = image.layers[0].digest.split(":")
    path = server.state_dir / "blobs" / alg / hexpart[:2] / hexpart
    path.write_bytes(b"\0" * image.layers[0].size)


def _wait_for_scrub(client, text_wanted, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text_wanted in client.get("/v2/_zot/ext/scrub").text:
            return
        time.sleep(0.2)
    raise AssertionError(f"no scrub report with {text_wanted!r}")


def test_scrub_report_names_only_repositories_the_caller_may_read(guarded, zotd_binary):
    """The scrub page lists problems per repository: an anonymous caller sees the public repository's,
    bob (who may read public/** only) the same, alice hers too; totals count what each one sees."""
    if "scrub" not in _labels(zotd_binary):
        pytest.skip("zotd was built without the scrub extension")
    server = guarded({"scrub": {"interval": "300ms", "rateMiBPerSecond": 0}})
    alice = server.as_user("alice", USERS["alice"])
    private, public = build_image(layer_sizes=(3_000,)), build_image(layer_sizes=(4_000,))
    push_image(alice, "alice/app", "v1", private)
    push_image(alice, "public/app", "v1", public)
    _corrupt_first_layer(server, private)
    _corrupt_first_layer(server, public)
    _wait_for_scrub(alice, 'zot_scrub_problems{repo="alice/app"} 1')

    for caller in [server, server.as_user("bob", USERS["bob"])]:
        text = caller.get("/v2/_zot/ext/scrub").text
        assert 'zot_scrub_problems{repo="public/app"} 1' in text, text
        assert "alice/app" not in text, text
        assert "zot_scrub_problems_total 1\n" in text, text
    text = alice.get("/v2/_zot/ext/scrub").text
    assert 'zot_scrub_problems{repo="alice/app"} 1' in text and "zot_scrub_problems_total 2\n" in text, text
