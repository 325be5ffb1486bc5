"""The debug extension's OpenAPI document, checked against the live server.

The document is written once, by hand: `Sources/Extensions/Debug/Resources/openapi.json`, compiled into
the binary and served at `/swagger/v2/openapi.json`. These tests keep it honest:

1. It is a valid OpenAPI 3.1 document (openapi-spec-validator), and the server serves exactly that file.

2. Routes and document agree, in both directions. There is no hand-kept list of routes to compare with:
   the server's routes come from the server itself.

   - **Documented → served.** Every documented operation is sent to a live server (path parameters
     filled with sample values) and must not get the answer the server gives to something it does not
     serve: 405 `UNSUPPORTED` (an OCI path with a method `RegistryResponder.dispatch` does not handle) or
     the router's bare 404 (no route: empty body, no `Content-Type`). A handler's own 404 carries an OCI
     error body, or at least its `Content-Type`, so "no such manifest" is not mistaken for "no route".
   - **Served → documented**, three ways, since the server has two routing layers:
     - OCI endpoints are matched from the path's end by `RegistryEndpoint` and dispatched by a `switch`, so
       they cannot be listed: every endpoint template × every HTTP method is *probed*, and each one the
       server answers must be in the document. The templates are one per `RegistryEndpoint` case; a test
       reads the enum's cases from its source so that a new case without a template fails here.
     - Router routes (health, discover, extensions, auth, this extension) are *listed* by the router
       itself at `/swagger/v2/routes.json` (Hummingbird's `Router.routes`, read at request time, so routes
       added after the debug extension count too): each must be documented.
     - Endpoints served some other way (a middleware, say) are caught by probing the endpoints discover
       advertises and zot's own endpoint list (zot-api.md): whichever the server answers must be documented.

   Which server is asked depends on the path's `x-zotd-availability` in the document: extension
   endpoints on a server with every compiled-in extension enabled (the labels not compiled in are learned
   from the server's own startup warnings, and their endpoints skipped), auth endpoints on a server with
   htpasswd and API keys configured, asked with valid credentials.

3. schemathesis sends its generated requests (bounded: `ZOTD_SCHEMATHESIS_MAX_EXAMPLES` per operation,
   default 20, seed `ZOTD_SCHEMATHESIS_SEED`, default 1) and no answer may be a 5xx.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import pytest
import requests

from zotd_server import ServerError, ZotdServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_PATH = REPO_ROOT / "Sources" / "Extensions" / "Debug" / "Resources" / "openapi.json"
ENDPOINT_SOURCE = REPO_ROOT / "Sources" / "Registry" / "Routing" / "RegistryEndpoint.swift"
ERROR_CODE_SOURCE = REPO_ROOT / "Sources" / "Registry" / "Errors" / "OCIErrorCode.swift"

#: Every method a probe tries on every path.
PROBE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

#: One path template per `RegistryEndpoint` case, written as the document writes it.
OCI_TEMPLATES = {
    "base": "/v2/",
    "catalog": "/v2/_catalog",
    "tags": "/v2/{name}/tags/list",
    "manifest": "/v2/{name}/manifests/{reference}",
    "blob": "/v2/{name}/blobs/{digest}",
    "uploads": "/v2/{name}/blobs/uploads/",
    "upload": "/v2/{name}/blobs/uploads/{session_id}",
    "referrers": "/v2/{name}/referrers/{digest}",
    "orasReferrers": "/oras/artifacts/v1/{name}/manifests/{digest}/referrers",
}

#: Values for path parameters. The name has a slash, as many repository names do.
SAMPLE_PARAMETERS = {
    "name": "openapi/probe",
    "reference": "latest",
    "digest": "sha256:" + "0" * 64,
    "session_id": "00000000-0000-4000-8000-000000000000",
    "provider": "github",
}

#: zot's endpoints (zot-api.md) beyond the OCI ones: if zotd answers one, the document must describe it.
ZOT_ENDPOINTS = (
    "/v2/_oci/ext/discover",
    "/v2/_zot/ext/mgmt",
    "/v2/_zot/ext/search",
    "/v2/_zot/ext/userprefs",
    "/v2/_zot/ext/notation",
    "/v2/_zot/ext/cosign",
    "/v2/_zot/pprof/",
    "/v2/_zot/debug/graphql-playground",
    "/zot/auth/apikey",
    "/zot/auth/login",
    "/zot/auth/logout",
    "/zot/auth/callback/github",
    "/metrics",
    "/livez",
    "/readyz",
    "/startupz",
    "/swagger/v2/",
    "/swagger/v2/index.html",
    "/swagger/v2/doc.json",
    "/swagger/v2/openapi.json",
    "/swagger/v2/routes.json",
)

#: The extensions the open server enables; each one compiled in must then serve its endpoints.
EXTENSION_SECTIONS = {
    "debug": {},
    "metrics": {"enable": True, "prometheus": {"path": "/metrics"}},
    "mgmt": {},
}

AUTH_USER, AUTH_PASSWORD = "openapi", "openapi-password"

with open(DOCUMENT_PATH, encoding="utf-8") as _f:
    DOCUMENT = json.load(_f)


# ---------------------------------------------------------------- document helpers


def normalize(path: str) -> str:
    """A path pattern with every parameter as `{}` and no trailing slash, so the document's
    `/v2/{name}/blobs/uploads/` and the router's `/swagger/v2` compare with what they mean."""
    path = re.sub(r"\{[^}]*\}", "{}", path)
    return path.rstrip("/") or "/"


