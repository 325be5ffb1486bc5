"""Bearer tokens (http.auth.bearer{realm, service, cert}): JWTs from an external docker token server,
verified against the configured certificate, the `access` claim granting actions per repository.

The token server here is the test's own: an RSA key pair it generates, and for the skopeo flow a tiny HTTP
token endpoint on loopback that speaks the docker token protocol.
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from auth_support import TokenSigner, auth_registry, b64url, require_tool, run  # noqa: F401 (fixture)
from oci import assert_oci_error, build_image, build_runnable_image, push_image, write_oci_layout

SERVICE = "zotd-e2e"


@pytest.fixture
def signer(tmp_path):
    return TokenSigner(tmp_path)


@pytest.fixture
def server(auth_registry, signer):
    return auth_registry(
        http_extra={"auth": {"bearer": {"realm": "https://auth.example.test/token", "service": SERVICE,
                                        "cert": str(signer.cert_path)}}}
    )


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def pull_push(repo):
    return [{"type": "repository", "name": repo, "actions": ["pull", "push"]}]


def test_challenge_names_realm_service_and_scope(server, repo):
    """401 challenges carry `Bearer realm=...,service=...,scope="repository:<name>:pull,push"`."""
    r = server.post(f"/v2/{repo}/blobs/uploads/")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert r.headers["WWW-Authenticate"] == (
        f'Bearer realm="https://auth.example.test/token",service="{SERVICE}",scope="repository:{repo}:pull,push"'
    )
    r = server.get(f"/v2/{repo}/tags/list")
    assert r.headers["WWW-Authenticate"].endswith(f'scope="repository:{repo}:pull"')
    r = server.get("/v2/")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer realm=")


def test_token_grants_exactly_its_access(server, signer, repo):
    token = signer.sign(TokenSigner.claims(SERVICE, pull_push(repo)))
    client = server.with_token(token)
    assert client.get("/v2/").status_code == 200
    image = build_image()
    push_image(client, repo, "v1", image)
    assert client.get(f"/v2/{repo}/manifests/v1").content == image.manifest.data
    # push does not include delete, and the grant is for this repository only
    r = client.delete(f"/v2/{repo}/manifests/v1")
    assert_oci_error(r, 401, "UNAUTHORIZED")
    assert r.headers["WWW-Authenticate"].endswith(f'scope="repository:{repo}:delete"')
    assert_oci_error(client.get(f"/v2/{repo}-other/tags/list"), 401, "UNAUTHORIZED")
    # the catalog needs a catalog grant
    assert_oci_error(client.get("/v2/_catalog"), 401, "UNAUTHORIZED")
    catalog = signer.sign(TokenSigner.claims(SERVICE, [{"type": "registry", "name": "catalog", "actions": ["*"]}]))
    r = server.with_token(catalog).get("/v2/_catalog")
    assert r.status_code == 200 and repo in r.json()["repositories"]


def forged_tokens(signer, repo):
    """Every token an attacker might try, each with a grant that would otherwise let it push."""
    access = pull_push(repo)
    good = TokenSigner.claims(SERVICE, access)
    impostor = TokenSigner(signer.cert_path.parent, "impostor")
    header, payload, signature = signer.sign(good).split(".")
    widened = dict(good, access=[{"type": "repository", "name": repo, "actions": ["*"]}])
    return {
        "bad signature": impostor.sign(good),
        "tampered payload": f"{header}.{b64url(json.dumps(widened).encode())}.{signature}",
        "alg none": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}.",
        "alg none no dot": f"{b64url(json.dumps({'alg': 'none'}).encode())}.{payload}",
        "HS256 with the certificate as secret": hs256(good, signer.cert_path.read_bytes()),
        "expired": signer.sign(TokenSigner.claims(SERVICE, access, expires_in=-3600)),
        "not yet valid": signer.sign(TokenSigner.claims(SERVICE, access, not_before=3600)),
        "another service": signer.sign(TokenSigner.claims("another-registry", access)),
        "no audience": signer.sign({k: v for k, v in good.items() if k != "aud"}),
        "no expiry": signer.sign({k: v for k, v in good.items() if k != "exp"}),
        "crit header": signer.sign(good, header={"alg": "RS256", "crit": ["exp"], "exp": 1}),
        "garbage": "a.b.c",
        "empty": "",
        "huge": "A" * 40000 + ".e30.sig",
    }


def hs256(claims, secret):
    import hashlib
    import hmac

    signing_input = f"{b64url(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def test_forged_and_invalid_tokens_are_a_clean_401(server, signer, repo):
    """Bad signature, tampered payload, alg none, HS256 key confusion, expired, not-yet-valid, another
    service's token, missing claims, garbage: each a clean 401 (the fixture fails the test on a crash)."""
    for name, token in forged_tokens(signer, repo).items():
        r = server.post(f"/v2/{repo}/blobs/uploads/", headers=bearer(token))
        assert r.status_code == 401, f"{name}: {r.status_code} {r.text}"
        assert_oci_error(r, 401, "UNAUTHORIZED")
    token = signer.sign(TokenSigner.claims(SERVICE, pull_push(repo)))
    assert server.post(f"/v2/{repo}/blobs/uploads/", headers=bearer(token)).status_code == 202


