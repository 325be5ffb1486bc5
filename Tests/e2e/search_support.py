"""Shared pieces of the search e2e tests (test_search.py): GraphQL requests sent the way zot's clients send
them, zui's and zli's query strings verbatim, and images with precise configs (platform, created time,
history, labels) whose layers are real gzip tars, so skopeo can copy them.

Wire formats (zui's and zli's, at the commits test_search.py's docstring names):

- zui (browser, axios): the URL is built by string interpolation and the browser percent-encodes only the
  query percent-encode set (C0 controls, space, `"`, `#`, `<`, `>`, `'`, non-ASCII); `{ } [ ] : , /` stay
  raw. `browser_get` sends such a request-target byte for byte through http.client (requests/urllib3 would
  re-encode the braces).
- zli (Go net/http): GET, `query=` encoded with Go's `url.QueryEscape` (space -> `+`), the same query text as
  the body with `Content-Type: application/json`, and always `Authorization: Basic ...` (`Basic Og==` without
  credentials). `zli_get` sends exactly that.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import quote_plus

from oci import (
    DOCKER_CONFIG,
    OCI_CONFIG,
    Content,
    Image,
    build_image,
    canonical_json,
    random_bytes,
    tar_gz_layer,
)
from zotd_server import ZotdServer

SEARCH_ON = {"search": {"enable": True}}


def start_server(request, binary, *, extensions=SEARCH_ON, cls=ZotdServer, **kw) -> ZotdServer:
    """A server of this test's own with `extensions`; stopped and removed after the test (a crash fails it)."""
    workdir = Path(tempfile.mkdtemp(prefix="zotd-e2e-search-"))
    server = cls(binary, workdir, extensions=extensions, **kw)
    if not hasattr(request.node, "_zotd_servers"):
        request.node._zotd_servers = []
    request.node._zotd_servers.append(server)

    def finish():
        try:
            crashed = server.crashed()
            server.stop()
            assert not crashed, f"zotd exited on its own\n{server.log_tail()}"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    request.addfinalizer(finish)
    return server.start()

SEARCH = "/v2/_zot/ext/search"
USERPREFS = "/v2/_zot/ext/userprefs"

#: Time scalar: RFC 3339 as Go's time.RFC3339Nano writes it (fraction without trailing zeros, `Z` or ±hh:mm).
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?(Z|[+-]\d\d:\d\d)$")

#: ImageSummary.Vulnerabilities without a CVE scanner (zot pkg/extensions/search/convert without a CVE scanner).
NO_VULNERABILITIES = {
    "MaxSeverity": "",
    "Count": 0,
    "UnknownCount": 0,
    "LowCount": 0,
    "MediumCount": 0,
    "HighCount": 0,
    "CriticalCount": 0,
}

NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature"
COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"


# ============================================================================== answers


@dataclass
class Answer:
    """One HTTP answer of the search endpoint."""

    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self):
        return json.loads(self.body)

    def data(self) -> dict:
        """The `data` object of a 200 answer without `errors`."""
        assert self.status == 200, f"status {self.status}: {self.text[:800]}"
        doc = self.json()
        assert "errors" not in doc, f"unexpected errors: {doc['errors']}"
        assert isinstance(doc.get("data"), dict), f"no data object: {self.text[:800]}"
        return doc["data"]

    def error_messages(self) -> list:
        doc = self.json()
        return [e.get("message") for e in doc.get("errors") or []]


