"""TLS (http.tls{cert, key}) and mutual TLS (http.tls.cacert: a client certificate's CommonName is the
caller's identity), with certificates from a throwaway CA made with openssl and skopeo's --dest-cert-dir."""

import json
import shutil
import ssl
import socket

import pytest
import requests

from auth_support import CertificateAuthority, auth_registry, require_tool, run, write_htpasswd  # noqa: F401
from oci import assert_oci_error, build_image, build_runnable_image, push_image, write_oci_layout


@pytest.fixture
def ca(tmp_path):
    return CertificateAuthority(tmp_path / "pki")


def cert_dir(tmp_path, ca, client=None):
    """A directory as skopeo/podman read it: `*.crt` CAs, and a `*.cert`/`*.key` client pair."""
    d = tmp_path / f"certs-{client[0].stem if client else 'ca'}"
    d.mkdir()
    shutil.copy(ca.cert, d / "ca.crt")
    if client:
        shutil.copy(client[0], d / "client.cert")
        shutil.copy(client[1], d / "client.key")
    return d


def tls_server(auth_registry, ca, *, cacert=False, client=None, http_extra=None):
    cert, key = ca.issue("server", "127.0.0.1", server=True)
    tls = {"cert": str(cert), "key": str(key)}
    if cacert:
        tls["cacert"] = str(ca.cert)
    extra = {"tls": tls}
    extra.update(http_extra or {})
    return auth_registry(http_extra=extra, ca=ca.cert, client_cert=client)


def test_registry_speaks_https_with_the_configured_certificate(auth_registry, ca, repo):
    server = tls_server(auth_registry, ca)
    assert server.get("/v2/").status_code == 200
    push_image(server, repo, "v1", build_image())
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.base_url + "/v2/", timeout=10)  # the system CAs do not know this one
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://{server.hostport}/v2/", timeout=10)  # no plain HTTP on the TLS port
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca.cert)
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock, server_hostname="127.0.0.1").do_handshake()


def test_skopeo_pushes_and_pulls_over_tls_with_dest_cert_dir(auth_registry, ca, repo, tmp_path):
    skopeo = require_tool("skopeo")
    server = tls_server(auth_registry, ca)
    certs = cert_dir(tmp_path, ca)
    img = build_runnable_image(2)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{server.hostport}/{repo}:v1"
    run(skopeo, "copy", "--dest-cert-dir", certs, "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "copy", "--src-cert-dir", certs, ref, f"oci:{tmp_path / 'dst'}:v1")
    assert json.loads((tmp_path / "dst" / "index.json").read_text())["manifests"][0]["digest"] == img.digest
    # without the CA, skopeo refuses the unknown certificate
    assert run(skopeo, "inspect", ref, check=False).returncode != 0


def test_htpasswd_over_tls_marks_the_session_cookie_secure(auth_registry, ca, tmp_path):
    path = write_htpasswd(tmp_path / "htpasswd", {"alice": "pw-1"})
    server = tls_server(auth_registry, ca, http_extra={"auth": {"htpasswd": {"path": str(path)}}})
    assert_oci_error(server.get("/v2/"), 401, "UNAUTHORIZED")
    r = server.as_user("alice", "pw-1").post("/zot/auth/login")
    assert r.status_code == 200 and "secure" in [a.strip().lower() for a in r.headers["Set-Cookie"].split(";")]


def test_mutual_tls_takes_the_identity_from_the_client_certificate(auth_registry, ca, repo, tmp_path):
    """With `cacert` and no password method, a client certificate is required at the handshake and its
    CommonName is the identity the access-control policies name."""
    alice = ca.issue("alice", "alice", server=False)
    bob = ca.issue("bob", "bob", server=False)
    server = tls_server(
        auth_registry, ca, cacert=True, client=alice,
        http_extra={
            "auth": {"mtls": {"identityAttributes": ["CommonName"]}},
            "accessControl": {"repositories": {"**": {
                "policies": [{"users": ["alice"], "actions": ["read", "create"]}], "defaultPolicy": ["read"]}}},
        },
    )
    push_image(server, repo, "v1", build_image())
    as_bob = requests.Session()
    as_bob.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`
    as_bob.verify, as_bob.cert = str(ca.cert), tuple(map(str, bob))
    assert as_bob.get(server.url(f"/v2/{repo}/manifests/v1")).status_code == 200
    assert_oci_error(as_bob.post(server.url(f"/v2/{repo}/blobs/uploads/")), 403, "DENIED")
    # no client certificate: the handshake itself fails
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(server.url("/v2/"), verify=str(ca.cert), timeout=10)
    # a certificate from another CA is refused too
    stranger_ca = CertificateAuthority(tmp_path / "other-pki")
    stranger = stranger_ca.issue("alice-forged", "alice", server=False)
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(server.url("/v2/"), verify=str(ca.cert), cert=tuple(map(str, stranger)), timeout=10)


def test_skopeo_with_a_client_certificate(auth_registry, ca, repo, tmp_path):
    skopeo = require_tool("skopeo")
    alice = ca.issue("alice", "alice", server=False)
    server = tls_server(auth_registry, ca, cacert=True, client=alice)
    img = build_runnable_image(1)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{server.hostport}/{repo}:v1"
    run(skopeo, "copy", "--dest-cert-dir", cert_dir(tmp_path, ca, alice), f"oci:{tmp_path / 'src'}:v1", ref)
    assert run(skopeo, "inspect", "--cert-dir", cert_dir(tmp_path, ca), ref, check=False).returncode != 0


def test_bad_tls_files_stop_the_server_with_the_key_named(zotd_binary, ca, tmp_path):
    """A key that does not fit the certificate is refused at startup, naming http.tls.key."""
    from zotd_server import free_loopback_port

    cert, _ = ca.issue("server", "127.0.0.1", server=True)
    _, other_key = ca.issue("other", "127.0.0.1", server=True)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "storage": {"rootDirectory": str(tmp_path / "root")},
        "http": {"address": "127.0.0.1", "port": str(free_loopback_port()),
                 "tls": {"cert": str(cert), "key": str(other_key)}},
    }))
    p = run(zotd_binary, "serve", config, check=False, timeout=30)
    assert p.returncode != 0
    assert "http.tls.key" in (p.stdout + p.stderr).decode()