def documented_operations(document: dict) -> list[tuple[str, str, str]]:
    """(METHOD, path, availability) for every operation in the document."""
    operations = []
    for path, item in document["paths"].items():
        availability = item.get("x-zotd-availability", "always")
        for method in ("get", "head", "post", "put", "patch", "delete", "options", "trace"):
            if method in item:
                operations.append((method.upper(), path, availability))
    return operations


DOCUMENTED = {(method, normalize(path)) for method, path, _ in documented_operations(DOCUMENT)}


def instantiate(template: str) -> str:
    return re.sub(r"\{([^}]*)\}", lambda m: SAMPLE_PARAMETERS[m.group(1)], template)


def is_documented(method: str, path_pattern: str) -> bool:
    return (method, normalize(path_pattern)) in DOCUMENTED


def nothing_serves(response: requests.Response) -> bool:
    """True for the answers that mean "no such endpoint or method": 405 (`RegistryResponder`'s UNSUPPORTED
    for an OCI path; a router that answered 405 would mean the same), the router's bare 404 outside `/v2/`,
    and under `/v2/` the 404 NAME_UNKNOWN whose detail names the path (`UnservedPathResponder`).

    A HEAD answer has no body to tell by: its 404 means nothing serves HEAD there unless GET there gets a 404
    about something unknown, since a served HEAD answers as GET does."""
    if response.status_code == 405:
        return True
    if response.status_code != 404:
        return False
    if not response.content and "Content-Type" not in response.headers:
        return True
    if response.request.method == "HEAD":
        as_get = response.request.copy()  # with the same credentials
        as_get.method = "GET"
        with requests.Session() as session:
            twin = session.send(as_get, timeout=30)
        return twin.status_code != 404 or nothing_serves(twin)
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    path = urlsplit(response.request.url).path
    return any(e.get("code") == "NAME_UNKNOWN" and path in (e.get("detail") or "") for e in errors)


# ---------------------------------------------------------------- servers


