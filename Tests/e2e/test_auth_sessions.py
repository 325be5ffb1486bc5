"""Sessions: `POST /zot/auth/login` with Basic credentials sets an HttpOnly session cookie that signs the
browser in; `POST /zot/auth/logout` ends it; sessions are kept in the database and survive a restart."""

import pytest
import requests

from auth_support import auth_registry, write_htpasswd  # noqa: F401 (fixture)
from oci import assert_oci_error

USERS = {"alice": "wonderland-1"}


@pytest.fixture
def server(auth_registry, tmp_path):
    path = write_htpasswd(tmp_path / "htpasswd", USERS)
    return auth_registry(http_extra={"auth": {"htpasswd": {"path": str(path)}, "apikey": True}})


def login(server) -> requests.Response:
    r = server.as_user("alice", USERS["alice"]).post("/zot/auth/login")
    assert r.status_code == 200, r.text
    return r


def test_login_sets_an_http_only_strict_cookie(server):
    cookie = login(server).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP here; over TLS the cookie is Secure


def test_cookie_signs_in_until_logout(server):
    browser = requests.Session()
    browser.cookies.update(login(server).cookies)
    assert browser.get(server.url("/v2/_catalog")).status_code == 200
    assert browser.get(server.url("/zot/auth/apikey")).status_code == 200
    r = browser.post(server.url("/zot/auth/logout"))
    assert r.status_code == 200 and "max-age=0" in r.headers["Set-Cookie"].lower()
    stale = requests.Session()
    stale.cookies.set("session", login(server).cookies["session"])
    stale.post(server.url("/zot/auth/logout"))
    assert_oci_error(stale.get(server.url("/v2/_catalog")), 401, "UNAUTHORIZED")


def test_session_survives_a_restart(server):
    token = login(server).cookies["session"]
    server.restart()
    browser = requests.Session()
    browser.cookies.set("session", token)
    assert browser.get(server.url("/v2/")).status_code == 200


def test_login_needs_a_password(server):
    """No credentials, a wrong password, a forged cookie or an API key do not open a session."""
    assert_oci_error(server.post("/zot/auth/login"), 401, "UNAUTHORIZED")
    assert_oci_error(server.as_user("alice", "wrong").post("/zot/auth/login"), 401, "UNAUTHORIZED")
    forged = requests.Session()
    forged.cookies.set("session", "0" * 64)
    assert_oci_error(forged.post(server.url("/zot/auth/login")), 401, "UNAUTHORIZED")
    key = server.as_user("alice", USERS["alice"]).post("/zot/auth/apikey", json={}).json()["apiKey"]
    assert_oci_error(server.as_user("alice", key).post("/zot/auth/login"), 401, "UNAUTHORIZED")


def test_session_token_is_not_stored_in_clear(server):
    token = login(server).cookies["session"]
    server.stop()
    for path in server.state_dir.glob("zotd.db*"):
        assert token.encode() not in path.read_bytes()
