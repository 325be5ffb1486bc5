"""zot's web UI (zui) logs in and out against zotd exactly as against zot.

Each test sends the requests zui sends (github.com/project-zot/zui @ fbbd3594), byte for byte where it
matters, and checks what zui reads from the answer, as zot answers it (github.com/project-zot/zot @ 6d19b445):
- `src/api.js`: once `GET /v2/_zot/ext/mgmt` says auth is on, every other request carries
  `X-ZOT-API-CLIENT: zot-ui`; after login it carries the session cookie and no `Authorization`. A 401 makes zui
  call `POST /zot/auth/logout` (with no body).
- `src/components/Login/SignIn.jsx`: login is `GET /v2/` with `Authorization: Basic …` and the header;
  200 means logged in.
- `src/utilities/authUtilities.js`: zui knows it is logged in from the `user` cookie in `document.cookie`.
- `src/components/User/APIKeys/*`: API keys are created, listed and revoked with the session.
- `src/components/Shared/DeleteTag.jsx`: a tag is deleted with `DELETE /v2/<repo>/manifests/<tag>`, 202.
zot's side: `pkg/api/authn.go` (`basicAuthn`, `sessionAuthn`, `authFail`, `saveUserLoggedSession`),
`pkg/api/routes.go` (`Logout`, API keys, `DeleteManifest`), `pkg/extensions/extension_mgmt.go`.
"""

from __future__ import annotations

import base64
import datetime

import pytest
import requests

from auth_support import CertificateAuthority, TokenSigner, auth_registry, write_htpasswd  # noqa: F401 (fixture)
from oci import assert_oci_error, build_image, push_image

USERS = {"alice": "wonderland-1"}
UI = {"X-ZOT-API-CLIENT": "zot-ui"}
#: axios's default Accept, which zui's login request keeps (it passes no getRequestCfg()).
AXIOS_ACCEPT = "application/json, text/plain, */*"
MGMT = "/v2/_zot/ext/mgmt"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def set_cookies(response: requests.Response) -> dict:
    """Every `Set-Cookie` of `response`, by cookie name, as the attribute list a browser reads (lower-cased
    attribute names; the first entry is `name=value`)."""
    cookies = {}
    for header in response.raw.headers.getlist("Set-Cookie"):
        parts = [p.strip() for p in header.split(";")]
        name = parts[0].split("=", 1)[0]
        cookies[name] = [parts[0]] + [p.lower() for p in parts[1:]]
    return cookies


class Browser:
    """zui in a browser tab: a cookie jar (same-origin XHRs always send cookies) and zui's header."""

    def __init__(self, server):
        self.server = server
        self.http = server._session()
        self.http.headers.update(UI)

    def login(self, user="alice", password=USERS["alice"]) -> requests.Response:
        """SignIn.jsx `handleBasicAuth`: `api.get(/v2/, {headers: {Authorization}})`."""
        return self.http.get(
            self.server.url("/v2/"), headers={"Authorization": basic(user, password), "Accept": AXIOS_ACCEPT},
            timeout=30)

    def request(self, method, path, **kw) -> requests.Response:
        """api.js `api.get/post/delete`: `Accept: application/json`, cookies, the header; no Authorization."""
        headers = {"Accept": "application/json", **kw.pop("headers", {})}
        return self.http.request(method, self.server.url(path), headers=headers, timeout=30, **kw)

    def logout(self) -> requests.Response:
        """api.js `logoutUser`: `api.post(/zot/auth/logout)`, no body, so no Content-Type."""
        return self.request("POST", "/zot/auth/logout")


@pytest.fixture
def htpasswd(tmp_path):
    return write_htpasswd(tmp_path / "htpasswd", USERS)


@pytest.fixture
def server(auth_registry, htpasswd):
    """htpasswd and API keys, no anonymous access: zui's usual set-up."""
    return auth_registry(http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}, "apikey": True}},
                         extensions={"mgmt": {}})


@pytest.fixture
def browser(server) -> Browser:
    b = Browser(server)
    assert b.login().status_code == 200
    return b


# ------------------------------------------------------------------------------------------------ login


def test_login_sets_the_session_cookie_and_a_user_cookie_zui_can_read(server):
    r = Browser(server).login()
    assert r.status_code == 200, r.text
    cookies = set_cookies(r)
    session, user = cookies["session"], cookies["user"]
    assert "httponly" in session and "path=/" in session and "max-age=7200" in session
    assert user[0] == "user=alice"
    assert "path=/" in user and "max-age=7200" in user
    assert "httponly" not in user  # zui reads it with document.cookie
    assert "secure" not in session + user  # plain HTTP here


def test_cookies_are_secure_over_tls(auth_registry, htpasswd, tmp_path):
    ca = CertificateAuthority(tmp_path / "pki")
    cert, key = ca.issue("server", "127.0.0.1", server=True)
    server = auth_registry(
        http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}}, "tls": {"cert": str(cert), "key": str(key)}},
        ca=ca.cert)
    cookies = set_cookies(Browser(server).login())
    assert "secure" in cookies["session"] and "secure" in cookies["user"]


def test_plain_basic_callers_get_no_cookies(server):
    """docker and skopeo send the password every time: zot saves a session only for the UI header."""
    r = server.as_user("alice", USERS["alice"]).get("/v2/")
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers


def test_a_wrong_password_from_zui_opens_no_session(server):
    r = Browser(server).login(password="wrong")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert "Set-Cookie" not in r.headers


def test_later_requests_sign_in_by_the_cookie_and_header_alone(browser, server, repo):
    push_image(server.as_user("alice", USERS["alice"]), repo, "v1", build_image())
    r = browser.request("GET", "/v2/_catalog")
    assert r.status_code == 200, r.text
    assert repo in r.json()["repositories"]
    assert browser.request("GET", "/v2/").status_code == 200


