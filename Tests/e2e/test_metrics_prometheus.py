"""Metrics extension: a real Prometheus scrapes zotd's `/metrics`, and promtool checks the page.

zot-behaviour.md, Extensions: "metrics: `GET /metrics` (path from `extensions.metrics.prometheus.path`),
Prometheus text format: `zot_http_requests_total{method,code}`, ... Keep the same names so existing zot
dashboards work."

Needs Debian's `prometheus` package (server and promtool), installed by scripts/install-prometheus.sh. When it
cannot be installed the tests skip with the reason (and fail when `CI` is set, as the client tests do).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT
from oci import build_image, push_image
from zotd_server import ZotdServer, free_loopback_port

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-prometheus.sh"
METRICS_PATH = "/metrics"
#: Bound on every wait for Prometheus (start, first healthy scrape, a new value).
WAIT_SECONDS = 60.0

#: zot's own label names are camelCase (`zot_info{binaryType,goVersion}`,
#: `zot_storage_lock_latency_seconds{storageName,lockType}`), which promtool's linter flags; zotd keeps them
#: so zot's dashboards work. Any other finding fails the test.
ZOT_CAMELCASE_LABELS = re.compile(
    r"^(zot_info|zot_storage_lock_latency_seconds) label names should be written in 'snake_case' not 'camelCase'$"
)


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def prometheus_tools():
    """`prometheus` and `promtool`, installed by scripts/install-prometheus.sh when missing."""
    result = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip() or f"exit code {result.returncode}"
        _unavailable(f"prometheus cannot be installed here: {reason}")
    tools = {name: shutil.which(name) for name in ("prometheus", "promtool")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        _unavailable(f"{', '.join(missing)} not on PATH after {INSTALL_SCRIPT.name}")
    return tools


class MetricsZotd(ZotdServer):
    """A zotd whose config turns the metrics extension on (the shared harness writes no extensions)."""

    def config(self) -> dict:
        config = super().config()
        config["extensions"] = {"metrics": {"enable": True, "prometheus": {"path": METRICS_PATH}}}
        return config


@pytest.fixture(scope="module")
def metrics_registry(zotd_binary):
    version = subprocess.run([zotd_binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    if "metrics" not in version:
        pytest.skip(f"this zotd was built without the metrics label: {version.strip()}")
    workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-metrics-"))
    server = MetricsZotd(zotd_binary, workdir)
    try:
        yield server.start()
        assert not server.crashed(), f"zotd exited on its own\n{server.log_tail()}"
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class Prometheus:
    """A Prometheus server on a random loopback port scraping one zotd every second."""

    def __init__(self, binary: str, target: str, workdir: Path):
        self.workdir = workdir
        self.port = free_loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "  evaluation_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: zotd\n"
            f"    metrics_path: {METRICS_PATH}\n"
            "    static_configs:\n"
            f"      - targets: ['{target}']\n"
        )
        self.log_path = workdir / "prometheus.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    binary,
                    f"--config.file={self.config_path}",
                    f"--storage.tsdb.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=warn",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def api(self, path: str, **params):
        r = requests.get(self.base_url + path, params=params, timeout=5)
        r.raise_for_status()
        body = r.json()
        assert body.get("status") == "success", body
        return body["data"]

    def wait_for(self, what: str, probe):
        """Polls `probe()` until it returns something truthy, for at most WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"prometheus exited ({self.proc.returncode})\n{self.log_tail()}", pytrace=False)
            try:
                value = probe()
                if value:
                    return value
                last = value
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.25)
        pytest.fail(f"waited {WAIT_SECONDS}s for {what} (last: {last})\n--- prometheus log ---\n{self.log_tail()}",
            pytrace=False)

    def target(self):
        """The zotd target as the targets API reports it, once known."""
        active = self.api("/api/v1/targets", state="active")["activeTargets"]
        return next((t for t in active if t["labels"].get("job") == "zotd"), None)

    def value(self, query: str):
        """The single value of an instant query, or None when it has no result."""
        result = self.api("/api/v1/query", query=query)["result"]
        return float(result[0]["value"][1]) if result else None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def prometheus(prometheus_tools, metrics_registry):
    workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-prometheus-"))
    server = Prometheus(prometheus_tools["prometheus"], metrics_registry.hostport, workdir)
    try:
        server.wait_for("the Prometheus API", lambda: server.api("/api/v1/status/buildinfo"))
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_prometheus_scrapes_zotd_and_sees_requests_grow(prometheus, metrics_registry):
    """A real Prometheus scraping every second reports the zotd target `up`, and after an image push its
    query API shows `zot_http_requests_total` grown (PUTs counted) and the push in `zot_repo_uploads_total`."""
    target = prometheus.wait_for(
        "the zotd target to be up", lambda: (t := prometheus.target()) and t["health"] == "up" and t
    )
    assert target["scrapeUrl"] == f"http://{metrics_registry.hostport}{METRICS_PATH}"
    before = prometheus.wait_for(
        "zot_http_requests_total in Prometheus", lambda: prometheus.value("sum(zot_http_requests_total)")
    )

    repo = "e2e/metrics-prometheus"
    push_image(metrics_registry, repo, "v1", build_image())

    prometheus.wait_for(
        "zot_http_requests_total to grow",
        lambda: (prometheus.value("sum(zot_http_requests_total)") or 0) > before,
    )
    puts = prometheus.wait_for(
        "manifest and blob PUTs to be counted",
        lambda: prometheus.value('sum(zot_http_requests_total{method="PUT",code="201"})'),
    )
    assert puts >= 3  # two layers and the config are blobs (monolithic PUTs or upload completions), then the manifest
    uploads = prometheus.wait_for(
        "the push in zot_repo_uploads_total",
        lambda: prometheus.value(f'zot_repo_uploads_total{{repo="{repo}"}}'),
    )
    assert uploads == 1