class ConfiguredZotd(ZotdServer):
    """A zotd whose config has extra top-level sections merged in (extensions, http.auth)."""

    def __init__(self, *args, extra: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = extra

    def config(self) -> dict:
        config = super().config()
        for key, value in self.extra.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        return config

    def not_compiled_in(self) -> set[str]:
        """The labels zotd warned about at startup: enabled in the config but not in this binary."""
        return set(re.findall(r"extensions\.(\w+): enabled in the config but not compiled", self.log_tail(400)))


def _start(zotd_binary: str, extra: dict) -> tuple[Optional[ConfiguredZotd], str]:
    workdir = Path(tempfile.mkdtemp(prefix="zotd-openapi-"))
    server = ConfiguredZotd(zotd_binary, workdir, extra=extra)
    try:
        server.start()
    except ServerError as error:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        return None, str(error)
    return server, ""


def _stop(server: ZotdServer) -> None:
    crashed = server.crashed()
    log = server.log_tail()
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)
    assert not crashed, f"zotd exited on its own during the tests\n--- log ---\n{log}"


@pytest.fixture(scope="module")
def open_server(zotd_binary):
    """No authentication; every extension this binary may have, enabled."""
    server, failure = _start(zotd_binary, {"extensions": EXTENSION_SECTIONS})
    if server is None:
        pytest.fail(f"zotd with extensions {sorted(EXTENSION_SECTIONS)} did not start:\n{failure}", pytrace=False)
    if "debug" in server.not_compiled_in():
        _stop(server)
        pytest.skip("this zotd is built without the debug label")
    yield server
    _stop(server)


def _htpasswd_line(user: str, password: str) -> Optional[str]:
    if shutil.which("htpasswd"):
        out = subprocess.run(["htpasswd", "-nbB", user, password], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    try:
        import bcrypt  # type: ignore
    except ImportError:
        return None
    return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}"


@pytest.fixture(scope="module")
def auth_server(zotd_binary, tmp_path_factory):
    """htpasswd and API keys configured; requests carry valid Basic credentials."""
    line = _htpasswd_line(AUTH_USER, AUTH_PASSWORD)
    if line is None:
        pytest.skip("neither the htpasswd tool nor python bcrypt is available to write an htpasswd file")
    htpasswd = tmp_path_factory.mktemp("openapi-auth") / "htpasswd"
    htpasswd.write_text(line + "\n")
    extra = {
        "http": {"auth": {"htpasswd": {"path": str(htpasswd)}, "apikey": True}},
        "extensions": {"debug": {}},
    }
    server, failure = _start(zotd_binary, extra)
    if server is None:
        if "not supported" in failure:
            reason = next((line for line in failure.splitlines() if line.startswith("error:")), failure)
            pytest.skip(f"auth endpoints not checked, this zotd refuses the auth config: {reason}")
        pytest.fail(f"zotd with htpasswd and API keys did not start:\n{failure}", pytrace=False)
    server.http.auth = (AUTH_USER, AUTH_PASSWORD)
    yield server
    _stop(server)


def server_for(availability: str, request) -> ZotdServer:
    """The server on which an operation of this availability must be served."""
    if availability.startswith("auth"):
        return request.getfixturevalue("auth_server")
    server = request.getfixturevalue("open_server")
    if availability.startswith("extension:"):
        label = availability.split(":", 1)[1]
        if label not in EXTENSION_SECTIONS:
            pytest.fail(f"the test enables no `{label}` extension: add it to EXTENSION_SECTIONS", pytrace=False)
        if label in server.not_compiled_in():
            pytest.skip(f"this zotd is built without the {label} label")
    elif availability != "always":
        pytest.fail(f"unknown x-zotd-availability {availability!r}", pytrace=False)
    return server


def probe(server: ZotdServer, method: str, path: str) -> requests.Response:
    body = b"" if method in ("POST", "PUT", "PATCH") else None
    return server.request(method, path, data=body)


# ---------------------------------------------------------------- 1. the document


def test_document_is_valid_openapi_3_1():
    from openapi_spec_validator import validate

    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_server_serves_the_document_in_the_repository(open_server):
    """A stale build (document edited, binary not rebuilt) fails here rather than further down."""
    for path in ("/swagger/v2/openapi.json", "/swagger/v2/doc.json"):
        r = open_server.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.content == DOCUMENT_PATH.read_bytes(), f"{path} differs from {DOCUMENT_PATH}: rebuild zotd"


