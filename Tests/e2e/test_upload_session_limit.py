"""`http.maxUploadSessionsPerClient` (zotd's own key; zot has no such limit): one client — the authenticated
user, else the IP address — may hold at most that many resumable upload sessions open. Beyond it, `POST
/v2/<name>/blobs/uploads/` gets 429 TOOMANYREQUESTS, the spec's code for "the client is sending too many
requests". A session counts from the POST that opens it until the PUT that completes it, the DELETE that
cancels it, or a failure that discards it; monolithic pushes and mounts open none."""

import socket

import pytest

from auth_support import auth_registry, write_htpasswd  # noqa: F401 (fixture)
from oci import OCTET_STREAM, assert_oci_error, push_blob, random_bytes, sha256_digest, start_upload, with_query

LIMIT = 3
USERS = {"alice": "wonderland-1", "bob": "builder-2"}


@pytest.fixture
def limited(auth_registry):
    """A zotd without authentication: clients are told apart by address."""
    return auth_registry(http_extra={"maxUploadSessionsPerClient": LIMIT})


@pytest.fixture
def limited_with_users(auth_registry, tmp_path):
    path = write_htpasswd(tmp_path / "htpasswd", USERS)
    return auth_registry(http_extra={"maxUploadSessionsPerClient": LIMIT, "auth": {"htpasswd": {"path": str(path)}}})


def open_sessions(client, repo, count=LIMIT) -> list:
    return [start_upload(client, repo) for _ in range(count)]


def post_session(client, repo):
    return client.post(f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})


def assert_refused_for_the_limit(r):
    error = assert_oci_error(r, 429, "TOOMANYREQUESTS")
    assert "maxUploadSessionsPerClient" in (error.get("detail") or ""), error


def test_post_beyond_the_limit_gets_429_toomanyrequests(limited, repo):
    """The limit-th session opens; the next POST from the same client is refused with 429
    TOOMANYREQUESTS, and the detail names the setting."""
    open_sessions(limited, repo)
    assert_refused_for_the_limit(post_session(limited, repo))


def test_limit_counts_sessions_in_every_repository(limited, repo):
    """The count is per client, not per repository."""
    open_sessions(limited, repo + "-a", 2)
    start_upload(limited, repo + "-b")
    assert_refused_for_the_limit(post_session(limited, repo + "-c"))


def test_completing_a_session_frees_a_slot(limited, repo):
    """A PUT that completes a session ends it: the client may open another."""
    urls = open_sessions(limited, repo)
    data = random_bytes(1024)
    r = limited.put(with_query(urls[0], {"digest": sha256_digest(data)}), data=data,
                    headers={"Content-Type": OCTET_STREAM})
    assert r.status_code == 201, r.text
    assert post_session(limited, repo).status_code == 202


def test_cancelling_a_session_frees_a_slot(limited, repo):
    """A DELETE that cancels a session ends it: the client may open another."""
    urls = open_sessions(limited, repo)
    assert limited.delete(urls[0]).status_code == 204
    assert post_session(limited, repo).status_code == 202


def test_a_put_with_the_wrong_digest_frees_its_slot(limited, repo):
    """A digest mismatch discards the upload (the session is gone, the client must start over), so it no
    longer counts."""
    urls = open_sessions(limited, repo)
    r = limited.put(with_query(urls[0], {"digest": sha256_digest(b"other")}), data=b"content",
                    headers={"Content-Type": OCTET_STREAM})
    assert_oci_error(r, 400, "DIGEST_INVALID")
    assert post_session(limited, repo).status_code == 202


def test_monolithic_push_is_not_refused_at_the_limit(limited, repo):
    """`POST ?digest=` stores a blob in one request and leaves no session open: not counted, not refused."""
    open_sessions(limited, repo)
    data = random_bytes(2048)
    r = limited.post(f"/v2/{repo}/blobs/uploads/?digest={sha256_digest(data)}", data=data,
                     headers={"Content-Type": OCTET_STREAM})
    assert r.status_code == 201, r.text


def test_mount_is_not_refused_at_the_limit(limited, repo):
    """A successful cross-repository mount opens no session: not refused at the limit."""
    digest = push_blob(limited, repo + "-source", random_bytes(512))
    open_sessions(limited, repo)
    r = limited.post(f"/v2/{repo}/blobs/uploads/?mount={digest}&from={repo}-source")
    assert r.status_code == 201, r.text


def test_another_address_has_its_own_count(limited, repo):
    """Without authentication the client is its address: a connection from 127.0.0.2 may still open
    sessions while 127.0.0.1 is at its limit."""
    open_sessions(limited, repo)
    assert_refused_for_the_limit(post_session(limited, repo))
    with socket.create_connection((limited.host, limited.port), timeout=10, source_address=("127.0.0.2", 0)) as s:
        s.sendall(f"POST /v2/{repo}/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        status_line = s.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.split(b" ")[1] == b"202", status_line


def test_another_user_has_their_own_count(limited_with_users, repo):
    """With authentication the client is the user name: bob may open sessions while alice, on the same
    address, is at her limit."""
    alice = limited_with_users.as_user("alice", USERS["alice"])
    bob = limited_with_users.as_user("bob", USERS["bob"])
    open_sessions(alice, repo)
    assert_refused_for_the_limit(post_session(alice, repo))
    assert post_session(bob, repo).status_code == 202
