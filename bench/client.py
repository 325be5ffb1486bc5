"""HTTP/1.1 keep-alive client and OCI distribution operations.

Every request states the status codes it accepts; anything else raises
UnexpectedAnswer with the method, path, status and the start of the body.
Only loopback targets are allowed.
"""

import hashlib
import http.client
import json
import os
import re
import struct
import time
import urllib.parse

from registry import HOST

MiB = 1 << 20
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
MANIFEST_ACCEPT = ", ".join([
    OCI_MANIFEST,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class UnexpectedAnswer(Exception):
    pass


class Response:
    __slots__ = ("status", "headers", "body", "nbytes")

    def __init__(self, status, headers, body, nbytes):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage (case-insensitive get)
        self.body = body
        self.nbytes = nbytes

    def header(self, name):
        return self.headers.get(name)


_RETRYABLE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
              http.client.CannotSendRequest, http.client.BadStatusLine)


class Client:
    """One persistent connection (keep-alive), used by one thread only."""

    def __init__(self, port, host=HOST, timeout=600):
        if host not in LOOPBACK:
            raise ValueError(f"refusing non-loopback target {host}")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.reconnects = 0
        self.requests = 0
        self._buf = bytearray(MiB)

    def _early_answer(self):
        """After a failed send: did the server answer (and close) early?"""
        try:
            if self.conn.sock is None:
                return None
            self.conn.sock.settimeout(2)
            r = self.conn.getresponse()
            return f"{r.status} {r.read(400)!r}"
        except Exception:
            return None

    def connect(self):
        if self.conn.sock is None:
            self.conn.connect()

    def close(self):
        self.conn.close()

    def request(self, method, path, body=None, headers=None, expect=(200,), sink=False,
                hasher=None, length=None):
        """Send one request and read the whole answer.

        body: None, bytes, or an iterable of bytes (then `length` must be given
        and is sent as Content-Length; the iterable is streamed, never joined).
        sink: count the response body instead of keeping it (1 MiB reads);
        hasher: a hashlib object updated with the response body (with sink).
        """
        hdrs = dict(headers or {})
        replayable = body is None or isinstance(body, (bytes, bytearray, memoryview))
        if body is not None and not replayable:
            if length is None:
                raise ValueError("streamed body needs length")
            hdrs["Content-Length"] = str(length)
        elif body is None and method in ("PUT", "POST", "PATCH"):
            hdrs.setdefault("Content-Length", "0")
        attempts = 2 if replayable else 1
        for attempt in range(attempts):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
            except (OSError, http.client.HTTPException) as e:
                early = self._early_answer()
                self.conn.close()
                if attempt + 1 < attempts and reused and not early:
                    self.reconnects += 1  # idle keep-alive connection was closed: retry once
                    continue
                raise UnexpectedAnswer(f"{method} {path}: sending failed: {e!r}; server answered: {early}") from e
            try:
                resp = self.conn.getresponse()
                break
            except _RETRYABLE as e:
                self.conn.close()
                if attempt + 1 < attempts and reused:
                    self.reconnects += 1
                    continue
                raise UnexpectedAnswer(f"{method} {path}: no answer: {e!r}") from e
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                raise UnexpectedAnswer(f"{method} {path}: no answer: {e!r}") from e
        self.requests += 1
        nbytes = 0
        data = b""
        try:
            if method == "HEAD":
                resp.read()
            elif sink:
                mv = memoryview(self._buf)
                while True:
                    n = resp.readinto(mv)
                    if not n:
                        break
                    if hasher is not None:
                        hasher.update(mv[:n])
                    nbytes += n
            else:
                data = resp.read()
                nbytes = len(data)
        except (http.client.IncompleteRead, OSError) as e:
            self.conn.close()
            raise UnexpectedAnswer(f"{method} {path}: body read failed after {nbytes} bytes: {e!r}") from e
        if resp.will_close:
            self.conn.close()
        if resp.status not in expect:
            snippet = data[:400] if data else b""
            raise UnexpectedAnswer(
                f"{method} {path}: status {resp.status}, expected {'/'.join(map(str, expect))}; body {snippet!r}")
        return Response(resp.status, resp.msg, data, nbytes)


# ----------------------------------------------------------------- helpers

def location_path(resp, what):
    """The Location header as path?query; absolute URLs must be loopback."""
    loc = resp.header("Location")
    if not loc:
        raise UnexpectedAnswer(f"{what}: status {resp.status} without Location header")
    u = urllib.parse.urlsplit(loc)
    if u.scheme or u.netloc:
        if u.hostname not in LOOPBACK:
            raise UnexpectedAnswer(f"{what}: Location points off loopback: {loc}")
    path = u.path or "/"
    if not path.startswith("/"):
        raise UnexpectedAnswer(f"{what}: relative Location not understood: {loc}")
    return path + ("?" + u.query if u.query else "")


def add_query(path, **params):
    sep = "&" if "?" in path else "?"
    return path + sep + urllib.parse.urlencode(params)


_LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def next_link(resp):
    link = resp.header("Link")
    if not link:
        return None
    m = _LINK_RE.search(link)
    if not m:
        raise UnexpectedAnswer(f"Link header not understood: {link!r}")
    u = urllib.parse.urlsplit(m.group(1))
    if u.netloc and u.hostname not in LOOPBACK:
        raise UnexpectedAnswer(f"Link points off loopback: {link!r}")
    return u.path + ("?" + u.query if u.query else "")


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def check_digest_header(resp, digest, what):
    got = resp.header("Docker-Content-Digest")
    if got is not None and got != digest:
        raise UnexpectedAnswer(f"{what}: Docker-Content-Digest {got} != {digest}")


# ------------------------------------------------------------ blob content

class SharedBase:
    """Unique blobs of one size without holding one copy per blob: a random
    base of size-16 bytes shared by all, plus a unique random 16-byte tail per
    blob. The digest of each blob costs one sha256 copy + 16 bytes."""

    def __init__(self, size):
        if size < 16:
            raise ValueError("size too small")
        self.size = size
        self.base = os.urandom(size - 16)
        self._h = hashlib.sha256(self.base)

    def new_blob(self):
        tail = os.urandom(16)
        h = self._h.copy()
        h.update(tail)
        return Blob(self, tail, "sha256:" + h.hexdigest())


class Blob:
    __slots__ = ("shared", "tail", "digest")

    def __init__(self, shared, tail, digest):
        self.shared, self.tail, self.digest = shared, tail, digest

    @property
    def size(self):
        return self.shared.size

    def body(self):
        """Iterable body: the shared base then the tail (streamed, not joined)."""
        return (self.shared.base, self.tail)

    def to_bytes(self):
        return self.shared.base + self.tail


class StreamBlob:
    """A large deterministic pseudo-random blob produced 1 MiB at a time:
    chunk i = (nonce, i) packed into 16 bytes + a random 1 MiB base after it.
    Never held whole in memory; the digest is computed by a full pass."""

    CHUNK = MiB

    def __init__(self, size, base=None):
        self.size = size
        self.nonce = struct.unpack("<Q", os.urandom(8))[0]
        self.base = base if base is not None else os.urandom(self.CHUNK)
        self.digest = None

    def chunks(self):
        full, rest = divmod(self.size, self.CHUNK)
        tail = self.base[16:]
        for i in range(full):
            yield struct.pack("<QQ", self.nonce, i) + tail
        if rest:
            yield (struct.pack("<QQ", self.nonce, full) + tail)[:rest]

    def compute_digest(self):
        h = hashlib.sha256()
        for c in self.chunks():
            h.update(c)
        self.digest = "sha256:" + h.hexdigest()
        return self.digest

    def bytes_at(self, offset, n):
        """Expected content of [offset, offset+n) (for Range checks)."""
        out = bytearray()
        while n > 0:
            i, off = divmod(offset, self.CHUNK)
            chunk = (struct.pack("<QQ", self.nonce, i) + self.base[16:])
            take = min(n, self.CHUNK - off, self.size - offset)
            if take <= 0:
                break
            out += chunk[off:off + take]
            offset += take
            n -= take
        return bytes(out)


def image_config(nonce=None):
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": {"bench.nonce": (nonce or os.urandom(8).hex())}},
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    return json.dumps(cfg, separators=(",", ":")).encode()


def image_manifest(config_bytes, config_digest, layer_digest, layer_size):
    m = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config_bytes)},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
    }
    return json.dumps(m, indent="\t").encode()


