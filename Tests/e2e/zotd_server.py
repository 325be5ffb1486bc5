"""One zotd process on a loopback port, with its own config and root directory.

`ZotdServer` writes zot's JSON config, starts `zotd serve CONFIG`, waits (bounded) until `/v2/`
answers, and can stop, `kill -9`, and start again on the same port and root. Its `get`/`put`/...
methods are `requests` calls against the server with a default timeout; a path or an absolute URL
(as from a `Location` header) may be given.

`ZOTD_REFERENCE=docker-registry` runs Debian's `docker-registry` (CNCF distribution 2.8) instead,
with the same interface: only to shake out test code while zotd does not exist yet.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

import requests

DEFAULT_TIMEOUT = 30.0

#: What real clients send when they fetch manifests (spec: "Clients **should** send an `Accept:` header
#: listing the manifest media types they support").
MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "*/*",
    ]
)
START_TIMEOUT = float(os.environ.get("ZOTD_START_TIMEOUT", "30"))


class ServerError(AssertionError):
    """The server did not start, or died."""


def free_loopback_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HTTPVerbs:
    """`get`, `head`, `put`, `post`, `patch`, `delete` over a class's own `request(method, path, **kw)`."""

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


class ZotdServer(HTTPVerbs):
    """A registry process under test. Not thread-safe to start/stop; its HTTP methods are."""

    def __init__(
        self,
        binary: str,
        workdir: Path,
        *,
        gc: bool = False,
        gc_delay: str = "1h",
        gc_interval: str = "1h",
        storage_extra: Optional[dict] = None,
        extensions: Optional[dict] = None,
        flavor: str = "zotd",
    ):
        self.binary = binary
        self.workdir = Path(workdir)
        self.root_dir = self.workdir / "root"
        self.config_path = self.workdir / ("config.yml" if flavor == "docker-registry" else "config.json")
        self.log_path = self.workdir / "server.log"
        self.flavor = flavor
        self.host = "127.0.0.1"
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.gc, self.gc_delay, self.gc_interval = gc, gc_delay, gc_interval
        self.storage_extra = storage_extra or {}
        self.extensions = extensions  # the config's `extensions` section; left out when None
        self.http = self._session()
        self.expected_exit = True  # no process yet

    # ---------------------------------------------------------------- lifecycle

    @property
    def state_dir(self) -> Path:
        """Where zotd keeps its own files under the root: blobs, uploads, `zotd.db` (see BlobLayout.swift)."""
        return self.root_dir / "_zotd"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    def config(self) -> dict:
        """zot's JSON config for this server (port as a string, as zot writes it)."""
        storage = {
            "rootDirectory": str(self.root_dir),
            "gc": self.gc,
            "gcDelay": self.gc_delay,
            "gcInterval": self.gc_interval,
            "commit": False,
        }
        storage.update(self.storage_extra)
        config = {
            "distSpecVersion": "1.1.1",
            "storage": storage,
            "http": {"address": self.host, "port": str(self.port)},
            "log": {"level": "info"},
        }
        if self.extensions is not None:
            config["extensions"] = self.extensions
        return config

    def _write_config(self) -> None:
        self.root_dir.mkdir(parents=True, exist_ok=True)
        if self.flavor == "docker-registry":
            self.config_path.write_text(
                "version: 0.1\n"
                "log: {level: info}\n"
                f"storage:\n  filesystem: {{rootdirectory: {self.root_dir}}}\n  delete: {{enabled: true}}\n"
                f"http: {{addr: '{self.host}:{self.port}', secret: e2e-fixed-secret}}\n"
            )
        else:
            self.config_path.write_text(json.dumps(self.config(), indent=2))

    def start(self, timeout: float = START_TIMEOUT) -> "ZotdServer":
        """Start the process and wait until `GET /v2/` answers; raise with the log if it does not."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        first = self.port is None
        for attempt in range(3):
            if first:
                self.port = free_loopback_port()
            self._write_config()
            with open(self.log_path, "ab") as log:
                log.write(f"\n===== start {time.strftime('%H:%M:%S')} port {self.port} =====\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    [self.binary, "serve", str(self.config_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.workdir,
                    start_new_session=True,  # its own process group: kill9 reaches any children
                )
            self.expected_exit = False
            try:
                self._wait_ready(timeout)
                break
            except ServerError:
                self._terminate(signal.SIGKILL, 5)
                if first and attempt < 2 and "in use" in self.log_tail(20).lower():
                    continue  # lost a race for the random port: pick another
                raise
        self.http.close()
        self.http = self._session()
        return self

    @staticmethod
    def _session() -> requests.Session:
        s = requests.Session()
        s.headers["Accept"] = MANIFEST_ACCEPT
        return s

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerError(
                    f"{self.flavor} exited with code {rc} before answering /v2/\n--- log ---\n{self.log_tail()}"
                )
            try:
                r = requests.get(self.base_url + "/v2/", timeout=2)
                if r.status_code in (200, 401):
                    return
                last = f"status {r.status_code}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        raise ServerError(
            f"{self.flavor} did not answer GET /v2/ within {timeout}s (last: {last})\n--- log ---\n{self.log_tail()}"
        )

    def _terminate(self, sig: int, wait: float) -> Optional[int]:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.expected_exit = True
        try:
            os.killpg(self.proc.pid, sig)  # the group of this process only (start_new_session)
        except ProcessLookupError:
            pass
        try:
            return self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(timeout=10)

    def stop(self, timeout: float = 10) -> Optional[int]:
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        self.http.close()
        return self._terminate(signal.SIGTERM, timeout)

    def kill9(self) -> None:
        """`kill -9` the server: no chance to flush or clean up."""
        self.http.close()
        self._terminate(signal.SIGKILL, 10)

    def restart(self) -> "ZotdServer":
        """Stop gracefully and start again on the same port and root directory."""
        self.stop()
        return self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def crashed(self) -> bool:
        """True when the process exited without the harness asking it to."""
        return self.proc is not None and self.proc.poll() is not None and not self.expected_exit

    def log_tail(self, lines: int = 150) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ---------------------------------------------------------------- HTTP

    def url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith(("http://", "https://")) else self.base_url + path_or_url

    def request(self, method: str, path_or_url: str, **kw) -> requests.Response:
        kw.setdefault("timeout", DEFAULT_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return self.http.request(method, self.url(path_or_url), **kw)


    def __repr__(self) -> str:
        return f"<{self.flavor} {self.base_url if self.port else '(not started)'} root={self.root_dir}>"
