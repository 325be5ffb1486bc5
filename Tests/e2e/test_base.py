"""The version check and the health endpoints."""

import pytest


def test_v2_answers_200_with_an_empty_json_object(registry):
    """zot-behaviour.md: "`GET /v2/` → 200 `{}` with `Docker-Distribution-API-Version: registry/2.0`"."""
    r = registry.get("/v2/")
    assert r.status_code == 200
    assert r.json() == {}


def test_v2_names_the_registry_api_version(registry):
    """Spec: "When a `200 OK` or `401 Unauthorized` response is returned, the
    "Docker-Distribution-API-Version" header SHOULD be set to "registry/2.0"."
    """
    r = registry.get("/v2/")
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_v2_without_trailing_slash_is_the_same_endpoint(registry):
    """swift-stack-notes.md: "`/v2` and `/v2/` both match a `/v2/` route"; clients probe either. (A
    redirect to `/v2/` serves clients as well.)"""
    r = registry.get("/v2")
    if r.status_code in (301, 307, 308):
        assert r.headers.get("Location", "").endswith("/v2/")
        return
    assert r.status_code == 200
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_v2_head_answers_200(registry):
    """Clients (containerd) probe the registry with `HEAD /v2/`; it answers like GET, without a body."""
    r = registry.head("/v2/")
    assert r.status_code == 200
    assert r.content == b""


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/startupz"])
def test_health_endpoint_answers_200(registry, path):
    """zot-behaviour.md: "Health: `/livez`, `/readyz`, `/startupz` → 200"."""
    r = registry.get(path)
    assert r.status_code == 200, r.text


def test_unknown_top_level_path_is_404(registry):
    """A path outside the API is not found (and the server keeps running)."""
    r = registry.get("/no/such/endpoint")
    assert r.status_code == 404