def _basic(auth) -> Optional[str]:
    if auth is None:
        return None
    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def raw_request(server, method: str, target: str, *, body: Optional[bytes] = None, headers: Optional[dict] = None,
                auth=None, timeout: float = 30) -> Answer:
    """Send `method target` with the request-target exactly as given (no re-encoding)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    hdrs = dict(headers or {})
    basic = _basic(auth)
    if basic and "Authorization" not in hdrs:
        hdrs["Authorization"] = basic
    started = time.monotonic()
    try:
        conn.request(method, target, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - started)
    finally:
        conn.close()


def gql(server, query: str, *, variables: Optional[dict] = None, auth=None, timeout: float = 30) -> Answer:
    """POST `{"query":..., "variables":...}` as JSON (what GraphQL tooling such as GraphiQL sends)."""
    payload = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return raw_request(server, "POST", SEARCH, body=json.dumps(payload).encode(),
                       headers={"Content-Type": "application/json", "Accept": "application/json"},
                       auth=auth, timeout=timeout)


def data_of(server, query: str, **kw) -> dict:
    return gql(server, query, **kw).data()


# ------------------------------------------------------------------------------ zui (browser)

_BROWSER_QUERY_SET = set(range(0x00, 0x21)) | {0x22, 0x23, 0x3C, 0x3E, 0x27, 0x7F}


def browser_encode(url: str) -> str:
    """The request-target a browser sends for `url` (WHATWG query percent-encode set, special scheme)."""
    out = []
    for byte in url.encode("utf-8"):
        if byte in _BROWSER_QUERY_SET or byte >= 0x80:
            out.append("%%%02X" % byte)
        else:
            out.append(chr(byte))
    return "".join(out)


def browser_get(server, url: str, *, auth=None) -> Answer:
    """`api.get(url)` from zui: axios GET, `Accept: application/json`, no body and so no Content-Type."""
    return raw_request(server, "GET", browser_encode(url), headers={"Accept": "application/json, text/plain, */*"},
                       auth=auth)


class Zui:
    """zui's `endpoints` (src/api.js at zui fbbd3594), verbatim string templates."""

    @staticmethod
    def detailed_repo_info(name):
        return (f'/v2/_zot/ext/search?query={{ExpandedRepoInfo(repo:"{name}"){{Images {{Manifests {{Digest Platform {{Os Arch}} Size}} Vulnerabilities {{MaxSeverity Count}} Tag LastUpdated Vendor IsDeletable }} Summary {{Name LastUpdated Size Platforms {{Os Arch}} Vendors IsStarred IsBookmarked NewestImage {{RepoName IsSigned SignatureInfo {{ Tool IsTrusted Author }} Vulnerabilities {{MaxSeverity Count}} Manifests {{Digest}} Tag Vendor Title Documentation DownloadCount Source Description Licenses}}}}}}}}')

    @staticmethod
    def detailed_image_info(name, tag):
        return (f'/v2/_zot/ext/search?query={{Image(image: "{name}:{tag}"){{RepoName IsSigned SignatureInfo {{ Tool IsTrusted Author }} Vulnerabilities {{MaxSeverity Count}}  Referrers {{MediaType ArtifactType Size Digest Annotations{{Key Value}}}} Tag TaggedTimestamp ArtifactType Manifests {{ArtifactType Layers {{Size Digest}} History {{Layer {{Size Digest}} HistoryDescription {{CreatedBy EmptyLayer}}}} Digest ConfigDigest LastUpdated Size Platform {{Os Arch}} Referrers {{MediaType ArtifactType Size Digest Annotations{{Key Value}}}}}} Vendor Licenses }}}}')

    @staticmethod
    def vulnerabilities_for_repo(name, page_number=1, page_size=15, search_term="", excluded_term="", severity=""):
        query = (f'/v2/_zot/ext/search?query={{CVEListForImage(image: "{name}", requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size}}}')
        if search_term:
            query += f', searchedCVE: "{search_term}"'
        if excluded_term:
            query += f', excludedCVE: "{excluded_term}"'
        if severity:
            query += f', severity: "{severity}"'
        return query + "){Tag Page {TotalCount ItemCount} CVEList {Id Title Description Severity Reference PackageList {Name PackagePath InstalledVersion FixedVersion}} Summary {Count UnknownCount LowCount MediumCount HighCount CriticalCount}}}"

    @staticmethod
    def all_vulnerabilities_for_repo(name):
        return (f'/v2/_zot/ext/search?query={{CVEListForImage(image: "{name}"){{Tag Page {{TotalCount ItemCount}} CVEList {{Id Title Description Severity Reference PackageList {{Name PackagePath InstalledVersion FixedVersion}}}}}}}}')

    @staticmethod
    def image_list_with_cve_fixed(cve_id, repo_name, page_number=1, page_size=3, filter=None):
        filter = filter or {}
        filter_param = ""
        if filter.get("Os") or filter.get("Arch"):
            filter_param = ",filter:{"
            if filter.get("Os"):
                filter_param += f" Os:{json.dumps(filter['Os'], separators=(',', ':'))}"
            if filter.get("Arch"):
                filter_param += f" Arch:{json.dumps(filter['Arch'], separators=(',', ':'))}"
            filter_param += "}"
        return (f'/v2/_zot/ext/search?query={{ImageListWithCVEFixed(id:"{cve_id}", image:"{repo_name}", requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size}}}{filter_param}) {{Page {{TotalCount ItemCount}} Results {{Tag}}}}}}')

    @staticmethod
    def depends_on_for_image(name, page_number=1, page_size=15):
        return (f'/v2/_zot/ext/search?query={{BaseImageList(image: "{name}", requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size}}}){{Page {{TotalCount ItemCount}} Results {{ RepoName Tag Description Manifests {{Digest Platform {{Os Arch}} Size}} Vendor DownloadCount LastUpdated IsSigned SignatureInfo {{ Tool IsTrusted Author }} Vulnerabilities {{MaxSeverity Count}}}}}}}}')

    @staticmethod
    def is_dependent_on_for_image(name, page_number=1, page_size=15):
        return (f'/v2/_zot/ext/search?query={{DerivedImageList(image: "{name}", requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size}}}){{Page {{TotalCount ItemCount}} Results {{RepoName Tag Description Manifests {{Digest Platform {{Os Arch}} Size}} Vendor DownloadCount LastUpdated IsSigned SignatureInfo {{ Tool IsTrusted Author }} Vulnerabilities {{MaxSeverity Count}}}}}}}}')

    @staticmethod
    def global_search(search_query='""', page_number=1, page_size=15, sort_by="RELEVANCE", filter=None):
        filter = {} if filter is None else filter
        search_param = f'query:"{search_query}"' if search_query else 'query:""'
        pagination_param = f"requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size} sortBy: {sort_by}}}"
        filter_param = ",filter: {"
        if filter.get("Os"):
            filter_param += f" Os:{json.dumps(filter['Os'], separators=(',', ':'))}"
        if filter.get("Arch"):
            filter_param += f" Arch:{json.dumps(filter['Arch'], separators=(',', ':'))}"
        for key in ("HasToBeSigned", "IsBookmarked", "IsStarred"):
            if filter.get(key):
                filter_param += f" {key}: true"
        filter_param += "}"
        if len(filter) == 0:
            filter_param = ""
        return (f"/v2/_zot/ext/search?query={{GlobalSearch({search_param}, {pagination_param} {filter_param}) {{Page {{TotalCount ItemCount}} Repos {{Name LastUpdated Size Platforms {{ Os Arch }} IsStarred IsBookmarked NewestImage {{ Tag Vulnerabilities {{MaxSeverity Count}} Description IsSigned SignatureInfo {{ Tool IsTrusted Author }} Licenses Vendor Labels }} StarCount DownloadCount}}}}}}")

    @staticmethod
    def image_suggestions(search_query='""', page_number=1, page_size=15):
        search_param = f'query:"{search_query}"' if search_query != "" else 'query:""'
        pagination_param = f"requestedPage: {{limit:{page_size} offset:{(page_number - 1) * page_size} sortBy:RELEVANCE}}"
        return f"/v2/_zot/ext/search?query={{GlobalSearch({search_param}, {pagination_param}) {{Images {{RepoName Tag}}}}}}"

    @staticmethod
    def referrers(repo, digest, type=""):
        return (f'/v2/_zot/ext/search?query={{Referrers(repo: "{repo}" digest: "{digest}" type: "{type}"){{MediaType ArtifactType Size Digest Annotations{{Key Value}}}}}}')

    @staticmethod
    def star_toggle(repo):
        return f"/v2/_zot/ext/userprefs?repo={repo}&action=toggleStar"

    @staticmethod
    def bookmark_toggle(repo):
        return f"/v2/_zot/ext/userprefs?repo={repo}&action=toggleBookmark"