def test_repo_storage_bytes_follows_pushes_and_deletes(metrics_registry):
    """`zot_repo_storage_bytes{repo}`: the bytes a repository holds, its blobs plus its manifests, as of the
    last push or delete before the scrape."""
    repo = "e2e/metrics-storage"
    first, second = build_image(), build_image()
    push_image(metrics_registry, repo, "v1", first)

    def storage_bytes():
        text = metrics_registry.get(METRICS_PATH).text
        found = re.search(rf'^zot_repo_storage_bytes{{repo="{re.escape(repo)}"}} (\S+)$', text, re.M)
        return float(found.group(1)) if found else None

    blobs = lambda image: sum(b.size for b in image.blobs)  # noqa: E731
    assert storage_bytes() == blobs(first) + first.manifest.size
    push_image(metrics_registry, repo, "v2", second)
    assert storage_bytes() == blobs(first) + first.manifest.size + blobs(second) + second.manifest.size
    assert metrics_registry.delete(f"/v2/{repo}/manifests/{second.digest}").status_code == 202
    # The manifest is gone; its blobs stay linked until garbage collection.
    assert storage_bytes() == blobs(first) + first.manifest.size + blobs(second)


def test_metrics_page_passes_promtool(prometheus_tools, metrics_registry):
    """`promtool check metrics` parses zotd's page and finds nothing to lint beyond zot's own camelCase label
    names, which zotd keeps for zot's dashboards."""
    push_image(metrics_registry, "e2e/metrics-promtool", "v1", build_image())
    r = metrics_registry.get(METRICS_PATH)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    for family in ("zot_http_requests_total", "zot_http_method_latency_seconds", "zot_http_repo_latency_seconds",
                   "zot_repo_uploads_total", "zot_info", "process_resident_memory_bytes", "process_open_fds",
                   "process_cpu_seconds_total", "process_start_time_seconds"):
        assert f"# TYPE {family} " in r.text, f"{family} missing from the page"

    check = subprocess.run(
        [prometheus_tools["promtool"], "check", "metrics"], input=r.content, capture_output=True, timeout=60
    )
    findings = [
        line for line in (check.stdout + check.stderr).decode(errors="replace").splitlines() if line.strip()
    ]
    unexpected = [line for line in findings if not ZOT_CAMELCASE_LABELS.match(line)]
    assert not unexpected, "promtool check metrics:\n" + "\n".join(findings)
    # Lint findings exit 3; a page promtool cannot parse exits 1.
    assert check.returncode in (0, 3), f"promtool exit {check.returncode}:\n" + "\n".join(findings)
    if check.returncode == 3:
        assert findings, "promtool reported lint problems without naming them"
