"""A concurrent push/delete workload that can be cut short by `kill -9`, and what must hold afterwards.

`Ledger` remembers every write the workload attempted and which ones the server acknowledged (201/202).
`run_workload` drives several client threads against a `ZotdServer` until a stop event: monolithic
pushes, chunked uploads (some left half done on purpose), cross-repository mounts, manifest puts, tag
and manifest deletes and blob deletes, while the server's own GC runs. After the server is killed and
started again, `verify_*` check what the issue asks:

- every acknowledged tagged image that was never deleted is intact (manifest bytes, every blob's bytes
  and digest): tagged images are GC roots, so GC may never take them whatever gcDelay says;
- nothing unacknowledged is visible half made: a blob is 404 or whole, a manifest is 404 or exact;
- an interrupted chunked upload resumes: `GET` gives its `Range`, the rest is sent, `PUT` gives 201;
- the metadata database agrees with the files (`check_database`, read-only, done while the server is
  down): every `blob` row has its file with that size, every `blob_link` names a `blob`, every target
  of an image manifest is linked in its repository, every tag names a manifest.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import requests

from oci import (
    OCTET_STREAM,
    Content,
    Image,
    absolute_location,
    build_image,
    random_bytes,
    sha256_digest,
    with_query,
)

REQUEST_TIMEOUT = 15
REPOS = [f"crash/r{i}" for i in range(4)]


@dataclass
class ImageRecord:
    repo: str
    tag: str
    image: Image
    cycle: int
    #: The tag and manifest may be deleted by the workload; `keep` images never are (mount sources).
    keep: bool
    acked: bool = False
    #: "no", "yes" (DELETE answered 202), or "maybe" (DELETE sent, answer lost to the kill).
    deleted: str = "no"


@dataclass
class UploadRecord:
    """A chunked upload the workload left half done on purpose, or that the kill interrupted."""

    repo: str
    url: str
    data: bytes
    acked_offset: int
    #: Bytes of a PATCH in flight when the server died: the staged size may include part of them.
    inflight: int = 0
    #: The final PUT was in flight: the upload may have completed.
    put_inflight: bool = False
    #: When the server last acknowledged a request of this upload (GC may drop uploads idle for gcDelay).
    last_ack: float = field(default_factory=time.time)


@dataclass
class Ledger:
    images: list = field(default_factory=list)
    #: (repo, digest) -> bytes, for every blob any request tried to store or mount.
    blobs_tried: dict = field(default_factory=dict)
    #: (repo, digest) -> bytes, for blobs acknowledged 201 and not in any manifest (GC may take them).
    loose_blobs: dict = field(default_factory=dict)
    #: (repo, digest) blobs the workload deleted or tried to delete.
    blobs_deleted: set = field(default_factory=set)
    manifests_tried: dict = field(default_factory=dict)
    uploads: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stats: dict = field(default_factory=lambda: {"requests": 0, "acked_images": 0, "acked_blobs": 0,
                                                 "mounts": 0, "deletes": 0, "bytes_verified": 0,
                                                 "uploads_resumed": 0, "uploads_completed_before_kill": 0,
                                                 "uploads_lost_to_gc": 0, "orphan_files": 0})

    def bump(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[key] = self.stats.get(key, 0) + n

    def live_images(self) -> list:
        return [r for r in self.images if r.acked and r.deleted == "no"]


class ServerGone(Exception):
    """The connection failed: the server was killed under the request."""


class Worker:
    """One client thread: random operations until `stop` is set or the server goes away."""

    def __init__(self, base_url: str, ledger: Ledger, cycle: int, index: int, stop: threading.Event, rng: random.Random):
        self.base = base_url
        self.ledger = ledger
        self.cycle = cycle
        self.index = index
        self.stop = stop
        self.rng = rng
        self.s = requests.Session()
        self.s.trust_env = False  # no proxy or netrc lookups per request: loopback only
        self.n = 0

    # -- HTTP, with a dead server turned into ServerGone
    def call(self, method: str, url: str, **kw) -> requests.Response:
        kw.setdefault("timeout", REQUEST_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        if not url.startswith("http"):
            url = self.base + url
        try:
            r = self.s.request(method, url, **kw)
        except requests.RequestException as e:
            raise ServerGone(repr(e)) from e
        self.ledger.bump("requests")
        if r.status_code >= 500:
            raise AssertionError(f"{method} {url}: server error {r.status_code} {r.text[:300]!r}")
        return r

    def run(self) -> None:
        ops = [
            (self.push_image, 5),
            (self.push_chunked_blob, 2),
            (self.mount_image, 2),
            (self.delete_something, 2),
            (self.leave_upload_half_done, 1),
        ]
        weights = [w for _, w in ops]
        try:
            while not self.stop.is_set():
                op = self.rng.choices([o for o, _ in ops], weights)[0]
                op()
        except ServerGone:
            pass
        finally:
            self.s.close()

    # -- operations
    def _tried(self, repo: str, blob: Content) -> None:
        with self.ledger.lock:
            self.ledger.blobs_tried[(repo, blob.digest)] = blob.data

    def monolithic(self, repo: str, blob: Content) -> None:
        self._tried(repo, blob)
        r = self.call("POST", with_query(f"/v2/{repo}/blobs/uploads/", {"digest": blob.digest}),
                      data=blob.data, headers={"Content-Type": OCTET_STREAM})
        assert r.status_code == 201, f"monolithic push: {r.status_code} {r.text[:200]!r}"
        self.ledger.bump("acked_blobs")

    def chunked(self, repo: str, blob: Content, *, finish: bool = True) -> None:
        self._tried(repo, blob)
        r = self.call("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
        assert r.status_code == 202, r.text
        rec = UploadRecord(repo, absolute_location(r), blob.data, 0)
        with self.ledger.lock:
            self.ledger.uploads.append(rec)
        data = blob.data
        # Chunks of 2 bytes or more: a staged size of 1 and of 0 both read `Range: 0-0`.
        cuts = sorted(self.rng.sample(range(2, len(data) - 2, 2), 2)) if len(data) > 8 else []
        pieces = [0, *cuts, len(data)]
        if not finish:
            pieces = pieces[:-1]  # stop before the last chunk
        for start, end in zip(pieces, pieces[1:]):
            rec.inflight = end - start
            r = self.call("PATCH", rec.url, data=data[start:end],
                          headers={"Content-Type": OCTET_STREAM, "Content-Range": f"{start}-{end - 1}"})
            assert r.status_code == 202, f"PATCH: {r.status_code} {r.text[:200]!r}"
            rec.url = absolute_location(r)
            rec.acked_offset, rec.inflight, rec.last_ack = end, 0, time.time()
        if not finish:
            return
        rec.put_inflight = True
        r = self.call("PUT", with_query(rec.url, {"digest": blob.digest}))
        assert r.status_code == 201, f"PUT upload: {r.status_code} {r.text[:200]!r}"
        with self.ledger.lock:
            self.ledger.uploads.remove(rec)
        self.ledger.bump("acked_blobs")

    def put_manifest(self, rec: ImageRecord) -> None:
        m = rec.image.manifest
        with self.ledger.lock:
            self.ledger.manifests_tried[(rec.repo, m.digest)] = m.data
            self.ledger.images.append(rec)
        r = self.call("PUT", f"/v2/{rec.repo}/manifests/{rec.tag}", data=m.data,
                      headers={"Content-Type": m.media_type})
        assert r.status_code == 201, f"PUT manifest: {r.status_code} {r.text[:200]!r}"
        rec.acked = True
        self.ledger.bump("acked_images")

    def _new_record(self, repo: str, image: Image, keep: bool) -> ImageRecord:
        self.n += 1
        return ImageRecord(repo, f"c{self.cycle}-w{self.index}-{self.n}", image, self.cycle, keep)

    def push_image(self) -> None:
        repo = self.rng.choice(REPOS)
        sizes = [self.rng.choice([100, 4000, 30000, 120000]) for _ in range(self.rng.randint(1, 3))]
        image = build_image(layer_sizes=sizes)
        for blob in image.blobs:
            if self.rng.random() < 0.3 and blob.size > 3:
                self.chunked(repo, blob)
            else:
                self.monolithic(repo, blob)
        self.put_manifest(self._new_record(repo, image, keep=self.rng.random() < 0.5))

    def push_chunked_blob(self) -> None:
        repo = self.rng.choice(REPOS)
        blob = Content(random_bytes(self.rng.choice([5000, 100000, 600000])))
        self.chunked(repo, blob)
        with self.ledger.lock:
            self.ledger.loose_blobs[(repo, blob.digest)] = blob.data

    def leave_upload_half_done(self) -> None:
        repo = self.rng.choice(REPOS)
        self.chunked(repo, Content(random_bytes(self.rng.choice([3000, 150000]))), finish=False)

    def mount_image(self) -> None:
        """An image in another repository whose layers come by mount from a kept image."""
        with self.ledger.lock:
            sources = [r for r in self.ledger.images if r.acked and r.keep and r.deleted == "no"]
        if not sources:
            return self.push_image()
        src = self.rng.choice(sources)
        repo = self.rng.choice([r for r in REPOS if r != src.repo])
        for blob in src.image.layers:
            self._tried(repo, blob)
            r = self.call("POST", with_query(f"/v2/{repo}/blobs/uploads/", {"mount": blob.digest, "from": src.repo}),
                          headers={"Content-Length": "0"})
            assert r.status_code == 201, f"mount of a kept image's layer from {src.repo}: {r.status_code} {r.text[:200]!r}"
            self.ledger.bump("mounts")
        config = Content(random_bytes(64) + b"{}", src.image.config.media_type)
        self.monolithic(repo, config)
        image = build_image(layers=list(src.image.layers), config=config)
        self.put_manifest(self._new_record(repo, image, keep=False))

    def delete_something(self) -> None:
        roll = self.rng.random()
        if roll < 0.3:
            with self.ledger.lock:
                loose = [k for k in self.ledger.loose_blobs if k not in self.ledger.blobs_deleted]
            if loose:
                repo, digest = self.rng.choice(loose)
                with self.ledger.lock:
                    self.ledger.blobs_deleted.add((repo, digest))
                r = self.call("DELETE", f"/v2/{repo}/blobs/{digest}")
                assert r.status_code in (202, 404), f"DELETE blob: {r.status_code} {r.text[:200]!r}"
                self.ledger.bump("deletes")
                return
        with self.ledger.lock:
            victims = [r for r in self.ledger.images if r.acked and not r.keep and r.deleted == "no"]
            if not victims:
                return
            rec = self.rng.choice(victims)
            rec.deleted = "maybe"
        ref = rec.tag if roll < 0.65 else rec.image.digest
        r = self.call("DELETE", f"/v2/{rec.repo}/manifests/{ref}")
        # Another image in the repository may share the manifest digest only by accident: never here.
        assert r.status_code == 202, f"DELETE manifest {ref}: {r.status_code} {r.text[:200]!r}"
        rec.deleted = "yes"
        self.ledger.bump("deletes")


def run_workload(server, ledger: Ledger, cycle: int, *, workers: int, seconds: float, rng: random.Random,
                 kill: bool = True) -> list:
    """Runs `workers` clients for `seconds`, then `kill -9`s the server (when `kill`) while they are
    still busy. Returns the workers' assertion failures (wrong answers), which the caller reports."""
    stop = threading.Event()
    failures: list = []

    def body(i: int) -> None:
        w = Worker(server.base_url, ledger, cycle, i, stop, random.Random(rng.random()))
        try:
            w.run()
        except AssertionError as e:
            if not stop.is_set():
                failures.append(f"worker {i}: {e}")
        except Exception as e:  # noqa: BLE001 - any other client-side failure is a test bug to show
            failures.append(f"worker {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    if kill:
        server.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a client thread hung after the server was killed"
    return failures


# ------------------------------------------------------------------------------------------ checks


def check_database(root: Path) -> dict:
    """Opens `<root>/zotd.db` (root: a server's `state_dir`) read-only (server down) and checks it against the blob files.

    Returns counts; raises AssertionError listing the first violations."""
    db = sqlite3.connect(f"file:{root / 'zotd.db'}?mode=ro", uri=True, timeout=10)
    try:
        problems = []
        blobs = db.execute("SELECT digest, size FROM blob").fetchall()
        known = set()
        for digest, size in blobs:
            alg, hexpart = digest.split(":", 1)
            path = root / "blobs" / alg / hexpart[:2] / hexpart
            known.add(str(path))
            try:
                actual = path.stat().st_size
            except FileNotFoundError:
                problems.append(f"blob row {digest} ({size} bytes) has no file at {path}")
                continue
            if actual != size:
                problems.append(f"blob row {digest} says {size} bytes, file has {actual}")
        for repo, digest in db.execute(
            "SELECT repository, digest FROM blob_link WHERE digest NOT IN (SELECT digest FROM blob)"
        ):
            problems.append(f"blob_link {repo} -> {digest} names no blob row")
        for repo, manifest, target in db.execute(
            """SELECT r.repository, r.manifest, r.target FROM manifest_reference r
               JOIN manifest m ON m.repository = r.repository AND m.digest = r.manifest
               WHERE m.media_type NOT IN ('application/vnd.oci.image.index.v1+json',
                                          'application/vnd.docker.distribution.manifest.list.v2+json')
               AND NOT EXISTS (SELECT 1 FROM blob_link l WHERE l.repository = r.repository AND l.digest = r.target)"""
        ):
            problems.append(f"manifest {repo}@{manifest} references {target}, which is not linked in {repo}")
        for repo, name, digest in db.execute(
            """SELECT t.repository, t.name, t.digest FROM tag t WHERE NOT EXISTS
               (SELECT 1 FROM manifest m WHERE m.repository = t.repository AND m.digest = t.digest)"""
        ):
            problems.append(f"tag {repo}:{name} names missing manifest {digest}")
        orphans = 0
        blob_dir = root / "blobs"
        for path in blob_dir.glob("*/*/*"):
            if str(path) not in known:
                orphans += 1
        assert not problems, "metadata and blob files disagree:\n" + "\n".join(problems[:20])
        return {"blob_rows": len(blobs), "orphan_files": orphans}
    finally:
        db.close()


def _get(server, path: str, method: str = "GET") -> requests.Response:
    server.http.trust_env = False
    return server.request(method, path, timeout=REQUEST_TIMEOUT)


def verify_blob_whole_or_absent(server, ledger: Ledger, repo: str, digest: str, data: bytes, *, head: bool = True) -> bool:
    """(HEAD, then) GET: 404, or exactly `data`. Returns True when present."""
    if head:
        h = _get(server, f"/v2/{repo}/blobs/{digest}", "HEAD")
        if h.status_code == 404:
            return False
        assert h.status_code == 200, f"HEAD {repo}@{digest}: {h.status_code}"
        assert int(h.headers.get("Content-Length", -1)) == len(data), (
            f"HEAD {repo}@{digest}: Content-Length {h.headers.get('Content-Length')}, pushed {len(data)} bytes"
        )
    g = _get(server, f"/v2/{repo}/blobs/{digest}")
    if g.status_code == 404:
        return False  # absent, or GC took it after the HEAD; callers that need it say so
    assert g.status_code == 200 and hashlib.sha256(g.content).hexdigest() == digest.split(":")[1], (
        f"GET {repo}@{digest}: {g.status_code}, {len(g.content)} bytes, content differs from what was pushed"
    )
    ledger.bump("bytes_verified", len(g.content))
    return True


def verify_image(server, ledger: Ledger, rec: ImageRecord, *, full: bool) -> None:
    """An acknowledged, undeleted, tagged image is all there; `full` GETs every blob, else HEADs."""
    r = _get(server, f"/v2/{rec.repo}/manifests/{rec.tag}")
    assert r.status_code == 200, f"acknowledged image {rec.repo}:{rec.tag} (cycle {rec.cycle}) lost: {r.status_code} {r.text[:200]!r}"
    assert r.content == rec.image.manifest.data, f"{rec.repo}:{rec.tag}: manifest bytes differ"
    for blob in rec.image.blobs:
        if full:
            assert verify_blob_whole_or_absent(server, ledger, rec.repo, blob.digest, blob.data, head=False), (
                f"blob {blob.digest} of acknowledged image {rec.repo}:{rec.tag} (cycle {rec.cycle}) lost"
            )
        else:
            h = _get(server, f"/v2/{rec.repo}/blobs/{blob.digest}", "HEAD")
            assert h.status_code == 200 and int(h.headers["Content-Length"]) == blob.size, (
                f"blob {blob.digest} of acknowledged image {rec.repo}:{rec.tag}: HEAD {h.status_code}"
            )


def verify_after_restart(server, ledger: Ledger, cycle: int) -> None:
    """Everything acknowledged in this cycle is there, deletions stay done, nothing is half made; a
    sample of older acknowledged images is checked too (all of them are checked at the end)."""
    older = [r for r in ledger.images if r.acked and r.cycle != cycle]
    sample = set(map(id, random.sample(older, min(len(older), 10))))
    checked = set()
    for rec in ledger.images:
        if rec.cycle != cycle and id(rec) not in sample:
            continue
        if rec.acked and rec.deleted == "no":
            verify_image(server, ledger, rec, full=rec.cycle == cycle)
            if rec.cycle == cycle:
                checked.update((rec.repo, b.digest) for b in rec.image.blobs)
        elif rec.acked and rec.deleted == "yes":
            r = _get(server, f"/v2/{rec.repo}/manifests/{rec.tag}")
            assert r.status_code == 404, f"deleted {rec.repo}:{rec.tag} is back: {r.status_code}"
        elif rec.cycle == cycle:
            # Never acknowledged, or its delete's answer was lost: absent or exact.
            r = _get(server, f"/v2/{rec.repo}/manifests/{rec.image.digest}")
            assert r.status_code == 404 or r.content == rec.image.manifest.data, (
                f"unacknowledged manifest {rec.repo}@{rec.image.digest}: {r.status_code}, bytes differ"
            )
    with ledger.lock:
        tried = list(ledger.blobs_tried.items())
        ledger.blobs_tried.clear()  # each cycle checks the blobs it tried; acknowledged ones stay checked above
    for (repo, digest), data in tried:
        if (repo, digest) not in checked:
            verify_blob_whole_or_absent(server, ledger, repo, digest, data)


def verify_all(server, ledger: Ledger) -> None:
    """The end of a run: every acknowledged image, in full; every acknowledged deletion."""
    for rec in ledger.images:
        if rec.acked and rec.deleted == "no":
            verify_image(server, ledger, rec, full=True)
        elif rec.acked and rec.deleted == "yes":
            r = _get(server, f"/v2/{rec.repo}/manifests/{rec.tag}")
            assert r.status_code == 404, f"deleted {rec.repo}:{rec.tag} is back: {r.status_code}"


def _log_lines(server, url: str) -> str:
    needle = url.rstrip("/").rsplit("/", 1)[1].split("?")[0]
    lines = server.log_path.read_text(errors="replace").splitlines()
    return "\n".join(l for l in lines if needle in l or "=====" in l or "garbage" in l)[-6000:]


def _staged_size(server, url: str):
    path = server.state_dir / "uploads" / url.rstrip("/").rsplit("/", 1)[1].split("?")[0]
    return path.stat().st_size if path.exists() else "absent"


def _patch(server, url: str, data: bytes, offset: int) -> requests.Response:
    return server.patch(url, data=data[offset:], timeout=REQUEST_TIMEOUT,
                        headers={"Content-Type": OCTET_STREAM, "Content-Range": f"{offset}-{len(data) - 1}"})


def resume_uploads(server, ledger: Ledger, gc_delay: float) -> None:
    """Every interrupted chunked upload resumes from the offset the server reports."""
    with ledger.lock:
        uploads, ledger.uploads = ledger.uploads, []
    for up in uploads:
        digest = sha256_digest(up.data)
        r = _get(server, up.url)
        if r.status_code == 404:
            if up.put_inflight and verify_blob_whole_or_absent(server, ledger, up.repo, digest, up.data):
                ledger.bump("uploads_completed_before_kill")
                continue
            # GC removes uploads idle for longer than gcDelay (with a margin for its interval).
            idle = time.time() - up.last_ack
            assert idle > gc_delay, f"upload {up.url} ({up.acked_offset} bytes acknowledged, idle {idle:.1f}s) lost"
            ledger.bump("uploads_lost_to_gc")
            continue
        assert r.status_code == 204, f"GET upload {up.url}: {r.status_code} {r.text[:200]!r}"
        rng = r.headers.get("Range", "")
        end = int(rng.split("-")[1])
        offset = 0 if end == 0 else end + 1  # `0-0`: nothing, or one byte (the PATCH below tells)
        if up.put_inflight and offset == 0:
            pass  # completed and renamed away, or empty: start over
        elif offset < up.acked_offset and time.time() - up.last_ack > gc_delay:
            ledger.bump("uploads_lost_to_gc")  # GC is removing it (file gone, row not yet)
            continue
        else:
            assert up.acked_offset <= offset <= up.acked_offset + up.inflight, (
                f"upload {up.url}: server says {offset} bytes staged (Range {rng}); client had {up.acked_offset} "
                f"acknowledged and {up.inflight} in flight; idle {time.time() - up.last_ack:.1f}s (last ack {up.last_ack:.3f}); "
                f"staged file: {_staged_size(server, up.url)}; server log:\n{_log_lines(server, up.url)}"
            )
        url = absolute_location(r)
        if offset < len(up.data):
            p = _patch(server, url, up.data, offset)
            if p.status_code == 416 and end == 0:
                p = _patch(server, url, up.data, 1)  # `0-0` also means one byte staged
            if p.status_code == 404 and time.time() - up.last_ack > gc_delay:
                ledger.bump("uploads_lost_to_gc")  # idle for gcDelay by now: GC may take it any moment
                continue
            assert p.status_code == 202, f"resume PATCH {url} at {offset}: {p.status_code} {p.text[:200]!r}"
            url = absolute_location(p)
        put = server.put(with_query(url, {"digest": digest}), timeout=REQUEST_TIMEOUT)
        if put.status_code == 404 and time.time() - up.last_ack > gc_delay:
            ledger.bump("uploads_lost_to_gc")
            continue
        assert put.status_code == 201, f"resume PUT {url}: {put.status_code} {put.text[:200]!r}"
        assert verify_blob_whole_or_absent(server, ledger, up.repo, digest, up.data)
        ledger.bump("uploads_resumed")