# ------------------------------------------------------------------------------ zli (Go net/http)


def go_query_escape(s: str) -> str:
    """Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` as %XX, space as `+`."""
    return quote_plus(s, safe="")


def zli_get(server, query: str, *, auth=None) -> Answer:
    """zli's `makeGraphQLRequest`: GET ?query=<QueryEscape>, the query again as the body, Content-Type
    application/json, `Authorization: Basic base64(user:pass)` (`Basic Og==` without credentials)."""
    user, password = auth if auth else ("", "")
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
        "Content-Type": "application/json",
        "User-Agent": "Go-http-client/1.1",
        "Accept-Encoding": "gzip",
    }
    return raw_request(server, "GET", f"{SEARCH}?query={go_query_escape(query)}", body=query.encode(),
                       headers=headers)


class Zli:
    """zli's GraphQL query strings (zot 6d19b445 pkg/cli/client), verbatim with their tabs and newlines."""

    SCHEMA_QUERY = (
        "\n\t\t{\n\t\t\t__schema {\n\t\t\t\tqueryType {\n\t\t\t\t\tfields {\n\t\t\t\t\t\tname\n\t\t\t\t\t\targs {\n"
        "\t\t\t\t\t\t\tname\n\t\t\t\t\t\t}\n\t\t\t\t\t\ttype {\n\t\t\t\t\t\t\tname\n\t\t\t\t\t\t\tkind\n\t\t\t\t\t\t}\n"
        "\t\t\t\t\t}\n\t\t\t\t\t__typename\n\t\t\t\t}\n\t\t\t\ttypes {\n\t\t\t\t\tname\n\t\t\t\t\tfields {\n"
        "\t\t\t\t\t\tname\n\t\t\t\t\t}\n\t\t\t\t}\n\t\t\t}\n\t\t}"
    )

    #: gql_queries.go: (Name, Args in order, ReturnType).
    REQUIRED = [
        ("ImageList", ["repo", "requestedPage"], "PaginatedImagesResult"),
        ("CVEDiffListForImages", ["minuend", "subtrahend", "requestedPage", "searchedCVE", "excludedCVE"], "CVEDiffResult"),
        ("ImageListForDigest", ["id", "requestedPage"], "PaginatedImagesResult"),
        ("BaseImageList", ["image", "digest", "requestedPage"], "PaginatedImagesResult"),
        ("DerivedImageList", ["image", "digest", "requestedPage"], "PaginatedImagesResult"),
        ("CVEListForImage", ["image", "requestedPage", "searchedCVE", "excludedCVE", "severity"], "CVEResultForImage"),
        ("ImageListForCVE", ["id", "filter", "requestedPage"], "PaginatedImagesResult"),
        ("ImageListWithCVEFixed", ["id", "image", "filter", "requestedPage"], "PaginatedImagesResult"),
        ("Referrers", ["repo", "digest", "type"], "Referrer"),
        ("GlobalSearch", ["query", "filter", "requestedPage"], "GlobalSearchResult"),
    ]

    _TEMPLATE_A_BODY = (
        "\t\t\tResults {\n\t\t\t\tRepoName Tag\n\t\t\t\tDigest\n\t\t\t\tMediaType\n\t\t\t\tManifests {\n"
        "\t\t\t\t\tDigest\n\t\t\t\t\tConfigDigest\n\t\t\t\t\tSize\n\t\t\t\t\tPlatform {Os Arch}\n\t\t\t\t\tIsSigned\n"
        "\t\t\t\t\tLayers {Size Digest}\n\t\t\t\t\tLastUpdated\n\t\t\t\t}\n\t\t\t\tLastUpdated\n\t\t\t\tSize\n"
        "\t\t\t\tIsSigned\n\t\t\t}\n\t\t}\n\t}"
    )

    @classmethod
    def image_list(cls, repo, sort_by="ALPHABETIC_ASC"):
        return f'\n\t{{\n\t\tImageList(repo: "{repo}", requestedPage: {{sortBy: {sort_by}}}) {{\n' + cls._TEMPLATE_A_BODY

    @classmethod
    def image_list_for_digest(cls, digest, sort_by="ALPHABETIC_ASC"):
        return f'\n\t{{\n\t\tImageListForDigest(id: "{digest}", requestedPage: {{sortBy: {sort_by}}}) {{\n' + cls._TEMPLATE_A_BODY

    @staticmethod
    def _template_b(line2, results="Results{"):
        return (
            f"\n\t\t{{\n{line2}\n\t\t\t\t{results}\n\t\t\t\t\tRepoName Tag\n\t\t\t\t\tDigest\n\t\t\t\t\tMediaType\n"
            "\t\t\t\t\tManifests {\n\t\t\t\t\t\tDigest\n\t\t\t\t\t\tConfigDigest\n\t\t\t\t\t\tSize\n"
            "\t\t\t\t\t\tPlatform {Os Arch}\n\t\t\t\t\t\tIsSigned\n\t\t\t\t\t\tLayers {Size Digest}\n"
            "\t\t\t\t\t\tLastUpdated\n\t\t\t\t\t}\n\t\t\t\t\tLastUpdated\n\t\t\t\t\tSize\n\t\t\t\t\tIsSigned\n"
            "\t\t\t\t}\n\t\t\t}\n\t\t}"
        )

    @classmethod
    def derived_image_list(cls, image, sort_by="ALPHABETIC_ASC"):
        return cls._template_b(f'\t\t\tDerivedImageList(image:"{image}", requestedPage: {{sortBy: {sort_by}}}){{')

    @classmethod
    def base_image_list(cls, image, sort_by="ALPHABETIC_ASC"):
        return cls._template_b(f'\t\t\tBaseImageList(image:"{image}", requestedPage: {{sortBy: {sort_by}}}){{')

    @classmethod
    def image_list_for_cve(cls, cve, sort_by="ALPHABETIC_ASC"):
        return cls._template_b(f'\t\t\tImageListForCVE(id: "{cve}", requestedPage: {{sortBy: {sort_by}}}) {{', "Results {")

    @classmethod
    def image_list_with_cve_fixed(cls, cve, image):
        return cls._template_b(f'\t\t\tImageListWithCVEFixed(id: "{cve}", image: "{image}") {{', "Results {")

    @staticmethod
    def referrers(repo, digest):
        return (
            f'\n\t\t{{\n\t\t\tReferrers( repo: "{repo}", digest: "{digest}" ){{\n\t\t\t\tArtifactType,\n\t\t\t\tDigest,\n'
            "\t\t\t\tMediaType,\n\t\t\t\tSize,\n\t\t\t\tAnnotations{\n\t\t\t\t\tKey\n\t\t\t\t\tValue\n\t\t\t\t}\n"
            "\t\t\t}\n\t\t}"
        )

    @staticmethod
    def image_input(repo, tag="", digest=""):
        return f'{{Repo: "{repo}", Tag: "{tag}", Digest: "{digest}"}}'

    @classmethod
    def cve_diff(cls, minuend, subtrahend):
        return (
            f"\n\t\t{{\n\t\t\tCVEDiffListForImages( minuend: {minuend}, subtrahend: {subtrahend} ) {{\n"
            "\t\t\t\tMinuend {Repo Tag Digest Platform {Os Arch}}\n\t\t\t\tSubtrahend {Repo Tag Digest Platform {Os Arch}}\n"
            "\t\t\t\tCVEList {\n\t\t\t\t\tId Title Description Severity Reference \n"
            "\t\t\t\t\tPackageList {Name InstalledVersion FixedVersion}\n\t\t\t\t} \n\t\t\t\tSummary {\n"
            "\t\t\t\t\tCount UnknownCount LowCount MediumCount HighCount CriticalCount\n\t\t\t\t} \n"
            "\t\t\t\tPage {TotalCount ItemCount}\n\t\t\t}\n\t\t}"
        )

    @staticmethod
    def global_search(query, sort_by="RELEVANCE"):
        return (
            f'\n\t\t{{\n\t\t\tGlobalSearch(query:"{query}", requestedPage: {{sortBy: {sort_by}}}){{\n\t\t\t\tImages {{\n'
            "\t\t\t\t\tRepoName\n\t\t\t\t\tTag\n\t\t\t\t\tMediaType\n\t\t\t\t\tDigest\n\t\t\t\t\tSize\n\t\t\t\t\tIsSigned\n"
            "\t\t\t\t\tLastUpdated\n\t\t\t\t\tManifests {\n\t\t\t\t\t\tDigest\n\t\t\t\t\t\tConfigDigest\n"
            "\t\t\t\t\t\tPlatform {Os Arch}\n\t\t\t\t\t\tSize\n\t\t\t\t\t\tIsSigned\n\t\t\t\t\t\tLayers {Size Digest}\n"
            "\t\t\t\t\t\tLastUpdated\n\t\t\t\t\t}\n\t\t\t\t}\n\t\t\t\tRepos {\n\t\t\t\t\tName\n"
            "\t\t\t\t\tPlatforms { Os Arch }\n\t\t\t\t\tLastUpdated\n\t\t\t\t\tSize\n\t\t\t\t\tDownloadCount\n"
            "\t\t\t\t\tStarCount\n\t\t\t\t}\n\t\t\t}\n\t\t}"
        )

    @staticmethod
    def cve_for_image(image, searched_cve="", sort_by="SEVERITY"):
        return (
            f'\n\t{{\n\t\tCVEListForImage (image:"{image}", searchedCVE:"{searched_cve}", requestedPage: {{sortBy: {sort_by}}}) {{\n'
            "\t\t\tTag\n\t\t\tCVEList {\n\t\t\t\tId Title Severity Description\n"
            "\t\t\t\tPackageList {Name PackagePath InstalledVersion FixedVersion}\n\t\t\t}\n\t\t\tSummary {\n"
            "\t\t\t\tCount UnknownCount LowCount MediumCount HighCount CriticalCount MaxSeverity\n\t\t\t}\n\t\t}\n\t}"
        )


