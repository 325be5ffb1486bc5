"""Garbage collection with short `gcDelay`/`gcInterval`: what goes, what stays, and pushes during GC.

Each test runs its own zotd with `"gc": true, "gcDelay": "2s", "gcInterval": "1s"`, waits by polling
with a bound (never a fixed long sleep), and uses an unreferenced "witness" blob whose disappearance
proves that a GC pass has run.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from oci import (
    OCI_LAYER_TAR_GZIP,
    Content,
    absolute_location,
    assert_oci_error,
    build_artifact,
    build_image,
    build_index,
    patch_chunk,
    push_blob,
    push_image,
    push_manifest,
    random_bytes,
    sha256_digest,
    start_upload,
    with_query,
)

pytestmark = pytest.mark.slow

GC_DELAY_S = 2
GC_INTERVAL_S = 1
#: Upper bound for one blob to be collected: delay + a few intervals + slack for a slow machine.
GC_BOUND_S = 30


@pytest.fixture
def gc_registry(zotd_factory):
    return zotd_factory(gc=True, gc_delay=f"{GC_DELAY_S}s", gc_interval=f"{GC_INTERVAL_S}s")


def wait_until(predicate, timeout=GC_BOUND_S, step=0.25):
    """Poll `predicate` until true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def gone(registry, path):
    return lambda: registry.head(path).status_code == 404


def test_unreferenced_blob_is_collected(gc_registry):
    """zot-behaviour.md: "GC removes blobs no manifest references [...] after `gcDelay`"."""
    push_image(gc_registry, "gc/repo", "keep", build_image())
    orphan = push_blob(gc_registry, "gc/repo", random_bytes(1000))
    assert gc_registry.head(f"/v2/gc/repo/blobs/{orphan}").status_code == 200
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/blobs/{orphan}")), f"orphan blob still there after {GC_BOUND_S}s"
    assert_oci_error(gc_registry.get(f"/v2/gc/repo/blobs/{orphan}"), 404, "BLOB_UNKNOWN")


def test_blobs_of_a_tagged_manifest_survive_gc(gc_registry):
    """zot-behaviour.md: GC removes only "blobs no manifest references": a tagged image keeps its config
    and layers, byte for byte, after GC has run (the witness orphan is gone)."""
    img = build_image()
    push_image(gc_registry, "gc/repo", "keep", img)
    witness = push_blob(gc_registry, "gc/repo", random_bytes(100))
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/blobs/{witness}")), "GC never ran"
    time.sleep(GC_INTERVAL_S * 2)  # and another pass or two
    for blob in img.blobs:
        r = gc_registry.get(f"/v2/gc/repo/blobs/{blob.digest}")
        assert r.status_code == 200 and r.content == blob.data, f"referenced blob {blob.digest} lost"
    assert gc_registry.get("/v2/gc/repo/manifests/keep").content == img.manifest.data


def test_untagged_unreferenced_manifest_is_collected(gc_registry):
    """zot-behaviour.md: "GC removes [...] untagged manifests that nothing references"."""
    push_image(gc_registry, "gc/repo", "keep", build_image())
    loose = build_image()
    push_image(gc_registry, "gc/repo", loose.digest, loose)
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/manifests/{loose.digest}")), "untagged manifest kept"
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/blobs/{loose.layers[0].digest}")), "its layer kept"


def test_untagged_manifest_in_a_tagged_index_survives_gc(gc_registry):
    """An untagged manifest that a tagged index references is referenced: it stays."""
    child = build_image()
    push_image(gc_registry, "gc/repo", child.digest, child)
    push_manifest(gc_registry, "gc/repo", "multi", build_index([child]))
    witness = push_blob(gc_registry, "gc/repo", random_bytes(100))
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/blobs/{witness}")), "GC never ran"
    time.sleep(GC_INTERVAL_S * 2)
    assert gc_registry.get(f"/v2/gc/repo/manifests/{child.digest}").status_code == 200
    for blob in child.blobs:
        assert gc_registry.head(f"/v2/gc/repo/blobs/{blob.digest}").status_code == 200


def test_referrer_of_a_tagged_image_survives_gc(gc_registry):
    """A referrer (untagged, with a `subject`) of an image that exists is kept, and still listed."""
    img = build_image()
    push_image(gc_registry, "gc/repo", "keep", img)
    sig = build_artifact("application/vnd.example.sig", subject=img.manifest)
    push_image(gc_registry, "gc/repo", sig.digest, sig)
    witness = push_blob(gc_registry, "gc/repo", random_bytes(100))
    assert wait_until(gone(gc_registry, f"/v2/gc/repo/blobs/{witness}")), "GC never ran"
    time.sleep(GC_INTERVAL_S * 2)
    assert gc_registry.get(f"/v2/gc/repo/manifests/{sig.digest}").status_code == 200
    listed = gc_registry.get(f"/v2/gc/repo/referrers/{img.digest}").json()["manifests"]
    assert [d["digest"] for d in listed] == [sig.digest]


