"""podman with a store of its own under a temp dir, for the e2e tests that push or pull with it."""

import subprocess
import shutil
from pathlib import Path

import pytest

from auth_support import require_tool, run
from oci import write_oci_layout


class Podman:
    """podman with its own storage under a temp dir (vfs driver: no overlay mounts needed)."""

    def __init__(self, binary, base: Path):
        self.binary = binary
        self.base = base
        self.root = base / "storage"
        self.runroot = base / "run"

    def args(self, *rest):
        return [
            self.binary,
            "--root", str(self.root),
            "--runroot", str(self.runroot),
            "--storage-driver", "vfs",
            "--cgroup-manager", "cgroupfs",
            "--events-backend", "file",
            *rest,
        ]

    def run(self, *rest, check=True, timeout=180):
        return run(*self.args(*rest), check=check, timeout=timeout)

    def cleanup(self):
        # vfs layers may be read-only dirs; podman removes its own storage first
        subprocess.run(self.args("system", "reset", "--force"), capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        shutil.rmtree(self.base, ignore_errors=True)


def podman_or_skip(tmp_path, name):
    binary = require_tool("podman")
    p = Podman(binary, tmp_path / name)
    probe = p.run("info", check=False, timeout=60)
    if probe.returncode != 0:
        p.cleanup()
        pytest.skip("podman cannot run here: " + (probe.stderr or probe.stdout).decode(errors="replace").strip())
    return p


def load_local(podman, tmp_path, img, name):
    layout = tmp_path / f"layout-{name}"
    write_oci_layout(layout, {"v1": img})
    p = podman.run("pull", f"oci:{layout}:v1", check=False)
    if p.returncode != 0:  # a purely local step: podman itself cannot work here
        pytest.skip("podman cannot load a local image here: " + p.stderr.decode(errors="replace").strip())
    return p.stdout.decode().strip().splitlines()[-1]
