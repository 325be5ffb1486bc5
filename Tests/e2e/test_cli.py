"""The command line: `zotd --version`, `zotd verify CONFIG`, and `serve` refusing a bad config."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REFERENCE = os.environ.get("ZOTD_REFERENCE", "")

pytestmark = pytest.mark.skipif(REFERENCE != "", reason="zotd's own command line")

ZOT_CONFIGS = Path(os.environ.get("ZOT_CONFIGS_DIR", Path(__file__).resolve().parents[3] / "shared" / "reference" / "zot-configs"))


def run(binary, *args, timeout=30):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def good_config(tmp_path):
    return {
        "distSpecVersion": "1.1.1",
        "storage": {"rootDirectory": str(tmp_path / "root"), "gc": True, "gcDelay": "1h", "gcInterval": "1h"},
        "http": {"address": "127.0.0.1", "port": "8080"},
        "log": {"level": "info"},
    }


def write(tmp_path, config, name="config.json"):
    path = tmp_path / name
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    return str(path)


def test_version_prints_a_version_and_exits_0(zotd_binary):
    """`zotd --version` prints the version on one line and exits 0."""
    p = run(zotd_binary, "--version")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip(), "no version printed"


def test_verify_accepts_a_good_config(zotd_binary, tmp_path):
    """`zotd verify CONFIG` exits 0 for a good config."""
    p = run(zotd_binary, "verify", write(tmp_path, good_config(tmp_path)))
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("version", ["1.0.1", "1.1.0", "1.1.1"])
def test_verify_accepts_each_dist_spec_version(zotd_binary, tmp_path, version):
    """zot-behaviour.md: "`distSpecVersion` in configs is "1.1.1" (older configs say "1.0.1", "1.1.0"):
    accept all three."""
    cfg = good_config(tmp_path)
    cfg["distSpecVersion"] = version
    p = run(zotd_binary, "verify", write(tmp_path, cfg))
    assert p.returncode == 0, p.stdout + p.stderr


def test_verify_warns_about_an_unknown_key_and_names_it(zotd_binary, tmp_path):
    """Issue #2: "an unknown key: a warning naming it" (wrong types and values are errors)."""
    cfg = good_config(tmp_path)
    cfg["storage"]["rootDirectry"] = "/typo"
    p = run(zotd_binary, "verify", write(tmp_path, cfg))
    assert p.returncode == 0, p.stderr
    assert "warning" in p.stderr and "storage.rootDirectry" in p.stderr


def test_verify_rejects_a_bad_duration_and_names_the_key(zotd_binary, tmp_path):
    """`gcDelay` is a duration ("2h", "1m30s"); "soon" is not, and the message says which key."""
    cfg = good_config(tmp_path)
    cfg["storage"]["gcDelay"] = "soon"
    p = run(zotd_binary, "verify", write(tmp_path, cfg))
    assert p.returncode != 0
    assert "gcDelay" in p.stdout + p.stderr


def test_verify_rejects_a_config_without_root_directory(zotd_binary, tmp_path):
    """`storage.rootDirectory` is required."""
    cfg = good_config(tmp_path)
    del cfg["storage"]["rootDirectory"]
    p = run(zotd_binary, "verify", write(tmp_path, cfg))
    assert p.returncode != 0
    assert "rootDirectory" in p.stdout + p.stderr


def test_verify_rejects_malformed_json(zotd_binary, tmp_path):
    """A file that is not JSON is refused with a non-zero exit, not a crash."""
    p = run(zotd_binary, "verify", write(tmp_path, '{"storage": '))
    assert p.returncode > 0, (p.returncode, p.stderr)


def test_verify_rejects_a_missing_file(zotd_binary, tmp_path):
    """A config path that does not exist: non-zero exit, the path in the message."""
    missing = str(tmp_path / "absent.json")
    p = run(zotd_binary, "verify", missing)
    assert p.returncode > 0
    assert "absent.json" in p.stdout + p.stderr


def test_serve_with_a_bad_config_exits_non_zero(zotd_binary, tmp_path):
    """`zotd serve` refuses the same configs `verify` refuses, and exits instead of running."""
    cfg = good_config(tmp_path)
    cfg["http"]["port"] = "not-a-port"
    p = run(zotd_binary, "serve", write(tmp_path, cfg), timeout=30)
    assert p.returncode > 0
    assert "port" in p.stdout + p.stderr


def _zot_example_configs():
    if not ZOT_CONFIGS.is_dir():
        return []
    return sorted(p.name for p in ZOT_CONFIGS.glob("*.json"))


@pytest.mark.parametrize("name", _zot_example_configs())
def test_verify_accepts_zot_example_config_or_names_the_unsupported_key(zotd_binary, name):
    """README.md (reference): "A zot user's config must work with zotd: `zotd verify` accepts each of them,
    or names precisely the key it does not support and why"."""
    path = ZOT_CONFIGS / name
    p = run(zotd_binary, "verify", str(path))
    if p.returncode == 0:
        return
    out = p.stdout + p.stderr
    keys = set()

    def collect(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                keys.add(k)
                collect(v)
        elif isinstance(obj, list):
            for v in obj:
                collect(v)

    collect(json.loads(path.read_text()))
    named = [k for k in keys if k in out]
    assert named, f"{name}: verify failed (code {p.returncode}) without naming any key of the config:\n{out[-800:]}"
