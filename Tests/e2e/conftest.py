"""Fixtures that run the real zotd binary on loopback for the e2e tests.

- `registry`: a zotd shared by the tests of one module (read-mostly groups); each test works in its
  own repository (`repo` fixture), so they do not see each other's content.
- `fresh_registry`: a zotd of its own for one test (clean state: catalog, GC, restarts).
- `zotd_factory`: start servers with other settings (GC on, short delays).

Every server gets a random free loopback port and a temp root directory; both are removed at the
end. A server that exits when the harness did not stop it fails the test (the server must never
crash), and a failing test gets the server's log attached to its report.

Environment: `ZOTD_BIN` (default `<repo>/.build/debug/zotd`); `ZOTD_REFERENCE=docker-registry` to
run Debian's docker-registry instead (shakes out the test code only; many zot behaviours differ);
`ZOTD_E2E_ROUND_ROBIN=1` with `PG_URL` to make every server three replicas over one root and one fresh
PostgreSQL database, behind a front that sends each request to the next replica in turn (`make
test-scale` runs the distribution spec's modules so).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from pg_support import ROUND_ROBIN, fresh_database, shared_storage
from tcp_proxy import RoundRobinProxy
from zotd_server import ZotdServer

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = os.environ.get("ZOTD_REFERENCE", "")


def _binary() -> str:
    if REFERENCE == "docker-registry":
        return shutil.which("docker-registry") or "/usr/bin/docker-registry"
    return os.environ.get("ZOTD_BIN", str(REPO_ROOT / ".build" / "debug" / "zotd"))



@pytest.fixture(scope="session")
def zotd_binary() -> str:
    path = _binary()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"zotd binary not found or not executable at {path}: build it (swift build) or set ZOTD_BIN",
            pytrace=False,
        )
    return path


class _Servers:
    """Servers started for one scope; all stopped and their directories removed at the end."""

    def __init__(self, binary: str):
        self.binary = binary
        self.started: list = []
        self.proxies: list = []
        self.workdirs: list = []

    def new(self, **options) -> ZotdServer:
        if ROUND_ROBIN:
            return self._replicated(**options)
        workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-"))
        server = ZotdServer(self.binary, workdir, flavor=REFERENCE or "zotd", **options)
        self.started.append(server)
        return server.start()

    def _replicated(self, **options) -> ZotdServer:
        """Three replicas over one root and a fresh database, the first one's port swapped for a round-robin
        front's: the tests talk to the front, and see the root (`root_dir`) as before."""
        workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-replicas-"))
        self.workdirs.append(workdir)
        storage = shared_storage(workdir / "root", fresh_database())
        storage.update(options.pop("storage_extra", None) or {})
        replicas = []
        for n in range(3):
            (workdir / f"replica-{n}").mkdir()
            replica = ZotdServer(self.binary, workdir / f"replica-{n}", storage_extra=storage, **options)
            replica.root_dir = workdir / "root"
            self.started.append(replica)
            replicas.append(replica.start())
        proxy = RoundRobinProxy([replica.port for replica in replicas])
        self.proxies.append(proxy)
        replicas[0].port = proxy.port
        return replicas[0]

    def close(self) -> None:
        for proxy in self.proxies:
            proxy.close()
        for server in self.started:
            try:
                server.stop()
            finally:
                shutil.rmtree(server.workdir, ignore_errors=True)
        for workdir in self.workdirs:
            shutil.rmtree(workdir, ignore_errors=True)


def _attach(request, server: ZotdServer) -> None:
    servers = getattr(request.node, "_zotd_servers", None)
    if servers is None:
        servers = request.node._zotd_servers = []
    servers.append(server)


def _check_alive(servers) -> None:
    dead = [s for s in servers if s.crashed()]
    if dead:
        s = dead[0]
        pytest.fail(
            f"zotd exited on its own (code {s.proc.returncode}) during the test\n--- log ---\n{s.log_tail()}",
            pytrace=False,
        )


@pytest.fixture
def zotd_factory(request, zotd_binary):
    """`zotd_factory(gc=True, gc_delay="2s", gc_interval="1s")` starts a server for this test."""
    servers = _Servers(zotd_binary)

    def make(**options) -> ZotdServer:
        server = servers.new(**options)
        _attach(request, server)
        return server

    yield make
    try:
        _check_alive(servers.started)
    finally:
        servers.close()


@pytest.fixture
def fresh_registry(zotd_factory) -> ZotdServer:
    """A zotd of this test's own, empty."""
    return zotd_factory()


@pytest.fixture(scope="module")
def _module_registry(zotd_binary):
    servers = _Servers(zotd_binary)
    server = servers.new()
    yield server
    servers.close()


@pytest.fixture
def registry(request, _module_registry) -> ZotdServer:
    """The zotd shared by this module's tests; checked to be still running after each test."""
    server = _module_registry
    if not server.alive():
        pytest.fail(
            f"the module's zotd is no longer running (code {server.proc.returncode})\n{server.log_tail()}",
            pytrace=False,
        )
    _attach(request, server)
    yield server
    _check_alive([server])


@pytest.fixture
def repo(request) -> str:
    """A repository name no other test uses: `e2e/<test name>-<random>`."""
    stem = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-") or "t"
    return f"e2e/{stem}-{uuid.uuid4().hex[:8]}"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in getattr(item, "_zotd_servers", []):
            report.sections.append((f"{server.flavor} log ({server.base_url})", server.log_tail()))