# ============================================================================== content


def real_layer(tag: str = "") -> Content:
    """A gzip tar layer with one random file (real, so skopeo and podman can handle it)."""
    blob, _ = tar_gz_layer({f"{tag or 'f'}-{random_bytes(4).hex()}.bin": random_bytes(700)})
    return Content(blob, "application/vnd.oci.image.layer.v1.tar+gzip")


def make_image(*, created: Optional[str] = None, os_: str = "linux", arch: str = "amd64", variant: Optional[str] = None,
               layers: Optional[list] = None, n_layers: int = 2, history: Optional[list] = None,
               labels: Optional[dict] = None, annotations: Optional[dict] = None, author: Optional[str] = None,
               docker: bool = False) -> Image:
    """An image whose config has exactly the given platform, `created`, history, labels and author."""
    if layers is None:
        layers = [real_layer() for _ in range(n_layers)]
    if docker:
        layers = [Content(l.data, "application/vnd.docker.image.rootfs.diff.tar.gzip") for l in layers]
    cfg = {"architecture": arch, "os": os_, "rootfs": {"type": "layers", "diff_ids": [
        "sha256:" + random_bytes(32).hex() for _ in layers]}}
    if variant:
        cfg["variant"] = variant
    if created:
        cfg["created"] = created
    if history is not None:
        cfg["history"] = history
    if author:
        cfg["author"] = author
    cfg["config"] = {"Labels": dict(labels or {}, **{"e2e.nonce": random_bytes(6).hex()})}
    config = Content(canonical_json(cfg), DOCKER_CONFIG if docker else OCI_CONFIG)
    return build_image(docker=docker, config=config, layers=layers, annotations=annotations)


