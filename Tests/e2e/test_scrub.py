"""Scrub: `zotd scrub CONFIG` and the `scrub` extension re-hash every blob, check every manifest's
references, and report damaged or missing content per repository (output, exit status, metric, and
`zot_scrub_*` gauges on the metrics extension's `/metrics`)."""

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from oci import build_image, push_image
from zotd_server import ZotdServer


def _blob_path(server, digest):
    alg, hexpart = digest.split(":")
    return server.state_dir / "blobs" / alg / hexpart[:2] / hexpart


def _damage(server, a_image, b_image):
    """Overwrites one of a's layers (same size), truncates its config, deletes one of b's layers."""
    layer = a_image.layers[0]
    _blob_path(server, layer.digest).write_bytes(b"\0" * layer.size)
    with open(_blob_path(server, a_image.config.digest), "r+b") as f:
        f.truncate(3)
    _blob_path(server, b_image.layers[0].digest).unlink()


def _scrub(binary, server):
    return subprocess.run([binary, "scrub", str(server.config_path)], capture_output=True, text=True, timeout=60)


def test_scrub_command_reports_damage_per_repository(fresh_registry, zotd_binary):
    a, b = build_image(layer_sizes=(10_000, 2_000)), build_image(layer_sizes=(5_000,))
    push_image(fresh_registry, "scrub/a", "v1", a)
    push_image(fresh_registry, "scrub/b", "v1", b)

    clean = _scrub(zotd_binary, fresh_registry)
    assert clean.returncode == 0, f"scrub of intact content: exit {clean.returncode}\n{clean.stdout}{clean.stderr}"
    assert "no problems" in clean.stdout and re.search(r"\b5 blobs\b", clean.stdout), clean.stdout

    _damage(fresh_registry, a, b)
    found = _scrub(zotd_binary, fresh_registry)
    out = found.stdout
    assert found.returncode == 1, f"scrub of damaged content: exit {found.returncode}\n{out}{found.stderr}"
    assert f"scrub/a: blob corrupt {a.layers[0].digest}" in out, out
    assert f"scrub/a: blob size mismatch {a.config.digest}" in out, out
    assert f"scrub/b: blob missing {b.layers[0].digest}" in out, out
    assert "repository scrub/a: 2 problem(s)" in out and "repository scrub/b: 1 problem(s)" in out, out
    # Reading the store did not disturb the running server.
    assert fresh_registry.get("/v2/scrub/a/manifests/v1").status_code == 200


def test_scrub_extension_exposes_problems_as_a_metric(zotd_binary):
    out = subprocess.run([zotd_binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    if "scrub" not in out:
        pytest.skip("zotd was built without the scrub extension")
    server = ZotdServer(zotd_binary, Path(tempfile.mkdtemp(prefix="zotd-e2e-scrub-")),
                          extensions={"scrub": {"interval": "300ms", "rateMiBPerSecond": 0}})
    try:
        server.start()
        assert "/v2/_zot/ext/scrub" in str(server.get("/v2/_oci/ext/discover").json())
        a, b = build_image(layer_sizes=(10_000,)), build_image(layer_sizes=(5_000,))
        push_image(server, "scrub/a", "v1", a)
        push_image(server, "scrub/b", "v1", b)
        _damage(server, a, b)
        deadline = time.monotonic() + 15
        text = ""
        while time.monotonic() < deadline:
            text = server.get("/v2/_zot/ext/scrub").text
            if 'zot_scrub_problems{repo="scrub/b"} 1' in text:
                break
            time.sleep(0.2)
        assert 'zot_scrub_problems{repo="scrub/a"} 2' in text, text
        assert 'zot_scrub_problems{repo="scrub/b"} 1' in text, text
        assert "scrub found damaged content" in server.log_path.read_text()
        assert server.stop() == 0
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)


def test_scrub_pass_shows_on_the_metrics_page(zotd_binary):
    """The scrub extension posts each finished pass; the metrics extension turns it into gauges per
    repository and kind (zotd's names: zot has no scrub metrics)."""
    out = subprocess.run([zotd_binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    if "scrub" not in out or "metrics" not in out:
        pytest.skip("zotd was built without the scrub and metrics extensions")
    server = ZotdServer(zotd_binary, Path(tempfile.mkdtemp(prefix="zotd-e2e-scrub-metrics-")),
                          extensions={"scrub": {"interval": "300ms", "rateMiBPerSecond": 0}, "metrics": {}})
    try:
        server.start()
        a, b = build_image(layer_sizes=(10_000,)), build_image(layer_sizes=(5_000,))
        push_image(server, "scrub/a", "v1", a)
        push_image(server, "scrub/b", "v1", b)
        _damage(server, a, b)
        wanted = 'zot_scrub_problems{repo="scrub/b",kind="blob_missing"} 1'
        deadline = time.monotonic() + 15
        text = ""
        while time.monotonic() < deadline:
            text = server.get("/metrics").text
            if wanted in text:
                break
            time.sleep(0.2)
        assert wanted in text, text
        # a: a layer overwritten and its config truncated, both corrupt blobs; nothing of a's is missing.
        assert 'zot_scrub_problems{repo="scrub/a",kind="blob_corrupt"} 2' in text, text
        assert 'zot_scrub_problems{repo="scrub/a",kind="blob_missing"} 0' in text, text
        assert 'zot_scrub_blobs_checked{repo="scrub/a"} 2' in text, text
        assert re.search(r"^zot_scrub_last_run_timestamp_seconds \d", text, re.M), text
        assert re.search(r"^zot_scrub_runs_total [1-9]", text, re.M), text
        assert server.stop() == 0
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)
