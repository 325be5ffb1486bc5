"""Real clients against the real server: skopeo, oras (Python library), podman.

A missing tool skips its tests with the reason (and fails them when `CI` is set: CI installs the tools
with scripts/install-test-deps.sh, so a skip there would hide a broken install). Podman skips with the
exact message it printed when it cannot run on this machine at all (storage, namespaces...).
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from auth_support import oras_client_for, require_tool, run
from podman_support import Podman, load_local, podman_or_skip
from oci import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    build_index,
    build_runnable_image,
    sha256_digest,
    write_oci_layout,
)

pytestmark = pytest.mark.clients

# ============================================================================== skopeo


@pytest.fixture
def skopeo():
    return require_tool("skopeo")


def skopeo_inspect_raw(skopeo, ref):
    return run(skopeo, "inspect", "--raw", "--tls-verify=false", ref).stdout


def blob_files(layout: Path):
    return {
        "sha256:" + p.name: p.read_bytes() for p in (layout / "blobs" / "sha256").iterdir() if p.is_file()
    }


def test_skopeo_copies_a_multi_layer_oci_image_in_with_identical_digest(registry, repo, skopeo, tmp_path):
    """`skopeo copy oci:DIR:tag docker://HOST/repo:tag` pushes the image; the registry then serves the
    very manifest bytes skopeo pushed (`skopeo inspect --raw`), so the digest is identical."""
    img = build_runnable_image(3)
    write_oci_layout(tmp_path / "src", {"v1": img})
    dest = f"docker://{registry.hostport}/{repo}:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", dest)
    raw = skopeo_inspect_raw(skopeo, dest)
    assert sha256_digest(raw) == img.digest
    assert raw == img.manifest.data
    for blob in img.blobs:
        r = registry.get(f"/v2/{repo}/blobs/{blob.digest}")
        assert r.status_code == 200 and r.content == blob.data


def test_skopeo_copies_the_image_back_out_with_identical_blobs(registry, repo, skopeo, tmp_path):
    """Pushed with skopeo and pulled back with skopeo into a new OCI layout: the same manifest digest and
    every config and layer blob identical."""
    img = build_runnable_image(3)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{registry.hostport}/{repo}:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "copy", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'dst'}:v1")
    index = json.loads((tmp_path / "dst" / "index.json").read_text())
    assert [m["digest"] for m in index["manifests"]] == [img.digest]
    pulled = blob_files(tmp_path / "dst")
    for blob in [*img.blobs, img.manifest]:
        assert pulled.get(blob.digest) == blob.data, f"blob {blob.digest} differs after the round trip"


def test_skopeo_copies_a_multi_arch_index_with_all(registry, repo, skopeo, tmp_path):
    """`skopeo copy --all` of an OCI index pushes every platform's image and then the index itself;
    the registry serves the index bytes unchanged."""
    a, b = build_runnable_image(2), build_runnable_image(2)
    index = build_index([a, b])
    extra = [*a.blobs, a.manifest, *b.blobs, b.manifest]
    write_oci_layout(tmp_path / "src", {"multi": index}, extra_blobs=extra)
    dest = f"docker://{registry.hostport}/{repo}:multi"
    run(skopeo, "copy", "--all", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:multi", dest)
    assert skopeo_inspect_raw(skopeo, dest) == index.data
    r = registry.get(f"/v2/{repo}/manifests/multi")
    assert r.headers.get("Content-Type") == OCI_INDEX
    for img in (a, b):
        assert registry.get(f"/v2/{repo}/manifests/{img.digest}").content == img.manifest.data


def test_skopeo_copies_between_repositories_of_the_registry(registry, repo, skopeo, tmp_path):
    """registry-to-registry copy within zotd (skopeo tries a cross-repository mount for each blob): the
    copy has the same digest."""
    img = build_runnable_image(2)
    write_oci_layout(tmp_path / "src", {"v1": img})
    src = f"docker://{registry.hostport}/{repo}:v1"
    dst = f"docker://{registry.hostport}/{repo}-copy:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests", f"oci:{tmp_path / 'src'}:v1", src)
    run(skopeo, "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests", src, dst)
    assert sha256_digest(skopeo_inspect_raw(skopeo, dst)) == img.digest
    for blob in img.blobs:
        assert registry.get(f"/v2/{repo}-copy/blobs/{blob.digest}").content == blob.data


def test_skopeo_list_tags_lists_pushed_tags(registry, repo, skopeo, tmp_path):
    """`skopeo list-tags` reads `/v2/<name>/tags/list` (following `Link` pages)."""
    img = build_runnable_image(1)
    write_oci_layout(tmp_path / "src", {"v1": img})
    for tag in ("v1", "v2", "latest"):
        run(skopeo, "copy", "--dest-tls-verify=false", f"oci:{tmp_path / 'src'}:v1", f"docker://{registry.hostport}/{repo}:{tag}")
    out = json.loads(run(skopeo, "list-tags", "--tls-verify=false", f"docker://{registry.hostport}/{repo}").stdout)
    assert sorted(out["Tags"]) == ["latest", "v1", "v2"]


def test_skopeo_delete_removes_the_image(registry, repo, skopeo, tmp_path):
    """`skopeo delete` resolves the tag and sends `DELETE /v2/<name>/manifests/<digest>`; the image is
    then gone."""
    img = build_runnable_image(1)
    write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{registry.hostport}/{repo}:v1"
    run(skopeo, "copy", "--dest-tls-verify=false", f"oci:{tmp_path / 'src'}:v1", ref)
    run(skopeo, "delete", "--tls-verify=false", ref)
    assert registry.get(f"/v2/{repo}/manifests/{img.digest}").status_code == 404


# ============================================================================== oras


@pytest.fixture
def oras_client(registry):
    return oras_client_for(registry)


def _files(tmp_path, contents):
    paths = []
    for name, data in contents.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(str(p))
    return paths


def test_oras_pushes_and_pulls_an_artifact(registry, repo, oras_client, tmp_path):
    """oras-py pushes files as an OCI artifact and pulls them back unchanged."""
    contents = {"readme.txt": b"hello zotd\n", "data.bin": os.urandom(100000)}
    target = f"{registry.hostport}/{repo}:v1"
    r = oras_client.push(target=target, files=_files(tmp_path, contents), disable_path_validation=True)
    assert r.status_code == 201
    out = tmp_path / "out"
    pulled = oras_client.pull(target=target, outdir=str(out))
    assert sorted(Path(p).name for p in pulled) == sorted(contents)
    for name, data in contents.items():
        assert (out / name).read_bytes() == data


def test_oras_chunked_push_is_pullable(registry, repo, oras_client, tmp_path):
    """oras-py's chunked upload (POST, PATCH with Content-Range per chunk, PUT) stores the same bytes."""
    contents = {"big.bin": os.urandom(300000)}
    target = f"{registry.hostport}/{repo}:chunked"
    r = oras_client.push(
        target=target, files=_files(tmp_path, contents), disable_path_validation=True, do_chunked=True, chunk_size=65536
    )
    assert r.status_code == 201
    out = tmp_path / "out"
    oras_client.pull(target=target, outdir=str(out))
    assert (out / "big.bin").read_bytes() == contents["big.bin"]


