"""Concurrent pushes: the same blob, the same tag, many repositories at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from oci import (
    OCTET_STREAM,
    absolute_location,
    build_image,
    push_blob,
    random_bytes,
    sha256_digest,
    with_query,
)


def run_together(n, fn):
    """Run `fn(i)` in `n` threads released at the same moment; return the results in order."""
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait(timeout=30)
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(go, range(n)))


@pytest.mark.parametrize("n", [2, 8])
def test_concurrent_monolithic_pushes_of_the_same_blob_all_succeed(registry, repo, n):
    """Spec (Layer Upload De-duplication): "If process A and B upload the same layer at the same time,
    both operations will proceed and the first to complete will be stored in the registry." Every
    push gets 201 and the stored blob is intact."""
    data = random_bytes(4 * 1024 * 1024)
    digest = sha256_digest(data)
    url = registry.url(with_query(f"/v2/{repo}/blobs/uploads/", {"digest": digest}))

    def push(_):
        return requests.post(url, data=data, headers={"Content-Type": OCTET_STREAM}, timeout=60).status_code

    assert run_together(n, push) == [201] * n
    r = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200 and sha256_digest(r.content) == digest


@pytest.mark.parametrize("n", [2, 8])
def test_concurrent_chunked_uploads_of_the_same_blob_all_succeed(registry, repo, n):
    """The same, through POST/PATCH/PATCH/PUT sessions whose chunks interleave."""
    data = random_bytes(2 * 1024 * 1024)
    digest = sha256_digest(data)
    half = len(data) // 2

    def push(_):
        with requests.Session() as s:
            r = s.post(registry.url(f"/v2/{repo}/blobs/uploads/"), timeout=30)
            assert r.status_code == 202
            for start, part in ((0, data[:half]), (half, data[half:])):
                r = s.patch(
                    absolute_location(r),
                    data=part,
                    headers={"Content-Type": OCTET_STREAM, "Content-Range": f"{start}-{start + len(part) - 1}"},
                    timeout=60,
                )
                assert r.status_code == 202, r.text
            return s.put(with_query(absolute_location(r), {"digest": digest}), timeout=60).status_code

    assert run_together(n, push) == [201] * n
    r = registry.get(f"/v2/{repo}/blobs/{digest}")
    assert r.status_code == 200 and r.content == data


def test_concurrent_manifest_pushes_to_one_tag_leave_one_consistent_winner(registry, repo):
    """Eight different manifests pushed to one tag at once: all 201; the tag then names one of them and
    serves exactly its bytes under its digest."""
    images = [build_image(layer_sizes=(100,)) for _ in range(8)]
    for img in images:
        for b in img.blobs:
            push_blob(registry, repo, b.data)
    url = registry.url(f"/v2/{repo}/manifests/contested")

    def push(i):
        return requests.put(
            url, data=images[i].manifest.data, headers={"Content-Type": images[i].manifest.media_type}, timeout=30
        ).status_code

    assert run_together(8, push) == [201] * 8
    r = registry.get(f"/v2/{repo}/manifests/contested")
    by_digest = {img.digest: img for img in images}
    winner = r.headers.get("Docker-Content-Digest")
    assert winner in by_digest
    assert r.content == by_digest[winner].manifest.data
    assert registry.get(f"/v2/{repo}/tags/list").json()["tags"] == ["contested"]


def test_pushes_to_many_repositories_at_once_all_land(registry, repo):
    """style-anchors.md: "no global lock — one repository's push [...] never stalls another's": eight
    images pushed to eight repositories in parallel are all stored and listed."""
    images = [build_image(layer_sizes=(20000, 30000)) for _ in range(8)]

    def push(i):
        name = f"{repo}/r{i}"
        with requests.Session() as s:
            for b in images[i].blobs:
                r = s.post(
                    registry.url(with_query(f"/v2/{name}/blobs/uploads/", {"digest": b.digest})),
                    data=b.data,
                    timeout=60,
                )
                assert r.status_code == 201, r.text
            r = s.put(
                registry.url(f"/v2/{name}/manifests/t"),
                data=images[i].manifest.data,
                headers={"Content-Type": images[i].manifest.media_type},
                timeout=60,
            )
            return r.status_code

    assert run_together(8, push) == [201] * 8
    for i, img in enumerate(images):
        assert registry.get(f"/v2/{repo}/r{i}/manifests/t").content == img.manifest.data


def test_reads_during_writes_see_whole_blobs_only(registry, repo):
    """While a blob is being pushed, readers get 404 or the whole blob, never a partial one."""
    data = random_bytes(8 * 1024 * 1024)
    digest = sha256_digest(data)
    path = f"/v2/{repo}/blobs/{digest}"
    done = threading.Event()
    seen = []

    def reader():
        with requests.Session() as s:
            while not done.is_set():
                r = s.get(registry.url(path), timeout=30)
                seen.append((r.status_code, r.status_code != 200 or r.content == data))
                if r.status_code == 200:
                    return

    t = threading.Thread(target=reader)
    t.start()
    try:
        push_blob(registry, repo, data)
    finally:
        t.join(timeout=60)
        done.set()
    assert seen and seen[-1][0] == 200, f"reader never saw the blob: {seen[-5:]}"
    assert all(code in (404, 200) for code, _ in seen), seen
    assert all(whole for _, whole in seen), "a reader got a partial or wrong blob"
