"""A zot storage root taken over in place: zotd started on zot's `rootDirectory` serves what zot held.

The root is written as zot writes it, by skopeo's `oci:` transport (`skopeo copy … oci:ROOT/<repo>:<tag>`):
one OCI image layout per repository (`oci-layout`, `index.json`, `blobs/sha256/<hex>`), nested names as
nested directories, tags as `org.opencontainers.image.ref.name` annotations. What skopeo does not write is
added the way zot does: a referrer listed untagged in `index.json`, a layer shared by two repositories as
one file with two hard links (zot's dedupe), `cache.db` at the top and `.uploads` in a repository.
"""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from auth_support import require_tool, run
from oci import (
    OCI_INDEX,
    build_artifact,
    build_image,
    build_index,
    build_runnable_image,
    canonical_json,
    push_image,
    sha256_digest,
    write_oci_layout,
)
from podman_support import podman_or_skip
from search_support import SEARCH_ON, data_of
from zotd_server import ZotdServer

pytestmark = pytest.mark.clients

REF_NAME = "org.opencontainers.image.ref.name"


class ZotRoot:
    """A zot storage root built by skopeo, with what each repository should serve."""

    def __init__(self, root: Path, source: Path):
        self.root = root
        self.source = source
        self.skopeo = require_tool("skopeo")
        self.tags: dict = {}  # repository -> {tag: manifest digest}

    def copy_in(self, repository: str, tag: str, item, extra=(), all_platforms=False):
        """skopeo copies `item` (an Image or an index Content) from a scratch layout into zot's layout."""
        src = self.source / f"{repository.replace('/', '_')}-{tag}"
        (self.root / repository).parent.mkdir(parents=True, exist_ok=True)
        write_oci_layout(src, {tag: item}, extra_blobs=extra)
        flags = ["--all"] if all_platforms else []
        run(self.skopeo, "copy", *flags, "--preserve-digests", f"oci:{src}:{tag}", f"oci:{self.root / repository}:{tag}")
        digest = item.digest if hasattr(item, "manifest") else sha256_digest(item.data)
        self.tags.setdefault(repository, {})[tag] = digest
        return digest

    def blob_file(self, repository: str, digest: str) -> Path:
        return self.root / repository / "blobs" / "sha256" / digest.split(":", 1)[1]

    def add_untagged_manifest(self, repository: str, image):
        """What zot does with a pushed referrer: its blobs and manifest in the repository's `blobs/`, and an
        untagged descriptor in `index.json`."""
        for content in [*image.blobs, image.manifest]:
            self.blob_file(repository, content.digest).write_bytes(content.data)
        index_path = self.root / repository / "index.json"
        index = json.loads(index_path.read_text())
        index["manifests"].append(image.manifest.descriptor())
        index_path.write_bytes(canonical_json(index))

    def share_by_hard_link(self, digest: str, owner: str, sharer: str):
        """zot's dedupe: the second repository's copy of a blob becomes a hard link to the first's."""
        shared = self.blob_file(sharer, digest)
        shared.unlink()
        os.link(self.blob_file(owner, digest), shared)

    def snapshot(self) -> dict:
        """Every file of zot's under the root (zotd's `_zotd` aside): content, mode and modification time."""
        files = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if relative.parts[0] == "_zotd" or not path.is_file():
                continue
            info = path.stat()
            files[str(relative)] = (sha256_digest(path.read_bytes()), info.st_mode, info.st_mtime_ns, info.st_size)
        return files


def build_zot_root(root: Path, source: Path) -> ZotRoot:
    zot = ZotRoot(root, source)
    base = build_runnable_image(2)
    app_v1 = build_runnable_image(2)
    app_v2 = build_runnable_image(1)
    zot.copy_in("library/app", "v1", app_v1)
    zot.copy_in("library/app", "v2", app_v2)
    zot.copy_in("library/base", "stable", base)
    # The same layer in two repositories, deduplicated by zot as hard links of one file.
    shared = build_runnable_image(1)
    shared_layer = shared.layers[0]
    with_shared = build_image(layers=[build_runnable_image(1).layers[0], shared_layer])
    zot.copy_in("library/base", "shared", shared)
    zot.copy_in("team/tools/cli", "with-shared", with_shared)
    zot.share_by_hard_link(shared_layer.digest, owner="library/base", sharer="team/tools/cli")
    # A multi-arch index, copied with every platform image.
    amd, arm = build_runnable_image(1), build_runnable_image(1)
    index = build_index([amd, arm])
    zot.copy_in("team/tools/cli", "multi", index, extra=[*amd.blobs, amd.manifest, *arm.blobs, arm.manifest],
                all_platforms=True)
    # `team` is a repository too, above `team/tools/cli`; `blobs` is a valid repository name.
    zot.copy_in("team", "latest", build_runnable_image(1))
    zot.copy_in("blobs", "v1", build_runnable_image(1))
    # A signature-like referrer of library/app:v1, listed untagged as zot lists it.
    referrer = build_artifact("application/vnd.example.signature", subject=app_v1.manifest)
    zot.add_untagged_manifest("library/app", referrer)
    zot.referrer, zot.app_v1, zot.index, zot.platforms = referrer, app_v1, index, (amd, arm)
    zot.shared_layer = shared_layer
    # zot's own files, which zotd leaves alone.
    (root / "cache.db").write_bytes(b"zot's boltdb: not zotd's to touch")
    (root / "library" / "app" / ".uploads").mkdir()
    (root / "library" / "app" / ".uploads" / "0d1b5c7e").write_bytes(b"half an upload")
    return zot


