"""API keys (http.auth.apikey: true), driven with curl as zot-api.md "Using API keys" does.

zot-api.md: `POST /zot/auth/apikey` with `{label, scopes, expirationDate}` returns the key once (`zak_` and
32 hex digits); `GET` lists the caller's keys without it; `DELETE /zot/auth/apikey?id=<uuid>` revokes; the key
replaces the password in Basic auth. zot-behaviour.md: "Store only a hash of it."
"""

import datetime
import json
import re
import sqlite3
import time

import pytest

from auth_support import auth_registry, require_tool, run, write_htpasswd  # noqa: F401 (fixture)
from oci import assert_oci_error, build_image, push_blob, push_image

USERS = {"alice": "wonderland-1", "bob": "builder-2"}


@pytest.fixture
def server(auth_registry, tmp_path):
    path = write_htpasswd(tmp_path / "htpasswd", USERS)
    return auth_registry(
        http_extra={
            "auth": {"htpasswd": {"path": str(path)}, "apikey": True},
            "accessControl": {
                "repositories": {"**": {"defaultPolicy": ["read", "create", "update", "delete"]}},
            },
        }
    )


def curl(*args, expect_status=None):
    """curl as a user would type it; returns (status, parsed JSON body or text)."""
    binary = require_tool("curl")
    p = run(binary, "-sS", "-o", "-", "-w", "\n%{http_code}", *args)
    body, _, status = p.stdout.decode().rpartition("\n")
    status = int(status)
    if expect_status is not None:
        assert status == expect_status, f"curl {' '.join(args)} -> {status}: {body}"
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, body


def create_key(server, user="alice", **body):
    status, answer = curl("-u", f"{user}:{USERS[user]}", "-X", "POST", server.url("/zot/auth/apikey"),
                          "-H", "Content-Type: application/json", "-d", json.dumps(body), expect_status=201)
    return answer


def test_created_key_has_zots_shape_and_is_shown_once(server):
    answer = create_key(server, label="myAPIKEY", scopes=["repo1", "repo2"],
                        expirationDate="2099-08-28T17:10:05+03:00")
    assert re.fullmatch(r"zak_[0-9a-f]{32}", answer["apiKey"])
    for field in ("createdAt", "expirationDate", "isExpired", "creatorUa", "generatedBy", "lastUsed", "label",
                  "scopes", "uuid"):
        assert field in answer, field
    assert answer["label"] == "myAPIKEY" and answer["scopes"] == ["repo1", "repo2"]
    assert answer["isExpired"] is False and answer["generatedBy"] == "manual"
    assert answer["creatorUa"].startswith("curl/")
    assert answer["lastUsed"] == "0001-01-01T00:00:00Z"
    assert datetime.datetime.fromisoformat(answer["expirationDate"].replace("Z", "+00:00")) == \
        datetime.datetime(2099, 8, 28, 14, 10, 5, tzinfo=datetime.timezone.utc)
    _, listing = curl("-u", f"alice:{USERS['alice']}", server.url("/zot/auth/apikey"), expect_status=200)
    assert [k["uuid"] for k in listing["apiKeys"]] == [answer["uuid"]]
    assert "apiKey" not in listing["apiKeys"][0]
    assert answer["apiKey"] not in json.dumps(listing)


def test_key_replaces_the_password_for_curl(server, repo):
    """curl -u user:zak_… works for the catalog and for pushes; lastUsed is then set."""
    key = create_key(server, label="ci")["apiKey"]
    push_image(server.as_user("alice", USERS["alice"]), repo, "v1", build_image())
    status, catalog = curl("-u", f"alice:{key}", server.url("/v2/_catalog"), expect_status=200)
    assert repo in catalog["repositories"]
    push_blob(server.as_user("alice", key), repo, b"pushed with a key")
    _, listing = curl("-u", f"alice:{USERS['alice']}", server.url("/zot/auth/apikey"))
    assert listing["apiKeys"][0]["lastUsed"] != "0001-01-01T00:00:00Z"


