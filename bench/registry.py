"""Start, stop and observe the registries under test (loopback only)."""

import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time

HOST = "127.0.0.1"


class ServerError(Exception):
    pass


def free_port():
    """A free TCP port on 127.0.0.1 (bound then released; tiny race accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _die_with_parent():
    """preexec_fn: the server gets SIGKILL if the harness itself dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


class Server:
    """One registry process with filesystem storage in its own directory.

    kind is "zotd" or "distribution"; name is the label used in the report.
    """

    def __init__(self, name, kind, binary, workdir):
        self.name = name
        self.kind = kind
        self.binary = binary
        self.dir = os.path.join(workdir, name)
        self.root = os.path.join(self.dir, "storage")
        self.config_path = os.path.join(self.dir, "config.json" if kind == "zotd" else "config.yml")
        self.log_path = os.path.join(self.dir, "server.log")
        os.makedirs(self.root, exist_ok=True)
        self.proc = None
        self.port = None
        self._log = None

    # ---------------------------------------------------------------- config
    def _write_config(self):
        if self.kind == "zotd":
            cfg = {
                "distSpecVersion": "1.1.1",
                "storage": {"rootDirectory": self.root, "gc": False, "dedupe": True},
                "http": {"address": HOST, "port": str(self.port)},
                "log": {"level": "warn"},
            }
            text = json.dumps(cfg, indent=2) + "\n"
        else:
            # Minimal distribution 2.8 config: filesystem storage, no auth,
            # errors only, no access log.
            text = (
                "version: 0.1\n"
                "log:\n"
                "  level: error\n"
                "  accesslog:\n"
                "    disabled: true\n"
                "storage:\n"
                "  filesystem:\n"
                f"    rootdirectory: {self.root}\n"
                "  delete:\n"
                "    enabled: true\n"
                "  maintenance:\n"
                "    uploadpurging:\n"
                "      enabled: false\n"
                "http:\n"
                f"  addr: {HOST}:{self.port}\n"
            )
        with open(self.config_path, "w") as f:
            f.write(text)

    def command(self):
        return [self.binary, "serve", self.config_path]

    # ------------------------------------------------------------- lifecycle
    def spawn(self):
        """Start the process on a fresh free port; does not wait."""
        if self.proc is not None:
            raise ServerError(f"{self.name}: already running")
        self.port = free_port()
        self._write_config()
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n=== start {time.strftime('%H:%M:%S')} port {self.port}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,  # Ctrl-C goes to the harness, which stops us
            preexec_fn=_die_with_parent,
        )

    def start(self, timeout=60.0):
        self.spawn()
        return self.wait_ready(timeout)

    def wait_ready(self, timeout=60.0, path="/v2/"):
        """Poll GET path until 200. Returns seconds since spawn was called
        (approximately: measured from now, callers wanting exact startup time
        use timed_restart)."""
        t0 = time.perf_counter()
        deadline = t0 + timeout
        while True:
            self.check_alive()
            st = probe_status(self.port, path)
            if st == 200:
                return time.perf_counter() - t0
            if st is not None and st != 503:
                # /v2/ must answer 200 without auth; 503 = still starting
                raise ServerError(f"{self.name}: GET {path} answered {st} (expected 200)")
            if time.perf_counter() > deadline:
                raise ServerError(f"{self.name}: not ready after {timeout:.0f}s\n{self.log_tail()}")
            time.sleep(0.005)

    def check_alive(self):
        if self.proc is None:
            raise ServerError(f"{self.name}: not running")
        rc = self.proc.poll()
        if rc is not None:
            raise ServerError(f"{self.name}: process exited with code {rc}\n{self.log_tail()}")

    def stop(self, timeout=20.0):
        """SIGTERM, then SIGKILL after timeout. Returns seconds to exit."""
        if self.proc is None:
            return 0.0
        t0 = time.perf_counter()
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            except ProcessLookupError:
                pass
        dt = time.perf_counter() - t0
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        return dt

    def timed_restart(self, tags_path, timeout=600.0):
        """Stop, start again on the same storage, and time (from spawn) until
        GET /v2/ answers 200 and until the first GET tags_path answers 200.
        Returns dict with stop_s, v2_s, tags_s, tags_body."""
        stop_s = self.stop()
        t0 = time.perf_counter()
        self.spawn()
        deadline = t0 + timeout
        while True:
            self.check_alive()
            st = probe_status(self.port, "/v2/")
            if st == 200:
                break
            if st is not None and st != 503:
                raise ServerError(f"{self.name}: GET /v2/ after restart answered {st}")
            if time.perf_counter() > deadline:
                raise ServerError(f"{self.name}: /v2/ not answering 200 {timeout:.0f}s after restart")
            time.sleep(0.002)
        v2_s = time.perf_counter() - t0
        body = None
        while True:
            self.check_alive()
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
                c.request("GET", tags_path)
                r = c.getresponse()
                body = r.read()
                st = r.status
                c.close()
            except (OSError, http.client.HTTPException):
                st = None
            if st == 200:
                break
            if st is not None and st != 503:
                raise ServerError(f"{self.name}: GET {tags_path} after restart answered {st}: {body[:300]!r}")
            if time.perf_counter() > deadline:
                raise ServerError(f"{self.name}: {tags_path} not answering 200 {timeout:.0f}s after restart")
            time.sleep(0.002)
        tags_s = time.perf_counter() - t0
        return {"stop_s": stop_s, "v2_s": v2_s, "tags_s": tags_s, "tags_body": body}

    # ------------------------------------------------------------ observing
    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return f"--- last {n} lines of {self.log_path}:\n" + "\n".join(lines[-n:])
        except OSError:
            return ""

    def status_kb(self):
        """VmRSS and VmHWM in kB from /proc/<pid>/status."""
        out = {}
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        k, v = line.split(":", 1)
                        out[k] = int(v.split()[0])
        except (OSError, TypeError):
            pass
        return out

    def reset_peak(self):
        """Reset VmHWM to the current RSS (write 5 to clear_refs). True if done."""
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    def cpu_seconds(self):
        """utime+stime of the whole process (all threads)."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                s = f.read()
            fields = s[s.rindex(")") + 2:].split()
            ticks = int(fields[11]) + int(fields[12])
            return ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, TypeError):
            return None

    def disk_usage(self):
        total = 0
        for dp, _dn, fn in os.walk(self.root):
            for f in fn:
                try:
                    total += os.lstat(os.path.join(dp, f)).st_blocks * 512
                except OSError:
                    pass
        return total


def probe_status(port, path):
    """Status of a GET on a fresh connection, or None if it can't connect."""
    try:
        c = http.client.HTTPConnection(HOST, port, timeout=5)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except (OSError, http.client.HTTPException):
        return None