@pytest.mark.parametrize("path", ["/swagger/v2/", "/swagger/v2", "/swagger/v2/index.html"])
def test_interactive_page_is_served(open_server, path):
    r = open_server.get(path)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "/swagger/v2/openapi.json" in r.text
    assert "<script" in r.text and "src=" not in r.text, "the page must be self-contained (no network here)"


def test_every_path_says_how_it_is_available():
    """`x-zotd-availability` decides which server the tests ask; a typo would silently skip a path."""
    valid = re.compile(r"^(always|auth|auth:apikey|extension:[a-z]+)$")
    for path, item in DOCUMENT["paths"].items():
        assert valid.match(item.get("x-zotd-availability", "always")), path


def test_error_responses_of_oci_operations_describe_the_error_envelope():
    """Every 4xx of an OCI operation (other than HEAD, which has no body) names its body and codes."""
    envelope_refs = {"#/components/schemas/ErrorEnvelope"}
    oci_paths = {normalize(t) for t in OCI_TEMPLATES.values()}
    components = DOCUMENT["components"]["responses"]
    for method, path, _ in documented_operations(DOCUMENT):
        if normalize(path) not in oci_paths or method == "HEAD":
            continue
        responses = DOCUMENT["paths"][path][method.lower()]["responses"]
        for status, response in responses.items():
            if not status.startswith("4"):
                continue
            if "$ref" in response:
                response = components[response["$ref"].rsplit("/", 1)[1]]
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            assert schema.get("$ref") in envelope_refs, f"{method} {path} {status} has no error envelope"


def test_error_codes_named_in_descriptions_exist():
    codes = set(DOCUMENT["components"]["schemas"]["ErrorEntry"]["properties"]["code"]["enum"])
    text = json.dumps(DOCUMENT)
    named = {code for listing in re.findall(r"Error codes?: ([^.]*)\.", text) for code in re.findall(r"`(\w+)`", listing)}
    assert named, "no error codes named in any description"
    assert named <= codes, f"descriptions name codes the server does not send: {sorted(named - codes)}"


def test_error_codes_are_the_ones_the_server_sends():
    """The document's list of error codes is `OCIErrorCode`'s, read from its source."""
    sent = set(re.findall(r'^\s*case \w+ = "(\w+)"', ERROR_CODE_SOURCE.read_text(), re.M))
    assert sent, f"no error codes found in {ERROR_CODE_SOURCE}"
    documented = set(DOCUMENT["components"]["schemas"]["ErrorEntry"]["properties"]["code"]["enum"])
    assert documented == sent, f"only documented: {sorted(documented - sent)}; only sent: {sorted(sent - documented)}"


# ---------------------------------------------------------------- 2. routes and document agree


def test_oci_templates_cover_every_registry_endpoint_case():
    """`RegistryEndpoint`'s cases, read from its source, are exactly the templates probed below."""
    source = ENDPOINT_SOURCE.read_text()
    enum = re.search(r"public enum RegistryEndpoint\b.*?\{(.*?)\n\s*public init", source, re.S)
    assert enum, f"cannot find the RegistryEndpoint enum in {ENDPOINT_SOURCE}"
    cases = set(re.findall(r"^\s*case (\w+)", enum.group(1), re.M))
    assert cases == set(OCI_TEMPLATES), (
        f"RegistryEndpoint cases {sorted(cases)} differ from the templates this test probes "
        f"{sorted(OCI_TEMPLATES)}: add the new endpoint's template to OCI_TEMPLATES and to the document"
    )


def test_every_oci_template_is_a_documented_path():
    documented_paths = {normalize(p) for p in DOCUMENT["paths"]}
    missing = [t for t in OCI_TEMPLATES.values() if normalize(t) not in documented_paths]
    assert not missing, f"OCI endpoints missing from the document: {missing}"


@pytest.mark.parametrize(
    "method,path,availability",
    documented_operations(DOCUMENT),
    ids=[f"{m} {p}" for m, p, _ in documented_operations(DOCUMENT)],
)
def test_documented_operation_is_served(request, method, path, availability):
    server = server_for(availability, request)
    r = probe(server, method, instantiate(path))
    assert not nothing_serves(r), (
        f"documented {method} {path} is not served: {method} {instantiate(path)} answered {r.status_code} "
        f"{r.text[:300]!r}"
    )