def test_key_is_refused_for_another_user_and_after_revocation(server):
    answer = create_key(server)
    key, uuid = answer["apiKey"], answer["uuid"]
    assert_oci_error(server.as_user("bob", key).get("/v2/"), 401, "UNAUTHORIZED")
    assert server.as_user("alice", key).get("/v2/").status_code == 200
    # bob cannot revoke alice's key; alice can.
    status, _ = curl("-u", f"bob:{USERS['bob']}", "-X", "DELETE", server.url(f"/zot/auth/apikey?id={uuid}"))
    assert status == 404
    curl("-u", f"alice:{USERS['alice']}", "-X", "DELETE", server.url(f"/zot/auth/apikey?id={uuid}"), expect_status=200)
    assert_oci_error(server.as_user("alice", key).get("/v2/"), 401, "UNAUTHORIZED")
    _, listing = curl("-u", f"alice:{USERS['alice']}", server.url("/zot/auth/apikey"))
    assert listing["apiKeys"] == []


def test_expired_key_is_refused(server):
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).isoformat()
    key = create_key(server, expirationDate=soon)["apiKey"]
    assert server.as_user("alice", key).get("/v2/").status_code == 200
    time.sleep(2.5)
    assert_oci_error(server.as_user("alice", key).get("/v2/"), 401, "UNAUTHORIZED")
    _, listing = curl("-u", f"alice:{USERS['alice']}", server.url("/zot/auth/apikey"))
    assert listing["apiKeys"][0]["isExpired"] is True


def test_scopes_limit_the_key_to_those_repositories(server, repo):
    key = create_key(server, scopes=[f"{repo}/*"])["apiKey"]
    scoped = server.as_user("alice", key)
    push_blob(scoped, f"{repo}/inside", b"in scope")
    assert_oci_error(scoped.post(f"/v2/{repo}-outside/blobs/uploads/"), 403, "DENIED")
    push_image(server.as_user("alice", USERS["alice"]), f"{repo}-outside", "v1", build_image())
    assert_oci_error(scoped.get(f"/v2/{repo}-outside/manifests/v1"), 403, "DENIED")
    _, catalog = curl("-u", f"alice:{key}", server.url("/v2/_catalog"), expect_status=200)
    assert f"{repo}-outside" not in catalog["repositories"]


def test_keys_cannot_mint_keys(server):
    """Keys are managed after signing in with a password: a (scoped) key cannot create an unscoped one."""
    key = create_key(server, scopes=["only/this"])["apiKey"]
    status, _ = curl("-u", f"alice:{key}", "-X", "POST", server.url("/zot/auth/apikey"), "-d", "{}")
    assert status == 403
    status, _ = curl("-X", "POST", server.url("/zot/auth/apikey"), "-d", "{}")
    assert status == 401


@pytest.mark.parametrize(
    "body", ["not json", "[1,2]", '{"expirationDate": "tomorrow"}', '{"expirationDate": "2001-01-01T00:00:00Z"}',
             '{"scopes": ["[unclosed"]}', '{"label": 5}'],
)
def test_bad_key_requests_are_400(server, body):
    status, _ = curl("-u", f"alice:{USERS['alice']}", "-X", "POST", server.url("/zot/auth/apikey"), "-d", body)
    assert status == 400


def test_only_a_hash_of_the_key_is_stored(server):
    """The key is nowhere in the database file (nor its WAL) after creation and use."""
    key = create_key(server, label="stored")["apiKey"]
    assert server.as_user("alice", key).get("/v2/").status_code == 200
    server.stop()
    for path in server.state_dir.glob("zotd.db*"):
        data = path.read_bytes()
        assert key.encode() not in data and key[4:].encode() not in data, path.name
    with sqlite3.connect(server.state_dir / "zotd.db") as db:
        rows = db.execute("SELECT * FROM auth_api_key").fetchall()
    assert len(rows) == 1 and not any(key[4:] in str(column) for column in rows[0])
    server.start()
    assert server.as_user("alice", key).get("/v2/").status_code == 200  # and it survives a restart