def test_gc_during_a_long_chunked_push_does_not_break_it(gc_registry):
    """style-anchors.md: "GC racing pushes" is a known failure (distribution #3045); zotd decides with
    "a grace period for new blobs". A chunked upload that spans several GC passes completes intact,
    and the manifest that references it is accepted."""
    push_image(gc_registry, "gc/repo", "keep", build_image())
    witness = push_blob(gc_registry, "gc/repo", random_bytes(100))
    data = random_bytes(64 * 1024 * 24)
    url = start_upload(gc_registry, "gc/repo")
    chunk = 64 * 1024
    span = 3 * (GC_DELAY_S + GC_INTERVAL_S)  # seconds the push lasts: several passes
    pause = span / (len(data) // chunk)
    for start in range(0, len(data), chunk):
        r = patch_chunk(gc_registry, url, data[start : start + chunk], start=start)
        assert r.status_code == 202, f"chunk at {start} during GC: {r.status_code} {r.text[:200]}"
        url = absolute_location(r)
        time.sleep(pause)
    assert gc_registry.head(f"/v2/gc/repo/blobs/{witness}").status_code == 404, "GC did not run during the push"
    digest = sha256_digest(data)
    r = gc_registry.put(with_query(url, {"digest": digest}))
    assert r.status_code == 201, r.text
    g = gc_registry.get(f"/v2/gc/repo/blobs/{digest}")
    assert g.status_code == 200 and g.content == data
    # reference it right away: the fresh blob is inside its grace period
    img = build_image(layers=[Content(data, OCI_LAYER_TAR_GZIP)])
    push_blob(gc_registry, "gc/repo", img.config.data)
    push_manifest(gc_registry, "gc/repo", "big", img.manifest)
    time.sleep(GC_DELAY_S + 2 * GC_INTERVAL_S)
    assert gc_registry.head(f"/v2/gc/repo/blobs/{digest}").status_code == 200


def test_gc_never_leaves_an_accepted_manifest_with_missing_blobs(zotd_factory):
    """style-anchors.md: "zotd decides references and deletions in one GRDB transaction": a manifest
    pushed just as its blobs become old enough to collect is either refused (404
    MANIFEST_BLOB_UNKNOWN: GC won) or accepted, and then its blobs stay. Never 201 and a blob gone."""
    reg = zotd_factory(gc=True, gc_delay="1s", gc_interval="1s")
    push_image(reg, "gc/race", "anchor", build_image())
    accepted = []

    def attempt(i):
        img = build_image(layer_sizes=(200,))
        for b in img.blobs:
            push_blob(reg, "gc/race", b.data)
        time.sleep(0.8 + 0.05 * (i % 9))  # straddle the 1 s delay
        r = reg.put(
            f"/v2/gc/race/manifests/t{i}", data=img.manifest.data, headers={"Content-Type": img.manifest.media_type}
        )
        if r.status_code == 201:
            accepted.append((f"t{i}", img))
        else:
            assert_oci_error(r, 404, "MANIFEST_BLOB_UNKNOWN")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(attempt, range(18)))
    time.sleep(3 * GC_INTERVAL_S)  # let later passes see the accepted manifests
    for tag, img in accepted:
        assert reg.get(f"/v2/gc/race/manifests/{tag}").status_code == 200, f"{tag} lost"
        for b in img.blobs:
            assert reg.head(f"/v2/gc/race/blobs/{b.digest}").status_code == 200, f"{tag} accepted but blob {b.digest} collected"


def test_abandoned_upload_session_is_collected(gc_registry):
    """zot-behaviour.md: GC removes "stale upload sessions, after `gcDelay`"."""
    url = start_upload(gc_registry, "gc/repo")
    patch_chunk(gc_registry, url, random_bytes(1000))
    assert wait_until(lambda: gc_registry.get(url).status_code == 404), "stale upload session kept"
    assert_oci_error(gc_registry.get(url), 404, "BLOB_UPLOAD_UNKNOWN")


def test_gc_off_keeps_unreferenced_blobs(zotd_factory):
    """With `"gc": false` nothing is collected, however old."""
    reg = zotd_factory(gc=False, gc_delay="1s", gc_interval="1s")
    orphan = push_blob(reg, "gc/repo", random_bytes(100))
    time.sleep(4)
    assert reg.head(f"/v2/gc/repo/blobs/{orphan}").status_code == 200