def image_size(img: Image) -> int:
    """zot's ImageSummary.Size of a manifest: config size + manifest bytes + every layer's size."""
    return img.config.size + img.manifest.size + sum(l.size for l in img.layers)


def child_size(img: Image) -> int:
    """One index child's share of the index's Size: manifest + config + layers deduplicated by digest."""
    unique = {l.digest: l.size for l in img.layers}
    unique[img.config.digest] = img.config.size
    return img.manifest.size + sum(unique.values())


def cosign_signature(subject: Image) -> tuple:
    """A cosign "classic" signature: the tag `sha256-<hex>.sig` and its manifest (simplesigning layer)."""
    payload = canonical_json({"critical": {"image": {"docker-manifest-digest": subject.digest},
                                           "type": "cosign container image signature"}, "optional": None})
    layer = Content(payload, COSIGN_SIMPLESIGNING)
    config = Content(canonical_json({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": []},
                                     "config": {}}), OCI_CONFIG)
    doc = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config.descriptor(),
        "layers": [layer.descriptor(annotations={"dev.cosignproject.cosign/signature": base64.b64encode(
            random_bytes(64)).decode()})],
    }
    manifest = Content(canonical_json(doc), doc["mediaType"])
    tag = "sha256-" + subject.digest.split(":", 1)[1] + ".sig"
    return tag, Image(manifest, config, [layer])