def test_every_oci_method_the_server_answers_is_documented(open_server):
    undocumented = []
    for template in OCI_TEMPLATES.values():
        for method in PROBE_METHODS:
            r = probe(open_server, method, instantiate(template))
            if not nothing_serves(r) and not is_documented(method, template):
                undocumented.append(f"{method} {template} (answered {r.status_code})")
    assert not undocumented, "served but not documented:\n" + "\n".join(undocumented)


def _router_routes(server: ZotdServer) -> list[dict]:
    r = server.get("/swagger/v2/routes.json")
    assert r.status_code == 200, r.text
    routes = r.json()["routes"]
    assert routes, "the router lists no routes at all"
    return routes


def test_every_router_route_is_documented(open_server):
    routes = _router_routes(open_server)
    assert {"method": "GET", "path": "/swagger/v2/routes.json"} in routes
    undocumented = [f"{x['method']} {x['path']}" for x in routes if not is_documented(x["method"], x["path"])]
    assert not undocumented, "router routes missing from the document:\n" + "\n".join(undocumented)


def test_every_router_route_with_authentication_is_documented(auth_server):
    routes = _router_routes(auth_server)
    undocumented = [f"{x['method']} {x['path']}" for x in routes if not is_documented(x["method"], x["path"])]
    assert not undocumented, "router routes missing from the document:\n" + "\n".join(undocumented)


def _undocumented_answers(server: ZotdServer, paths) -> list[str]:
    found = []
    for path in paths:
        for method in PROBE_METHODS:
            r = probe(server, method, path)
            if not nothing_serves(r) and not is_documented(method, path):
                found.append(f"{method} {path} (answered {r.status_code})")
    return found


def test_advertised_and_zot_endpoints_the_server_answers_are_documented(open_server):
    discover = open_server.get("/v2/_oci/ext/discover").json()
    advertised = [e for ext in discover["extensions"] for e in ext["endpoints"]]
    undocumented = [e for e in advertised if not any(normalize(e) == p for _, p in DOCUMENTED)]
    assert not undocumented, f"discover advertises endpoints the document lacks: {undocumented}"
    found = _undocumented_answers(open_server, sorted(set(ZOT_ENDPOINTS) | set(advertised)))
    assert not found, "served but not documented:\n" + "\n".join(found)


def test_zot_endpoints_the_server_answers_with_authentication_are_documented(auth_server):
    found = _undocumented_answers(auth_server, ZOT_ENDPOINTS)
    assert not found, "served but not documented:\n" + "\n".join(found)


# ---------------------------------------------------------------- 3. schemathesis: no 5xx


def _schemathesis(server: ZotdServer, *extra: str) -> None:
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        pytest.fail("schemathesis is not installed: scripts/install-test-deps.sh", pytrace=False)
    report = server.workdir / "schemathesis.ndjson"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run",
        server.base_url + "/swagger/v2/openapi.json",
        "--checks", "not_a_server_error",
        "--max-examples", os.environ.get("ZOTD_SCHEMATHESIS_MAX_EXAMPLES", "20"),
        "--seed", os.environ.get("ZOTD_SCHEMATHESIS_SEED", "1"),
        "--request-timeout", "20",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--report", "ndjson", "--report-ndjson-path", str(report),
        *extra,
    ]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    output = (result.stdout + result.stderr)[-20000:]
    assert result.returncode == 0, f"schemathesis found failures (exit {result.returncode}):\n{output}"
    assert "Tested:" in output or "passed" in output, output


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_server_error(open_server):
    _schemathesis(open_server)


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_server_error_on_auth_endpoints(auth_server):
    _schemathesis(auth_server, "--auth", f"{AUTH_USER}:{AUTH_PASSWORD}", "--include-path-regex", "^/zot/auth/")
