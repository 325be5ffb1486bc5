"""Access control (http.accessControl) against the real server: a table of users × repositories × actions,
anonymous and admin included, plus catalog filtering, immutable tags, mounts, metrics and the audit log.

zot-behaviour.md: "`repositories{"<glob>":{policies:[{users,groups,actions}],defaultPolicy,anonymousPolicy}}`,
`adminPolicy{users,groups,actions}`, `groups{"g":{users}}`, `metrics{users}`; actions `read`, `create`,
`update`, `delete`. Most specific glob wins. `**` spans slashes; `*` does not." The issue: "403 DENIED for
an authenticated caller without the right, 401 for an anonymous one."
"""

import json
import uuid

import pytest

from auth_support import auth_registry, write_htpasswd  # noqa: F401 (fixture)
from oci import assert_oci_error, build_image, push_blob, push_image, push_manifest, random_bytes, with_query

PASSWORD = "pw-{}"
USERS = ["alice", "mallory", "charlie", "jack", "mary", "admin", "boss", "nobody", "metrics"]

ACCESS_CONTROL = {
    "groups": {"group1": {"users": ["jack", "jane"]}, "admins": {"users": ["boss"]}},
    "repositories": {
        "**": {
            "policies": [
                {"users": ["charlie"], "groups": ["group1"], "actions": ["read", "create", "update"]},
                {"users": ["mary"], "actions": ["read", "create", "update", "delete"]},
            ],
            "defaultPolicy": ["read"],
            "anonymousPolicy": ["read"],
        },
        "tmp/**": {"defaultPolicy": ["read", "create", "update", "delete"], "anonymousPolicy": ["read", "create"]},
        "infra/*": {
            "policies": [
                {"users": ["alice"], "actions": ["read", "create", "update", "delete"]},
                {"users": ["mallory"], "actions": ["read", "create"]},
            ],
            "defaultPolicy": ["read"],
        },
        "secret/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]},
    },
    "adminPolicy": {"users": ["admin"], "groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
    "metrics": {"users": ["metrics"]},
}

# (user or None for anonymous, repository, the actions allowed: r c u d)
MATRIX = [
    (None, "app", "r"), (None, "tmp/x/y", "rc"), (None, "infra/db", "-"), (None, "infra/db/sub", "r"),
    (None, "secret/s", "-"),
    ("alice", "app", "r"), ("alice", "tmp/x/y", "rcud"), ("alice", "infra/db", "rcud"), ("alice", "secret/s", "r"),
    ("mallory", "app", "r"), ("mallory", "infra/db", "rc"), ("mallory", "secret/s", "-"), ("mallory", "tmp/x/y", "rcud"),
    ("charlie", "app", "rcu"), ("charlie", "infra/db", "r"), ("charlie", "infra/db/sub", "rcu"),
    ("charlie", "secret/s", "-"),
    ("jack", "app", "rcu"), ("jack", "infra/db", "r"),
    ("mary", "app", "rcud"), ("mary", "infra/db", "r"), ("mary", "secret/s", "-"),
    ("admin", "app", "rcud"), ("admin", "infra/db", "rcud"), ("admin", "secret/s", "rcud"),
    ("boss", "secret/s", "rcud"), ("boss", "infra/db/sub", "rcud"),
    ("nobody", "app", "r"), ("nobody", "tmp/x/y", "rcud"), ("nobody", "infra/db", "r"), ("nobody", "secret/s", "-"),
]
REPOSITORIES = sorted({repo for _, repo, _ in MATRIX})


@pytest.fixture(scope="module")
def module_server(request, zotd_binary, tmp_path_factory):
    """One server for the module's tests (they only add tags and uploads of their own)."""
    from auth_support import AuthServer

    workdir = tmp_path_factory.mktemp("access")
    htpasswd = write_htpasswd(workdir / "htpasswd", {u: PASSWORD.format(u) for u in USERS})
    audit = workdir / "audit.log"
    server = AuthServer(
        zotd_binary, workdir / "server",
        http_extra={"realm": "zotd-e2e", "auth": {"htpasswd": {"path": str(htpasswd)}},
                    "accessControl": ACCESS_CONTROL},
        log_extra={"audit": str(audit)},
        extensions={"metrics": {"enable": True, "prometheus": {"path": "/metrics"}}},
    )
    server.audit_path = audit
    (workdir / "server").mkdir()
    server.start()
    admin = server.as_user("admin", PASSWORD.format("admin"))
    server.base_image = build_image()
    server.other_image = build_image()
    for repo in REPOSITORIES:
        push_image(admin, repo, "base", server.base_image)
        for blob in server.other_image.blobs:
            push_blob(admin, repo, blob.data)
    yield server
    crashed = server.crashed()
    server.stop()
    assert not crashed, f"zotd exited on its own\n{server.log_tail()}"


@pytest.fixture
def server(request, module_server):
    request.node._zotd_servers = [module_server]
    return module_server


def client(server, user):
    return server.as_user(user, PASSWORD.format(user) if user else None)


def attempt(server, user, repo, action):
    """Performs `action` as `user` on `repo` and returns the response."""
    c = client(server, user)
    if action == "r":
        return c.get(f"/v2/{repo}/tags/list")
    if action == "c":
        return c.post(f"/v2/{repo}/blobs/uploads/")
    if action == "u":
        # an existing tag moved to other content
        tag = f"u-{uuid.uuid4().hex[:8]}"
        push_manifest(client(server, "admin"), repo, tag, server.base_image.manifest)
        return c.put(f"/v2/{repo}/manifests/{tag}", data=server.other_image.manifest.data,
                     headers={"Content-Type": server.other_image.manifest.media_type})
    if action == "d":
        return c.delete(f"/v2/{repo}/manifests/sha256:{'0' * 64}")
    raise AssertionError(action)


@pytest.mark.parametrize("user,repo,allowed", MATRIX, ids=[f"{u or 'anonymous'}-{r}" for u, r, _ in MATRIX])
def test_access_matrix(server, user, repo, allowed):
    """Every caller × repository × action: allowed ones are served (2xx, or 404 for the missing manifest a
    delete names); refused ones are 403 DENIED for a signed-in caller, 401 UNAUTHORIZED with the Basic
    challenge for an anonymous one."""
    for action in "rcud":
        r = attempt(server, user, repo, action)
        where = f"{user or 'anonymous'} {action} {repo}"
        if action in allowed:
            assert r.status_code not in (401, 403), f"{where}: refused with {r.status_code} {r.text}"
            assert r.status_code < 300 or (action == "d" and r.status_code == 404), f"{where}: {r.status_code} {r.text}"
        elif user is None:
            assert_oci_error(r, 401, "UNAUTHORIZED")
            assert r.headers.get("WWW-Authenticate") == 'Basic realm="zotd-e2e"', where
        else:
            assert_oci_error(r, 403, "DENIED")


@pytest.mark.parametrize("user", [None, "alice", "mallory", "charlie", "admin", "nobody"])
def test_catalog_lists_only_what_the_caller_may_read(server, user):
    readable = {repo for u, repo, allowed in MATRIX if u == user and "r" in allowed}
    hidden = {repo for u, repo, allowed in MATRIX if u == user and "r" not in allowed}
    r = client(server, user).get("/v2/_catalog")
    assert r.status_code == 200
    listed = set(r.json()["repositories"])
    assert readable <= listed and not (hidden & listed), f"{user}: {sorted(listed)}"
    # paging counts only visible repositories and never leaks the others
    seen, last = [], None
    while True:
        params = {"n": 1} if last is None else {"n": 1, "last": last}
        page = client(server, user).get(with_query("/v2/_catalog", params))
        names = page.json()["repositories"]
        seen += names
        if "Link" not in page.headers:
            break
        last = names[-1]
    assert set(seen) == listed and len(seen) == len(listed)


def test_tags_without_update_are_immutable(server):
    """mallory may create in infra/db but not update: a new tag works, moving an existing tag to other
    content is 403, re-pushing the same content to it is fine, and `latest` stays movable as in zot."""
    mallory = client(server, "mallory")
    tag = f"v-{uuid.uuid4().hex[:8]}"
    base, other = server.base_image.manifest, server.other_image.manifest
    assert mallory.put(f"/v2/infra/db/manifests/{tag}", data=base.data,
                       headers={"Content-Type": base.media_type}).status_code == 201
    assert_oci_error(mallory.put(f"/v2/infra/db/manifests/{tag}", data=other.data,
                                 headers={"Content-Type": other.media_type}), 403, "DENIED")
    assert mallory.put(f"/v2/infra/db/manifests/{tag}", data=base.data,
                       headers={"Content-Type": base.media_type}).status_code == 201
    assert client(server, "admin").get(f"/v2/infra/db/manifests/{tag}").content == base.data
    # a push by digest that would also move the tag through ?tag= is refused the same way
    r = mallory.put(with_query(f"/v2/infra/db/manifests/{other.digest}", {"tag": tag}), data=other.data,
                    headers={"Content-Type": other.media_type})
    assert_oci_error(r, 403, "DENIED")
    for manifest in (base, other):
        assert mallory.put("/v2/infra/db/manifests/latest", data=manifest.data,
                           headers={"Content-Type": manifest.media_type}).status_code == 201


def test_mount_needs_read_on_the_source(server):
    """A mount from a repository the caller may not read falls back to an ordinary upload (202): nothing
    tells them whether the blob is there. With read access it mounts (201)."""
    secret = random_bytes(2048)
    digest = push_blob(client(server, "admin"), "secret/s", secret)
    params = {"mount": digest, "from": "secret/s"}
    r = client(server, "mallory").post(with_query("/v2/tmp/x/y/blobs/uploads/", params))
    assert r.status_code == 202, r.text
    assert_oci_error(client(server, "mallory").get(f"/v2/tmp/x/y/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    r = client(server, "alice").post(with_query("/v2/tmp/x/y/blobs/uploads/", params))
    assert r.status_code == 201, r.text


def test_a_mount_without_from_needs_read_on_some_repository_holding_the_blob(server):
    """zot's automatic cross-repository mount (no `from`): 201 when a repository the caller may read holds
    the blob, else an ordinary upload (202) that tells nothing of the blob."""
    digest = push_blob(client(server, "admin"), "secret/s", random_bytes(2048))
    r = client(server, "mallory").post(with_query("/v2/tmp/x/y/blobs/uploads/", {"mount": digest}))
    assert r.status_code == 202, r.text
    assert_oci_error(client(server, "mallory").get(f"/v2/tmp/x/y/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    r = client(server, "alice").post(with_query("/v2/tmp/x/y/blobs/uploads/", {"mount": digest}))
    assert r.status_code == 201, r.text
    assert client(server, "alice").get(f"/v2/tmp/x/y/blobs/{digest}").status_code == 200


# The User-Agents docker sends: the engine proxying for the CLI, and the CLI itself (zot's controller_test.go).
DOCKER_ENGINE = "docker/26.1.3 go/go1.22.2 git-commit/8e96db1 kernel/6.1.0 os/linux arch/amd64 UpstreamClient(Docker-Client/26.1.3 (linux))"
DOCKER_CLI = "Docker-Client/26.1.3 (linux)"


@pytest.mark.parametrize("agent", [DOCKER_ENGINE, DOCKER_CLI], ids=["engine", "cli"])
def test_docker_asking_v2_without_credentials_is_challenged_where_anonymous_and_signed_in_access_mix(server, agent):
    """docker reads a 200 here as "no auth anywhere" and would never send its stored credentials."""
    r = client(server, None).get("/v2/", headers={"User-Agent": agent})
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_docker_with_credentials_and_other_clients_without_get_v2(server):
    assert client(server, "alice").get("/v2/", headers={"User-Agent": DOCKER_ENGINE}).status_code == 200
    for agent in ("skopeo/1.13.3", "containers/5.25.0 (github.com/containers/image)", "oras/1.2.0", "curl/7.88.1"):
        assert client(server, None).get("/v2/", headers={"User-Agent": agent}).status_code == 200, agent


def test_metrics_are_for_the_metrics_users(server):
    """accessControl.metrics.users: anonymous callers are asked to log in, other users are denied."""
    assert_oci_error(server.get("/metrics"), 401, "UNAUTHORIZED")
    assert_oci_error(client(server, "alice").get("/metrics"), 403, "DENIED")
    assert client(server, "metrics").get("/metrics").status_code not in (401, 403)


def test_audit_log_has_one_line_per_mutating_request(server):
    """log.audit: one JSON line per POST/PUT/PATCH/DELETE with who, what, repository, reference and status;
    reads are not audited."""
    marker = f"audit-{uuid.uuid4().hex[:8]}"
    client(server, "alice").get(f"/v2/tmp/{marker}/tags/list")
    client(server, "alice").post(f"/v2/tmp/{marker}/blobs/uploads/")
    client(server, "mallory").delete(f"/v2/infra/db/manifests/{marker}")
    client(server, None).delete(f"/v2/tmp/{marker}/manifests/sha256:{'0' * 64}")
    lines = [json.loads(line) for line in server.audit_path.read_text().splitlines() if marker in line]
    assert [(l["subject"], l["action"], l["status"]) for l in lines] == [
        ("alice", "POST", 202), ("mallory", "DELETE", 403), ("", "DELETE", 401)]
    assert lines[0]["repository"] == f"tmp/{marker}" and lines[0]["object"] == f"/v2/tmp/{marker}/blobs/uploads/"
    assert lines[1]["reference"] == marker and lines[1]["repository"] == "infra/db"
    for line in lines:
        assert line["message"] == "HTTP API Audit" and line["clientIP"] == "127.0.0.1" and "time" in line


def test_anonymous_policy_without_authentication(auth_registry, repo):
    """accessControl without http.auth (zot's config-anonymous-authz.json): everyone is anonymous and gets
    exactly the anonymousPolicy of the most specific pattern."""
    server = auth_registry(http_extra={"accessControl": {"repositories": {
        "**": {"anonymousPolicy": ["read", "create"]},
        "infra/**": {"anonymousPolicy": ["read"]},
    }}})
    assert server.get("/v2/").status_code == 200
    assert server.get("/v2/", headers={"User-Agent": DOCKER_ENGINE}).status_code == 200  # nothing to log in to
    push_image(server, repo, "v1", build_image())
    assert server.get(f"/v2/{repo}/manifests/v1").status_code == 200
    assert_oci_error(server.post("/v2/infra/x/blobs/uploads/"), 401, "UNAUTHORIZED")
    assert_oci_error(server.delete(f"/v2/{repo}/manifests/v1"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "user,path",
    [
        ("nobody", "/v2/secret%2Fs/manifests/base"),
        ("nobody", "/v2/secret%2fs/tags/list"),
        ("nobody", "/v2/%73ecret/s/tags/list"),
        (None, "/v2/infra%2Fdb/tags/list"),
        ("mallory", "/v2/secret/s/../s/tags/list"),
        ("nobody", "/v2/secret//s/tags/list"),
        ("alice", "/%6detrics"),
    ],
)
def test_encoded_or_odd_paths_do_not_escape_the_policy(server, user, path):
    """Attack: a repository name the policy check and the router could read differently (percent-encoded
    slashes or letters, dot segments, empty segments). Never served to a caller without the right."""
    r = client(server, user).get(path)
    assert r.status_code not in range(200, 300), f"{path}: {r.status_code} {r.text[:200]}"