def test_oras_attached_referrer_is_listed_by_the_referrers_api(registry, repo, oras_client, tmp_path):
    """An artifact pushed by oras with `subject` set to an image (a signature, say) is listed by
    `GET /v2/<name>/referrers/<digest>` with its artifact type and annotations."""
    import oras.oci

    target = f"{registry.hostport}/{repo}:v1"
    oras_client.push(target=target, files=_files(tmp_path, {"app.txt": b"app"}), disable_path_validation=True)
    head = registry.head(f"/v2/{repo}/manifests/v1", headers={"Accept": OCI_MANIFEST})
    subject = oras.oci.Subject(
        mediaType=OCI_MANIFEST, digest=head.headers["Docker-Content-Digest"], size=int(head.headers["Content-Length"])
    )
    sig_dir = tmp_path / "sig"
    sig_dir.mkdir()
    r = oras_client.push(
        target=f"{registry.hostport}/{repo}:sig",
        files=_files(sig_dir, {"signature.json": b'{"sig": "e2e"}'}),
        disable_path_validation=True,
        subject=subject,
        manifest_annotations={"org.example.signed-by": "e2e"},
        manifest_config=f"{sig_dir / 'signature.json'}:application/vnd.example.signature.config.v1+json",
    )
    assert r.status_code == 201
    assert r.headers.get("OCI-Subject") == subject.digest
    sig_digest = r.headers["Docker-Content-Digest"]
    listing = registry.get(f"/v2/{repo}/referrers/{subject.digest}")
    assert listing.status_code == 200
    entries = {d["digest"]: d for d in listing.json()["manifests"]}
    assert sig_digest in entries, listing.text
    sig_manifest = registry.get(f"/v2/{repo}/manifests/{sig_digest}").json()
    expected_type = sig_manifest.get("artifactType") or sig_manifest["config"]["mediaType"]
    assert entries[sig_digest]["artifactType"] == expected_type
    assert entries[sig_digest]["annotations"]["org.example.signed-by"] == "e2e"