class ImageSpec:
    """Everything needed to push one image, precomputed outside timing."""
    __slots__ = ("layer", "config", "config_digest", "manifest", "manifest_digest")

    def __init__(self, layer):
        self.layer = layer
        self.config = image_config()
        self.config_digest = sha256_digest(self.config)
        self.manifest = image_manifest(self.config, self.config_digest, layer.digest, layer.size)
        self.manifest_digest = sha256_digest(self.manifest)


class BytesBlob:
    """A small blob held in memory."""
    __slots__ = ("data", "digest")

    def __init__(self, data):
        self.data = data
        self.digest = sha256_digest(data)

    @property
    def size(self):
        return len(self.data)

    def body(self):
        return self.data


# ------------------------------------------------------------- operations

def start_upload(c, repo):
    r = c.request("POST", f"/v2/{repo}/blobs/uploads/", expect=(202,))
    return location_path(r, f"POST /v2/{repo}/blobs/uploads/")


def push_blob_monolithic(c, repo, body, size, digest):
    """POST to open a session, then one PUT ?digest= carrying the whole blob."""
    loc = start_upload(c, repo)
    r = c.request("PUT", add_query(loc, digest=digest), body=body, length=size,
                  headers={"Content-Type": "application/octet-stream"}, expect=(201,))
    check_digest_header(r, digest, f"PUT blob {repo}")
    return r


