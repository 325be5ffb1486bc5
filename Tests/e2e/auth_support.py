"""Shared pieces of the auth e2e tests (test_auth*.py): a zotd with auth/TLS/access-control settings,
htpasswd files made with `htpasswd -B`, certificates made with openssl, and JWTs signed with a key pair the
test generates (Python `cryptography`).

`auth_registry(...)` starts such a server for one test; `AuthServer.as_user(...)` gives a `requests`
session that sends Basic credentials.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

import pytest
import requests

from zotd_server import START_TIMEOUT, HTTPVerbs, ServerError, ZotdServer

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/install-test-deps.sh installs it)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def oras_client_for(server):
    """oras-py's client for `server` over plain HTTP; a missing package skips (fails in CI, like a tool)."""
    try:
        import oras.client
    except ImportError:
        message = "the Python package oras is not installed (scripts/install-test-deps.sh installs it)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return oras.client.OrasClient(hostname=server.hostport, insecure=True)


def run(*cmd, timeout=180, check=True, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run([str(c) for c in cmd], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)
    if check and p.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {p.returncode}\n--- stdout ---\n"
            f"{p.stdout.decode(errors='replace')[-2000:]}\n--- stderr ---\n{p.stderr.decode(errors='replace')[-3000:]}"
        )
    return p


# ============================================================================== htpasswd


def write_htpasswd(path: Path, users: dict) -> Path:
    """An htpasswd file of bcrypt entries, written by Apache's `htpasswd -B` as zot's docs say to."""
    htpasswd = require_tool("htpasswd")
    path = Path(path)
    tmp = path.with_suffix(".new")
    first = True
    for user, password in users.items():
        run(htpasswd, "-bB" + ("c" if first else ""), tmp, user, password)
        first = False
    os.replace(tmp, path)  # one atomic change, as an admin's editor or a config tool would make
    return path


# ============================================================================== certificates


class CertificateAuthority:
    """A throwaway CA made with the openssl CLI, issuing server and client certificates."""

    def __init__(self, directory: Path):
        self.openssl = require_tool("openssl")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert = self.dir / "ca.crt"
        self.key = self.dir / "ca.key"
        run(
            self.openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", self.key, "-out", self.cert, "-days", "2", "-subj", "/CN=zotd e2e test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )

    def issue(self, name: str, common_name: str, *, server: bool) -> tuple[Path, Path]:
        key, csr, cert = self.dir / f"{name}.key", self.dir / f"{name}.csr", self.dir / f"{name}.cert"
        run(self.openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={common_name}")
        ext = self.dir / f"{name}.ext"
        if server:
            ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        else:
            ext.write_text("extendedKeyUsage=clientAuth\n")
        run(self.openssl, "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", ext)
        return cert, key


# ============================================================================== JWTs


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenSigner:
    """A docker token server's RSA key and certificate; signs JWTs as RS256 (or any header you give)."""

    def __init__(self, directory: Path, common_name: str = "zotd e2e token server"):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
        import datetime

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(self.key, hashes.SHA256())
        )
        self.cert_path = Path(directory) / f"{b64url(os.urandom(6))}-token.crt"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def sign(self, claims: dict, header: Optional[dict] = None) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        header = header or {"alg": "RS256", "typ": "JWT"}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    @staticmethod
    def claims(service: str, access: list, *, subject="ci", expires_in=300, not_before=None, **extra) -> dict:
        now = int(time.time())
        claims = {"iss": "e2e-token-server", "sub": subject, "aud": service, "iat": now, "exp": now + expires_in,
                  "access": access}
        if not_before is not None:
            claims["nbf"] = now + not_before
        claims.update(extra)
        return claims


# ============================================================================== the server


class AuthServer(ZotdServer):
    """A zotd whose config adds `http_extra` to `http` (auth, tls, accessControl, realm), `log_extra` to `log`
    (audit), `storage_extra` to `storage` and `extensions`; over TLS when `ca` is given (the CA that signed its certificate), presenting
    `client_cert` (a (cert, key) pair) when given."""

    def __init__(self, binary, workdir, *, http_extra=None, log_extra=None, extensions=None, ca=None,
                 client_cert=None, storage_extra=None):
        self.http_extra = http_extra or {}
        self.log_extra = log_extra or {}
        self.ca = str(ca) if ca else None
        self.client_cert = tuple(map(str, client_cert)) if client_cert else None
        super().__init__(binary, workdir, extensions=extensions, storage_extra=storage_extra)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.ca else 'http'}://{self.host}:{self.port}"

    def config(self) -> dict:
        config = super().config()
        config["http"].update(self.http_extra)
        config["log"].update(self.log_extra)
        return config

    def _session(self, auth=None) -> requests.Session:
        s = ZotdServer._session()
        if self.ca:
            # REQUESTS_CA_BUNDLE in the environment would otherwise override `verify`.
            s.trust_env = False
            s.verify = self.ca
        if self.client_cert:
            s.cert = self.client_cert
        s.auth = auth
        return s

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        probe = self._session()
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerError(f"zotd exited with code {rc} before answering /v2/\n--- log ---\n{self.log_tail()}")
            try:
                probe.get(self.base_url + "/v2/", timeout=2)
                return  # any answer: 200, 401 or 403
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        raise ServerError(f"zotd did not answer within {timeout}s (last: {last})\n--- log ---\n{self.log_tail()}")

    def as_user(self, user: Optional[str], password: Optional[str] = None) -> "UserClient":
        """A client that sends `user:password` (or nothing when `user` is None) with every request."""
        return UserClient(self, None if user is None else (user, password))

    def with_token(self, token: str) -> "UserClient":
        """A client that sends `Authorization: Bearer <token>` with every request."""
        client = UserClient(self, None)
        client.http.headers["Authorization"] = f"Bearer {token}"
        return client


class UserClient(HTTPVerbs):
    """The `ZotdServer` HTTP interface with a credentials-bearing session; usable by the oci.py helpers."""

    def __init__(self, server: AuthServer, auth):
        self.server = server
        self.http = server._session(auth)
        self.base_url = server.base_url

    def url(self, path_or_url):
        return self.server.url(path_or_url)

    def request(self, method, path_or_url, **kw):
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        return self.http.request(method, self.url(path_or_url), **kw)


@pytest.fixture
def auth_registry(request, zotd_binary):
    """`auth_registry(http_extra={...}, ...)` starts an `AuthServer` for this test; stopped and removed after.
    A server that exits on its own fails the test (it must never crash), and its log is attached on failure."""
    started: list[AuthServer] = []

    def make(**options) -> AuthServer:
        workdir = Path(tempfile.mkdtemp(prefix="zotd-auth-e2e-"))
        server = AuthServer(zotd_binary, workdir, **options)
        started.append(server)
        servers = getattr(request.node, "_zotd_servers", None)
        if servers is None:
            servers = request.node._zotd_servers = []
        servers.append(server)
        return server.start()

    yield make
    try:
        dead = [s for s in started if s.crashed()]
        if dead:
            pytest.fail(f"zotd exited on its own (code {dead[0].proc.returncode})\n{dead[0].log_tail()}", pytrace=False)
    finally:
        for server in started:
            try:
                server.stop()
            finally:
                shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path