# ============================================================================== podman


@pytest.fixture
def podman_pair():
    """Two independent podman stores: one pushes, the other pulls. (Short paths: podman refuses a
    runroot longer than 50 characters.)"""
    base = Path(tempfile.mkdtemp(prefix="pm-", dir="/tmp"))
    try:
        a = podman_or_skip(base, "a")
        b = Podman(a.binary, base / "b")
        yield a, b
        a.cleanup()
        b.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _inspect(podman, ref):
    out = podman.run("image", "inspect", ref).stdout
    return json.loads(out)[0]


def test_podman_pushes_and_pulls_an_image(registry, repo, podman_pair, tmp_path):
    """`podman push --tls-verify=false` into zotd, then `podman pull` into another store: the same image
    (image ID = config digest) with the same layers."""
    pusher, puller = podman_pair
    img = build_runnable_image(3)
    image_id = load_local(pusher, tmp_path, img, "a")
    ref = f"{registry.hostport}/{repo}:v1"
    pusher.run("push", "--tls-verify=false", image_id, f"docker://{ref}")
    puller.run("pull", "--tls-verify=false", ref)
    pushed, pulled = _inspect(pusher, image_id), _inspect(puller, ref)
    assert pulled["Id"] == pushed["Id"]
    assert pulled["RootFS"]["Layers"] == json.loads(img.config.data)["rootfs"]["diff_ids"]


def test_podman_pushes_docker_schema2_and_pulls_it_back(registry, repo, podman_pair, tmp_path):
    """zot-behaviour.md: zotd "accepts Docker schema2 manifests [...] by default (docker and podman push
    them)": `podman push --format v2s2` lands as `application/vnd.docker.distribution.manifest.v2+json`
    and pulls back with the same layers."""
    pusher, puller = podman_pair
    img = build_runnable_image(2)
    image_id = load_local(pusher, tmp_path, img, "a")
    ref = f"{registry.hostport}/{repo}:v2s2"
    pusher.run("push", "--tls-verify=false", "--format", "v2s2", image_id, f"docker://{ref}")
    r = registry.get(f"/v2/{repo}/manifests/v2s2", headers={"Accept": DOCKER_MANIFEST})
    assert r.status_code == 200
    assert r.headers.get("Content-Type") == DOCKER_MANIFEST
    assert r.json()["mediaType"] == DOCKER_MANIFEST
    puller.run("pull", "--tls-verify=false", ref)
    assert _inspect(puller, ref)["RootFS"]["Layers"] == json.loads(img.config.data)["rootfs"]["diff_ids"]