# -------------------------------------------------------------------------------------------------- 401


def test_401_to_zui_has_no_www_authenticate(server):
    """authFail: "don't send auth headers if request is coming from UI" (no browser login dialog)."""
    r = Browser(server).request("GET", "/v2/_catalog")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert "WWW-Authenticate" not in r.headers


def test_401_to_other_clients_has_the_basic_challenge(server):
    r = server.get("/v2/_catalog")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_zui_guest_check_is_401_without_anonymous_access(server):
    """SignIn.jsx asks `GET /v2/` with the header and no credentials; 200 would offer "Continue as guest"."""
    r = Browser(server).request("GET", "/v2/")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert "WWW-Authenticate" not in r.headers


# ----------------------------------------------------------------------------------------------- logout


def test_logout_expires_the_session_and_the_old_cookie_gets_401(browser, server):
    old = browser.http.cookies["session"]
    r = browser.logout()
    assert r.status_code == 200 and r.json() == {}
    assert "max-age=0" in set_cookies(r)["session"]
    assert "session" not in browser.http.cookies  # the browser dropped it
    replay = Browser(server)
    replay.http.cookies.set("session", old)
    r = replay.request("GET", "/v2/_catalog")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert "WWW-Authenticate" not in r.headers


def test_logout_also_expires_the_user_cookie(browser):
    """zot leaves `user` to zui, whose deletion (no Path) misses it on pages below `/`; zotd expires it."""
    r = browser.logout()
    assert "max-age=0" in set_cookies(r)["user"] and "path=/" in set_cookies(r)["user"]
    assert "user" not in browser.http.cookies


def test_logout_without_a_session_answers_200(server):
    """zui logs out after any 401, so with no cookie or a dead one; zot registers logout outside authn."""
    r = Browser(server).logout()
    assert r.status_code == 200 and r.json() == {}
    stale = Browser(server)
    stale.http.cookies.set("session", "0" * 64)
    assert stale.logout().status_code == 200


# ------------------------------------------------------------------------------------------------- mgmt


def mgmt(server) -> dict:
    """SignIn.jsx: `GET /v2/_zot/ext/mgmt`, no query, no header (api.js leaves it out here), no credentials."""
    r = server._session().get(server.url(MGMT), headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    for key in ("distSpecVersion", "commit", "releaseTag", "binaryType"):
        assert isinstance(body[key], str), key
    return body


def test_mgmt_tells_zui_to_show_the_password_form_and_api_keys(server):
    assert mgmt(server)["http"] == {"auth": {"htpasswd": {}, "apikey": True}}


def test_mgmt_names_the_token_server_with_bearer_auth(auth_registry, tmp_path):
    signer = TokenSigner(tmp_path)
    bearer = {"realm": "https://auth.example.test/token", "service": "zotd-e2e"}
    server = auth_registry(http_extra={"auth": {"bearer": {**bearer, "cert": str(signer.cert_path)}}},
                           extensions={"mgmt": {}})
    assert mgmt(server)["http"] == {"auth": {"bearer": bearer}}


def test_mgmt_without_auth_tells_zui_everyone_is_logged_in(auth_registry):
    assert mgmt(auth_registry(extensions={"mgmt": {}}))["http"] == {}


# --------------------------------------------------------------------------------------------- API keys


def luxon_end_of_day(days: int) -> str:
    """What zui sends as `expirationDate`: luxon `toISO()` of the end of a day, local offset, milliseconds
    (e.g. `2026-09-20T23:59:59.999+02:00`)."""
    tz = datetime.timezone(datetime.timedelta(hours=2))
    day = datetime.datetime.now(tz).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(23, 59, 59, 999000), tz).isoformat(timespec="milliseconds")


def test_api_keys_are_created_listed_and_revoked_with_the_session(browser, server):
    created = browser.request("POST", "/zot/auth/apikey", json={"label": "ci", "expirationDate": luxon_end_of_day(30)})
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["apiKey"].startswith("zak_") and key["label"] == "ci" and key["uuid"]
    listed = browser.request("GET", "/zot/auth/apikey")
    assert listed.status_code == 200
    assert [k["uuid"] for k in listed.json()["apiKeys"]] == [key["uuid"]]
    assert server.as_user("alice", key["apiKey"]).get("/v2/_catalog").status_code == 200
    revoked = browser.request("DELETE", "/zot/auth/apikey", params={"id": key["uuid"]})
    assert revoked.status_code == 200
    assert browser.request("GET", "/zot/auth/apikey").json() == {"apiKeys": []}
    assert server.as_user("alice", key["apiKey"]).get("/v2/_catalog").status_code == 401


def test_api_key_without_a_label_is_created(browser):
    """A label never typed is left out of zui's JSON (JSON.stringify drops undefined)."""
    r = browser.request("POST", "/zot/auth/apikey", json={"expirationDate": luxon_end_of_day(1)})
    assert r.status_code == 201, r.text
    assert r.json()["label"] == ""


def test_api_key_expiring_in_the_past_is_400(browser):
    r = browser.request("POST", "/zot/auth/apikey", json={"label": "old", "expirationDate": luxon_end_of_day(-2)})
    assert r.status_code == 400


# ------------------------------------------------------------------------------------------------- tags


def test_tag_delete_answers_202(browser, server, repo):
    push_image(server.as_user("alice", USERS["alice"]), repo, "v1", build_image())
    r = browser.request("DELETE", f"/v2/{repo}/manifests/v1")
    assert r.status_code == 202, r.text
    assert browser.request("GET", f"/v2/{repo}/manifests/v1").status_code == 404
