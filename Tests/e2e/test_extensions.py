"""Extensions: discover (compiled in AND enabled), mgmt's config answer, lint's mandatory annotations.

zot-behaviour.md, Extensions: "an endpoint is listed only when compiled in AND enabled; nothing enabled
-> `{"extensions":[]}`"; "Present-but-empty extension key enables it: `"search": {}` is on;
`"enable": false` is off"; "mgmt: `GET /v2/_zot/ext/mgmt?resource=config` -> which auth methods are on
[...], never secrets". zot's pkg/extensions/lint: an image manifest missing a mandatory annotation (in its
annotations, then in its config's `config.Labels`) is refused with 400 MANIFEST_INVALID.

Each test starts its own zotd with the `extensions` section it needs (`zotd_with`); tests of an extension
the binary was built without are skipped (`zotd --version` lists the compiled-in labels).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from oci import (
    OCI_CONFIG,
    Content,
    assert_oci_error,
    build_image,
    build_index,
    canonical_json,
    push_blob,
    push_image,
    random_bytes,
    sha256_digest,
)
from zotd_server import ZotdServer

MGMT = "/v2/_zot/ext/mgmt"
DISCOVER = "/v2/_oci/ext/discover"
TITLE = "org.opencontainers.image.title"
LICENSES = "org.opencontainers.image.licenses"


@pytest.fixture
def zotd_with(request, zotd_binary):
    """`zotd_with({"mgmt": {}})` starts a zotd of this test's own with that `extensions` section."""
    started = []

    def make(extensions) -> ZotdServer:
        server = ZotdServer(
            zotd_binary, Path(tempfile.mkdtemp(prefix="zotd-e2e-ext-")), extensions=extensions
        )
        started.append(server)
        # conftest's report hook attaches the logs of the servers listed here to a failing test.
        if not hasattr(request.node, "_zotd_servers"):
            request.node._zotd_servers = []
        request.node._zotd_servers.append(server)
        return server.start()

    yield make
    try:
        dead = [s for s in started if s.crashed()]
        assert not dead, f"zotd exited on its own (code {dead[0].proc.returncode})\n{dead[0].log_tail()}"
    finally:
        for server in started:
            try:
                server.stop()
            finally:
                shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def compiled_labels(zotd_binary) -> set:
    """The extension labels compiled into the binary, from `zotd --version` ("extensions: a,b" or "none")."""
    out = subprocess.run([zotd_binary, "--version"], capture_output=True, text=True, timeout=30)
    text = out.stdout + out.stderr
    m = re.search(r"extensions: ([^)\s]+)", text)
    assert m, f"zotd --version does not list its extensions: {text!r}"
    return set() if m.group(1) == "none" else set(m.group(1).split(","))


def needs(compiled_labels, label):
    if label not in compiled_labels:
        pytest.skip(f"zotd was built without the {label} extension")


# ------------------------------------------------------------------------------------------- discover


def test_discover_lists_nothing_without_extensions(zotd_with):
    reg = zotd_with(None)
    r = reg.get(DISCOVER)
    assert r.status_code == 200
    assert r.json() == {"extensions": []}


def test_discover_lists_nothing_for_extensions_without_endpoints(zotd_with, compiled_labels):
    """lint has no endpoint of its own; an empty `extensions` object enables nothing."""
    for extensions in ({}, {"lint": {}} if "lint" in compiled_labels else {}):
        reg = zotd_with(extensions)
        assert reg.get(DISCOVER).json() == {"extensions": []}


def test_discover_lists_mgmt_when_present(zotd_with, compiled_labels):
    needs(compiled_labels, "mgmt")
    for section in ({}, {"enable": True}):
        reg = zotd_with({"mgmt": section})
        body = reg.get(DISCOVER).json()
        assert len(body["extensions"]) == 1, body
        entry = body["extensions"][0]
        assert entry["name"] == "_zot"
        assert entry["description"] == "zot registry extensions"
        assert entry["endpoints"] == [MGMT]


def test_discover_omits_mgmt_when_disabled(zotd_with, compiled_labels):
    needs(compiled_labels, "mgmt")
    reg = zotd_with({"mgmt": {"enable": False}})
    assert reg.get(DISCOVER).json() == {"extensions": []}
    assert reg.get(MGMT, params={"resource": "config"}).status_code == 404