@pytest.fixture
def zot_root(tmp_path, zotd_binary):
    """A fresh zot root under a server's work directory, and the (not yet started) zotd configured on it."""
    server = ZotdServer(zotd_binary, tmp_path / "server")
    zot = build_zot_root(server.root_dir, tmp_path / "sources")
    yield zot, server
    server.stop()


def adoption_summaries(server) -> list:
    return re.findall(r"adopted (\d+) of (\d+) zot repositories", server.log_path.read_text())


def test_catalog_lists_every_repository_of_the_zot_root(zot_root):
    """Nested names (`team/tools/cli` beside `team`) and a repository called `blobs` are all listed."""
    zot, server = zot_root
    server.start()
    r = server.get("/v2/_catalog")
    assert r.status_code == 200
    assert r.json()["repositories"] == sorted(zot.tags)


def test_tags_are_the_ref_name_annotations_of_index_json(zot_root):
    """Each repository's tags are its `org.opencontainers.image.ref.name` annotations, pointing at the same
    digests; the untagged referrer adds no tag."""
    zot, server = zot_root
    server.start()
    for repository, tags in zot.tags.items():
        assert server.get(f"/v2/{repository}/tags/list").json()["tags"] == sorted(tags), repository
        for tag, digest in tags.items():
            r = server.head(f"/v2/{repository}/manifests/{tag}", headers={"Accept": OCI_INDEX + ", */*"})
            assert r.status_code == 200 and r.headers["Docker-Content-Digest"] == digest, (repository, tag)


def test_skopeo_pulls_adopted_images_with_identical_digests_and_blobs(zot_root, tmp_path):
    """`skopeo copy docker://zotd/…` of an adopted tag gets the very manifest and blobs zot's files hold."""
    zot, server = zot_root
    server.start()
    ref = f"docker://{server.hostport}/library/app:v1"
    raw = run(zot.skopeo, "inspect", "--raw", "--tls-verify=false", ref).stdout
    assert sha256_digest(raw) == zot.tags["library/app"]["v1"]
    run(zot.skopeo, "copy", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'out'}:v1")
    for blob in zot.app_v1.blobs:
        pulled = tmp_path / "out" / "blobs" / "sha256" / blob.digest.split(":", 1)[1]
        assert pulled.read_bytes() == zot.blob_file("library/app", blob.digest).read_bytes()


def test_skopeo_pulls_every_platform_of_an_adopted_multi_arch_index(zot_root, tmp_path):
    """The index skopeo wrote with `--all`, whose platform images only its blobs hold, is served whole."""
    zot, server = zot_root
    server.start()
    ref = f"docker://{server.hostport}/team/tools/cli:multi"
    assert run(zot.skopeo, "inspect", "--raw", "--tls-verify=false", ref).stdout == zot.index.data
    run(zot.skopeo, "copy", "--all", "--src-tls-verify=false", "--preserve-digests", ref, f"oci:{tmp_path / 'out'}:m")
    for platform in zot.platforms:
        assert server.get(f"/v2/team/tools/cli/manifests/{platform.digest}").content == platform.manifest.data


def test_a_referrer_listed_untagged_in_index_json_is_served_by_the_referrers_api(zot_root):
    zot, server = zot_root
    server.start()
    listing = server.get(f"/v2/library/app/referrers/{zot.app_v1.digest}")
    assert listing.status_code == 200
    assert [m["digest"] for m in listing.json()["manifests"]] == [zot.referrer.digest]


def test_podman_pulls_an_adopted_image(zot_root, tmp_path):
    zot, server = zot_root
    server.start()
    # podman refuses a runroot longer than 50 characters: a short directory of its own.
    base = Path(tempfile.mkdtemp(prefix="pm-", dir="/tmp"))
    try:
        podman = podman_or_skip(base, "pm")
        podman.run("pull", "--tls-verify=false", f"{server.hostport}/library/base:stable")
        listed = json.loads(podman.run("image", "inspect", f"{server.hostport}/library/base:stable").stdout)[0]
        assert listed["Digest"] == zot.tags["library/base"]["stable"]
        podman.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_blob_files_are_hard_linked_and_no_file_of_zots_changes(zot_root):
    """zotd's copy of an adopted layer is zot's file under a second name (same inode), including a layer zot
    itself deduplicated; after adoption, new pushes and a restart, every file of zot's (`cache.db` and
    `.uploads` included) has its old content, mode and time, so the user can go back to zot."""
    zot, server = zot_root
    before = zot.snapshot()
    server.start()
    for layer in [zot.app_v1.layers[0], zot.shared_layer]:
        hexpart = layer.digest.split(":", 1)[1]
        ours = server.state_dir / "blobs" / "sha256" / hexpart[:2] / hexpart
        owner = "library/app" if layer is not zot.shared_layer else "library/base"
        assert ours.stat().st_ino == zot.blob_file(owner, layer.digest).stat().st_ino, layer.digest
    push_image(server, "library/app", "v3", build_runnable_image(1))
    server.restart()
    assert zot.snapshot() == before