def push_blob_chunked(c, repo, body, size, digest):
    """POST, one PATCH without Content-Range carrying the whole body, PUT ?digest=."""
    loc = start_upload(c, repo)
    r = c.request("PATCH", loc, body=body, length=size,
                  headers={"Content-Type": "application/octet-stream"}, expect=(202,))
    loc = location_path(r, f"PATCH upload {repo}")
    rng = r.header("Range")
    if rng is not None and rng not in (f"0-{size - 1}", f"bytes=0-{size - 1}"):
        raise UnexpectedAnswer(f"PATCH upload {repo}: Range {rng!r} after {size} bytes")
    r = c.request("PUT", add_query(loc, digest=digest), expect=(201,))
    check_digest_header(r, digest, f"PUT (close) blob {repo}")
    return r


def push_blob_single_post(c, repo, body, size, digest):
    """Single-request monolithic upload: POST ?digest= with the body.
    Returns True on 201, False when the server answered 202 (not supported:
    the body was ignored and an upload session was opened instead)."""
    r = c.request("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", body=body, length=size,
                  headers={"Content-Type": "application/octet-stream"}, expect=(201, 202))
    if r.status == 201:
        check_digest_header(r, digest, f"POST ?digest= {repo}")
        return True
    return False


def mount_blob(c, repo, src_repo, digest, fallback_body=None):
    """Cross-repo mount; on 202 (mount refused) upload fallback_body instead.
    Returns True when mounted, False when uploaded."""
    r = c.request("POST", f"/v2/{repo}/blobs/uploads/?mount={digest}&from={src_repo}", expect=(201, 202))
    if r.status == 201:
        return True
    if fallback_body is None:
        raise UnexpectedAnswer(f"mount {digest} into {repo}: 202 and no fallback body")
    loc = location_path(r, f"mount fallback {repo}")
    c.request("PUT", add_query(loc, digest=digest), body=fallback_body, expect=(201,),
              headers={"Content-Type": "application/octet-stream"})
    return False