def notation_signature(subject: Image) -> Image:
    """A notation signature: artifactType application/vnd.cncf.notary.signature, a JWS layer, `subject`."""
    layer = Content(canonical_json({"payload": base64.b64encode(random_bytes(40)).decode()}),
                    "application/jose+json")
    return build_image(artifact_type=NOTATION_SIGNATURE, config=Content(b"{}", "application/vnd.oci.empty.v1+json"),
                       layers=[layer], subject=subject.manifest,
                       annotations={"io.cncf.notary.x509chain.thumbprint#S256": "[\"abc\"]"})


# ============================================================================== comparing answers


def differences(got, want, path: str = "$") -> list:
    """Every place where `got` differs from `want`, as `path: got X, want Y` lines (dicts by key, lists by index)."""
    if isinstance(got, dict) and isinstance(want, dict):
        out = []
        for key in list(want) + [k for k in got if k not in want]:
            if key not in got:
                out.append(f"{path}.{key}: missing, want {want[key]!r}")
            elif key not in want:
                out.append(f"{path}.{key}: unexpected {got[key]!r}")
            else:
                out += differences(got[key], want[key], f"{path}.{key}")
        return out
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items, want {len(want)}: got {got!r}, want {want!r}"]
        out = []
        for i, (g, w) in enumerate(zip(got, want)):
            out += differences(g, w, f"{path}[{i}]")
        return out
    if got != want or type(got) is not type(want):
        return [f"{path}: got {got!r}, want {want!r}"]
    return []


def assert_same(got, want) -> None:
    """`got == want`, reporting every differing path."""
    diff = differences(got, want)
    assert not diff, f"{len(diff)} difference(s):\n" + "\n".join(diff)