def test_passwords_are_not_taken_in_bearer_mode(server, repo):
    r = server.get("/v2/", headers={"Authorization": "Basic " + base64.b64encode(b"alice:pw").decode()})
    assert_oci_error(r, 401, "UNAUTHORIZED")


# ============================================================================== skopeo, with a token server


class TokenEndpoint:
    """The docker token protocol on loopback: `GET /token?service=&scope=...` with Basic credentials answers
    `{"token": <JWT>}` granting the requested scopes to known users, with `pull` only for `reader`."""

    USERS = {"ci": "ci-secret", "reader": "reader-secret"}

    def __init__(self, signer):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                endpoint.handle(self)

        self.signer = signer
        self.requests = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, h):
        query = parse_qs(urlsplit(h.path).query)
        self.requests.append(query)
        user = None
        auth = h.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if self.USERS.get(name) == password:
                user = name
        if user is None:
            h.send_response(401)
            h.end_headers()
            return
        access = []
        for scope in " ".join(query.get("scope", [])).split():
            kind, name, actions = scope.split(":")
            granted = [a for a in actions.split(",") if user == "ci" or a == "pull"]
            access.append({"type": kind, "name": name, "actions": granted})
        token = self.signer.sign(TokenSigner.claims(query.get("service", [""])[0], access, subject=user))
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self):
        self.httpd.shutdown()


def test_skopeo_gets_tokens_from_the_realm_and_pushes(auth_registry, signer, repo, tmp_path):
    """The whole flow with a real client: skopeo meets the Bearer challenge, asks the realm for a token with
    the scope named there, and pushes and pulls with it; a user granted only `pull` cannot push."""
    skopeo = require_tool("skopeo")
    endpoint = TokenEndpoint(signer)
    try:
        server = auth_registry(
            http_extra={"auth": {"bearer": {"realm": endpoint.url, "service": SERVICE, "cert": str(signer.cert_path)}}}
        )
        img = build_runnable_image(2)
        write_oci_layout(tmp_path / "src", {"v1": img})
        ref = f"docker://{server.hostport}/{repo}:v1"
        run(skopeo, "copy", "--dest-tls-verify=false", "--dest-creds", "ci:ci-secret", "--preserve-digests",
            f"oci:{tmp_path / 'src'}:v1", ref)
        assert any(f"repository:{repo}:pull,push" in " ".join(q.get("scope", [])) for q in endpoint.requests)
        run(skopeo, "copy", "--src-tls-verify=false", "--src-creds", "reader:reader-secret", ref,
            f"oci:{tmp_path / 'dst'}:v1")
        assert json.loads((tmp_path / "dst" / "index.json").read_text())["manifests"][0]["digest"] == img.digest
        refused = run(skopeo, "copy", "--dest-tls-verify=false", "--dest-creds", "reader:reader-secret",
                      f"oci:{tmp_path / 'src'}:v1", f"docker://{server.hostport}/{repo}:v2", check=False)
        assert refused.returncode != 0
    finally:
        endpoint.close()