def put_manifest(c, repo, ref, manifest, media_type=OCI_MANIFEST, digest=None):
    r = c.request("PUT", f"/v2/{repo}/manifests/{ref}", body=manifest,
                  headers={"Content-Type": media_type}, expect=(201,))
    if digest:
        check_digest_header(r, digest, f"PUT manifest {repo}:{ref}")
    return r


def push_image(c, repo, tag, spec, chunked=False):
    """zb's unit of work: layer blob + config blob + manifest."""
    push = push_blob_chunked if chunked else push_blob_monolithic
    layer = spec.layer
    push(c, repo, layer.body(), layer.size, layer.digest)
    push(c, repo, spec.config, len(spec.config), spec.config_digest)
    put_manifest(c, repo, tag, spec.manifest, digest=spec.manifest_digest)


def pull_image(c, repo, tag, verify=False):
    """zb's pull: HEAD+GET manifest, HEAD+GET config, HEAD+GET each layer.
    Returns bytes of layers read. verify=True also checks layer digests."""
    mpath = f"/v2/{repo}/manifests/{tag}"
    c.request("HEAD", mpath, headers={"Accept": MANIFEST_ACCEPT}, expect=(200,))
    r = c.request("GET", mpath, headers={"Accept": MANIFEST_ACCEPT}, expect=(200,))
    try:
        m = json.loads(r.body)
        cfg = m["config"]
        layers = m["layers"]
    except (ValueError, KeyError, TypeError) as e:
        raise UnexpectedAnswer(f"GET {mpath}: not an image manifest: {r.body[:200]!r}") from e
    cpath = f"/v2/{repo}/blobs/{cfg['digest']}"
    c.request("HEAD", cpath, expect=(200,))
    r = c.request("GET", cpath, expect=(200,))
    if r.nbytes != cfg["size"] or (verify and sha256_digest(r.body) != cfg["digest"]):
        raise UnexpectedAnswer(f"GET {cpath}: {r.nbytes} bytes, expected {cfg['size']} (or digest mismatch)")
    total = 0
    for layer in layers:
        lpath = f"/v2/{repo}/blobs/{layer['digest']}"
        h = c.request("HEAD", lpath, expect=(200,))
        cl = h.header("Content-Length")
        if cl is not None and int(cl) != layer["size"]:
            raise UnexpectedAnswer(f"HEAD {lpath}: Content-Length {cl}, expected {layer['size']}")
        hasher = hashlib.sha256() if verify else None
        r = c.request("GET", lpath, sink=True, hasher=hasher, expect=(200,))
        if r.nbytes != layer["size"]:
            raise UnexpectedAnswer(f"GET {lpath}: {r.nbytes} bytes, expected {layer['size']}")
        if verify and "sha256:" + hasher.hexdigest() != layer["digest"]:
            raise UnexpectedAnswer(f"GET {lpath}: content digest mismatch")
        total += r.nbytes
    return total


def walk_pages(c, first_path, key):
    """Follow Link rel=next from first_path. Returns (items, per-page seconds, pages)."""
    items = []
    times = []
    path = first_path
    seen = set()
    for _ in range(1_000_000):  # bounded
        if path in seen:
            raise UnexpectedAnswer(f"pagination loops at {path}")
        seen.add(path)
        t0 = time.perf_counter()
        r = c.request("GET", path, expect=(200,))
        times.append(time.perf_counter() - t0)
        try:
            page = json.loads(r.body).get(key)
        except (ValueError, AttributeError) as e:
            raise UnexpectedAnswer(f"GET {path}: bad JSON {r.body[:200]!r}") from e
        if page is None:
            page = []
        if not isinstance(page, list):
            raise UnexpectedAnswer(f"GET {path}: '{key}' is not a list")
        items.extend(page)
        path = next_link(r)
        if path is None:
            break
        if not page:
            raise UnexpectedAnswer(f"GET {path}: empty page but Link rel=next present")
    else:
        raise UnexpectedAnswer("pagination did not end")
    return items, times, len(times)
