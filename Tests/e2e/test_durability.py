"""What survives a restart and a `kill -9`: images, tags, deletions, and half-done uploads."""

from oci import (
    absolute_location,
    assert_oci_error,
    build_artifact,
    build_image,
    patch_chunk,
    push_image,
    push_manifest,
    random_bytes,
    range_end,
    sha256_digest,
    start_upload,
    with_query,
)


def assert_pullable(registry, repo, tag, image):
    r = registry.get(f"/v2/{repo}/manifests/{tag}")
    assert r.status_code == 200, f"{repo}:{tag} lost: {r.status_code}"
    assert r.content == image.manifest.data
    assert r.headers.get("Content-Type") == image.manifest.media_type
    for blob in image.blobs:
        b = registry.get(f"/v2/{repo}/blobs/{blob.digest}")
        assert b.status_code == 200 and b.content == blob.data, f"blob {blob.digest} lost"


def test_pushed_image_is_pullable_after_restart(fresh_registry):
    """A pushed image (201) is still there, byte for byte, after the server stops and starts again on
    the same root."""
    img = build_image()
    push_image(fresh_registry, "dur/app", "v1", img)
    fresh_registry.restart()
    assert_pullable(fresh_registry, "dur/app", "v1", img)


def test_pushed_image_is_pullable_after_kill9(fresh_registry):
    """A push the server acknowledged with 201 survives `kill -9` (no graceful shutdown)."""
    img = build_image()
    push_image(fresh_registry, "dur/app", "v1", img)
    fresh_registry.kill9()
    fresh_registry.start()
    assert_pullable(fresh_registry, "dur/app", "v1", img)


def test_tags_catalog_and_referrers_survive_restart(fresh_registry):
    """The listings are rebuilt from what was stored: same tags, same catalog, same referrers."""
    img = build_image()
    push_image(fresh_registry, "dur/a", "one", img)
    push_manifest(fresh_registry, "dur/a", "two", img.manifest)
    push_image(fresh_registry, "dur/b/c", "x", build_image())
    sig = build_artifact("application/vnd.example.sig", subject=img.manifest, annotations={"k": "v"})
    push_image(fresh_registry, "dur/a", sig.digest, sig)
    before = (
        fresh_registry.get("/v2/dur/a/tags/list").json(),
        fresh_registry.get("/v2/_catalog").json(),
        fresh_registry.get(f"/v2/dur/a/referrers/{img.digest}").json(),
    )
    fresh_registry.restart()
    after = (
        fresh_registry.get("/v2/dur/a/tags/list").json(),
        fresh_registry.get("/v2/_catalog").json(),
        fresh_registry.get(f"/v2/dur/a/referrers/{img.digest}").json(),
    )
    assert after == before
    assert before[0]["tags"] == ["one", "two"]
    assert before[1]["repositories"] == ["dur/a", "dur/b/c"]


def test_deleted_manifest_stays_deleted_after_restart(fresh_registry):
    """A DELETE answered 202 is as durable as a push: the manifest does not come back."""
    img = build_image()
    push_image(fresh_registry, "dur/app", "v1", img)
    assert fresh_registry.delete(f"/v2/dur/app/manifests/{img.digest}").status_code == 202
    fresh_registry.kill9()
    fresh_registry.start()
    assert_oci_error(fresh_registry.get(f"/v2/dur/app/manifests/{img.digest}"), 404, "MANIFEST_UNKNOWN")
    assert_oci_error(fresh_registry.get("/v2/dur/app/manifests/v1"), 404, "MANIFEST_UNKNOWN")


def test_chunked_upload_resumes_after_kill9(fresh_registry):
    """Spec (Resumable Push): "After connectivity returns [...] The registry notifies the build server
    that the upload has already been partially attempted. The build server responds by only sending
    the remaining data". Half an upload, acknowledged with 202, survives `kill -9`: after a restart on
    the same root the session reports the same `Range`, takes the rest, and completes with exactly the
    bytes sent."""
    data = random_bytes(3 * 1024 * 1024 + 17)
    half = len(data) // 2
    url = start_upload(fresh_registry, "dur/app")
    r = patch_chunk(fresh_registry, url, data[:half], start=0)
    assert r.status_code == 202, r.text
    url = absolute_location(r)
    assert range_end(r) == half - 1

    fresh_registry.kill9()
    fresh_registry.start()

    status = fresh_registry.get(url)
    assert status.status_code == 204, f"upload lost after kill -9: {status.status_code} {status.text[:200]}"
    assert range_end(status) == half - 1
    r = patch_chunk(fresh_registry, absolute_location(status), data[half:], start=half)
    assert r.status_code == 202, r.text
    r = fresh_registry.put(with_query(absolute_location(r), {"digest": sha256_digest(data)}))
    assert r.status_code == 201, r.text
    g = fresh_registry.get(f"/v2/dur/app/blobs/{sha256_digest(data)}")
    assert g.status_code == 200 and g.content == data


def test_server_starts_on_an_existing_root_quickly(fresh_registry):
    """zot-behaviour.md: "restart is instant at any size" — with a few hundred blobs and manifests the
    server answers `/v2/` again within 5 seconds of being started."""
    for i in range(40):
        push_image(fresh_registry, f"dur/many{i % 4}", f"t{i}", build_image(layer_sizes=(64, 64, 64)))
    fresh_registry.stop()
    fresh_registry.start(timeout=5)
    assert fresh_registry.get("/v2/dur/many3/tags/list").status_code == 200


def test_sigterm_stops_the_server_cleanly(fresh_registry):
    """SIGTERM ends the process promptly with exit code 0 (systemd/k8s stop it that way)."""
    push_image(fresh_registry, "dur/app", "v1", build_image())
    code = fresh_registry.stop(timeout=10)
    assert code == 0, f"exit code {code} on SIGTERM\n{fresh_registry.log_tail(30)}"