# ----------------------------------------------------------------------------------------------- mgmt


def test_mgmt_answers_the_stripped_config(zotd_with, compiled_labels):
    needs(compiled_labels, "mgmt")
    reg = zotd_with({"mgmt": {}})
    r = reg.get(MGMT, params={"resource": "config"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    body = r.json()
    assert body["distSpecVersion"] == "1.1.1"
    assert "-mgmt" in body["binaryType"]
    for key in ("commit", "releaseTag"):
        assert isinstance(body[key], str)
    # No http.auth in the config: zot leaves `auth` out.
    assert body["http"] == {}
    assert body["storage"]["gc"] is False and body["storage"]["dedupe"] is True
    # Nothing about where or how things are stored on this machine.
    assert str(reg.root_dir) not in r.text and str(reg.workdir) not in r.text
    assert set(body) == {"distSpecVersion", "commit", "releaseTag", "binaryType", "http", "storage"}


def test_mgmt_without_resource_is_the_config(zotd_with, compiled_labels):
    needs(compiled_labels, "mgmt")
    reg = zotd_with({"mgmt": {}})
    assert reg.get(MGMT).json() == reg.get(MGMT, params={"resource": "config"}).json()


@pytest.mark.parametrize("resource", ["signatures", "", "nonsense"])
def test_mgmt_refuses_other_resources(zotd_with, compiled_labels, resource):
    needs(compiled_labels, "mgmt")
    reg = zotd_with({"mgmt": {}})
    assert reg.get(MGMT, params={"resource": resource}).status_code == 400


# ----------------------------------------------------------------------------------------------- lint


@pytest.fixture
def linted(zotd_with, compiled_labels):
    needs(compiled_labels, "lint")
    return zotd_with({"lint": {"enable": True, "mandatoryAnnotations": [TITLE, LICENSES]}})


def _put(reg, repo, ref, manifest: Content):
    return reg.put(f"/v2/{repo}/manifests/{ref}", data=manifest.data, headers={"Content-Type": manifest.media_type})


def _image_with_labels(labels: dict, **kwargs):
    layer = Content(random_bytes(256), "application/vnd.oci.image.layer.v1.tar+gzip")
    config = Content(
        canonical_json(
            {
                "architecture": "amd64",
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [sha256_digest(layer.data)]},
                "config": {"Labels": labels},
            }
        ),
        OCI_CONFIG,
    )
    return build_image(config=config, layers=[layer], **kwargs)


def test_lint_refuses_a_missing_annotation_and_names_it(linted, repo):
    image = build_image(annotations={TITLE: "demo"})
    for blob in image.blobs:
        push_blob(linted, repo, blob.data)
    r = _put(linted, repo, "v1", image.manifest)
    err = assert_oci_error(r, 400, "MANIFEST_INVALID")
    assert LICENSES in str(err.get("detail")), err
    assert TITLE not in str(err.get("detail")), "only the missing annotation is named"
    # Nothing was stored.
    assert linted.get(f"/v2/{repo}/manifests/v1").status_code == 404


def test_lint_accepts_annotations_in_the_manifest(linted, repo):
    image = build_image(annotations={TITLE: "demo", LICENSES: "MIT"})
    r = push_image(linted, repo, "v1", image)
    assert r.status_code == 201
    assert linted.get(f"/v2/{repo}/manifests/v1").status_code == 200


def test_lint_accepts_annotations_in_the_config_labels(linted, repo):
    image = _image_with_labels({LICENSES: "MIT"}, annotations={TITLE: "demo"})
    assert push_image(linted, repo, "v1", image).status_code == 201


def test_lint_does_not_check_indexes(linted, repo):
    """zot lints image manifests only; the index's images were checked when they were pushed."""
    image = build_image(annotations={TITLE: "demo", LICENSES: "MIT"})
    push_image(linted, repo, image.digest, image)
    index = build_index([image])
    assert _put(linted, repo, "multi", index).status_code == 201


def test_lint_disabled_accepts_anything(zotd_with, compiled_labels, repo):
    needs(compiled_labels, "lint")
    reg = zotd_with({"lint": {"enable": False, "mandatoryAnnotations": [TITLE]}})
    assert push_image(reg, repo, "v1", build_image()).status_code == 201