def _kthread_seconds():
    """CPU seconds of kernel threads (writeback, ksoftirqd...): work our own
    I/O and traffic cause, not a competing job."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        if d == "2" or fields[1] == "2":  # kthreadd and its children
            total += int(fields[11]) + int(fields[12])
    return total


def machine_busy_seconds():
    """CPU seconds spent busy on all cores by user processes, from /proc/stat
    (user+nice+system+steal), less kernel threads' time. irq/softirq time is
    left out: on loopback it is mostly our own traffic."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal ...
        busy = v[0] + v[1] + v[2] + (v[7] if len(v) > 7 else 0)
        return (busy - _kthread_seconds()) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def harness_seconds():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Observer:
    """Per-scenario server metrics: peak RSS (VmHWM after a clear_refs reset,
    plus VmRSS sampled every 20 ms) and CPU seconds used; plus the CPU used
    by everything else on the machine (neither the server nor the harness
    and its load tools), as a share of all cores: when that is high, another
    job was competing and the figures are unreliable."""

    def __init__(self, server, interval=0.02):
        self.server = server
        self.interval = interval
        self._stop = threading.Event()
        self.peak_kb = 0
        self.start_kb = 0
        self.cpu = None
        self.hwm_reset = False

    def __enter__(self):
        self.pid = self.server.pid
        self.hwm_reset = self.server.reset_peak()
        st = self.server.status_kb()
        self.start_kb = st.get("VmRSS", 0)
        self.peak_kb = self.start_kb
        self._cpu0 = self.server.cpu_seconds()
        self._busy0 = machine_busy_seconds()
        self._mine0 = harness_seconds()
        self._wall0 = time.perf_counter()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            rss = self.server.status_kb().get("VmRSS", 0)
            if rss > self.peak_kb:
                self.peak_kb = rss

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        st = self.server.status_kb()
        if self.hwm_reset:
            self.peak_kb = max(self.peak_kb, st.get("VmHWM", 0))
        self.peak_kb = max(self.peak_kb, st.get("VmRSS", 0))
        cpu1 = self.server.cpu_seconds()
        if self.server.pid != self.pid:  # restarted inside the scenario
            cpu1 = None
        if self._cpu0 is not None and cpu1 is not None:
            self.cpu = cpu1 - self._cpu0
        self.foreign_pct = None
        busy1 = machine_busy_seconds()
        wall = time.perf_counter() - self._wall0
        if self.cpu is not None and busy1 is not None and self._busy0 is not None and wall > 0:
            foreign = (busy1 - self._busy0) - self.cpu - (harness_seconds() - self._mine0)
            self.foreign_pct = min(100.0, max(0.0, 100.0 * foreign / (wall * (os.cpu_count() or 1))))
        return False

    def metrics(self):
        return {
            "server_peak_rss_mib": round(self.peak_kb / 1024, 1),
            "server_rss_before_mib": round(self.start_kb / 1024, 1),
            "server_cpu_s": None if self.cpu is None else round(self.cpu, 3),
            "foreign_cpu_pct": None if self.foreign_pct is None else round(self.foreign_pct, 1),
            "loadavg_1m": round(os.getloadavg()[0], 2),
        }