def test_new_pushes_beside_adopted_images_survive_a_restart(zot_root):
    """A tag pushed to an adopted repository and a new repository are kept with the adopted tags."""
    zot, server = zot_root
    server.start()
    pushed = build_runnable_image(1)
    assert push_image(server, "library/app", "v3", pushed).status_code == 201
    assert push_image(server, "fresh/repo", "v1", pushed).status_code == 201
    server.restart()
    assert server.get("/v2/library/app/tags/list").json()["tags"] == ["v1", "v2", "v3"]
    assert server.get("/v2/_catalog").json()["repositories"] == sorted([*zot.tags, "fresh/repo"])
    assert server.get("/v2/library/app/manifests/v3").content == pushed.manifest.data


def test_a_restart_adopts_nothing_twice(zot_root):
    """The second start passes every repository by (its index.json is the one adopted), so a tag deleted in
    zotd since stays deleted."""
    zot, server = zot_root
    server.start()
    assert server.delete("/v2/library/app/manifests/v2").status_code == 202
    server.restart()
    assert adoption_summaries(server) == [("5", "5"), ("0", "5")]
    assert server.get("/v2/library/app/tags/list").json()["tags"] == ["v1"]


def test_a_repository_zot_changed_since_is_adopted_again(zot_root):
    """A tag zot added to a repository's index.json while zotd was stopped appears at the next start."""
    zot, server = zot_root
    server.start()
    server.stop()
    added = zot.copy_in("library/app", "v9", build_runnable_image(1))
    server.start()
    assert adoption_summaries(server)[-1] == ("1", "5")
    assert server.head("/v2/library/app/manifests/v9").headers["Docker-Content-Digest"] == added


def test_a_corrupted_blob_file_is_reported_and_never_served(zot_root):
    """A layer file whose bytes no longer match its digest keeps its image out: the log names the file, the
    tag and blob answer 404, the repository's other tags are served, and the next start reports it again."""
    zot, server = zot_root
    layer = zot.app_v1.layers[0]
    damaged = zot.blob_file("library/app", layer.digest)
    damaged.write_bytes(b"X" + damaged.read_bytes()[1:])
    server.start()
    log = server.log_path.read_text()
    assert f"blob file {damaged} does not match its digest" in log
    assert server.get("/v2/library/app/manifests/v1").status_code == 404
    assert server.get(f"/v2/library/app/blobs/{layer.digest}").status_code == 404
    assert server.get("/v2/library/app/manifests/v2").status_code == 200
    server.restart()
    assert server.log_path.read_text().count(f"blob file {damaged} does not match its digest") == 2


def test_search_finds_the_adopted_images_from_the_first_answer(zot_root):
    """With the search extension, the adopted images are in its index (rebuilt after adopting) as soon as
    the server answers."""
    zot, server = zot_root
    server.extensions = SEARCH_ON
    server.start()
    results = data_of(server, '{ImageList(repo:"library/app") {Results {RepoName Tag Digest}}}')["ImageList"]["Results"]
    assert {(r["Tag"], r["Digest"]) for r in results} == set(zot.tags["library/app"].items())


def test_zotd_verify_says_what_the_zot_root_holds(zot_root):
    zot, server = zot_root
    server.port = 5000
    server._write_config()
    out = run(server.binary, "verify", server.config_path).stdout.decode()
    assert "storage: 5 repositories in zot's layout (blobs, library/app, library/base, team, team/tools/cli)" in out
    assert not (server.root_dir / "_zotd").exists(), "verify must change nothing"


def test_an_older_zotd_root_moves_under_the_zotd_directory(fresh_registry):
    """A root written by a zotd that kept `blobs/`, `uploads/` and `zotd.db` at the top is moved into
    `_zotd/` at start, its images served as before."""
    server = fresh_registry
    image = build_runnable_image(1)
    assert push_image(server, "old/layout", "v1", image).status_code == 201
    server.stop()
    for entry in list(server.state_dir.iterdir()):
        entry.rename(server.root_dir / entry.name)
    shutil.rmtree(server.state_dir)
    server.start()
    assert "moved zotd's own files into" in server.log_path.read_text()
    assert not (server.root_dir / "zotd.db").exists() and (server.state_dir / "zotd.db").exists()
    assert server.get("/v2/old/layout/manifests/v1").content == image.manifest.data
