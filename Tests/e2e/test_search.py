"""Search extension (`GET|POST /v2/_zot/ext/search`, zot's GraphQL API) against the real server, answering
zot's clients exactly as zot does: zui (the web UI, zui fbbd3594 src/api.js) and zli (zot 6d19b445
pkg/cli/client), with their query strings verbatim and sent their way.

The rules asserted here are zot's, read in its sources at 6d19b445 (gqlgen 0.17.94): pkg/extensions/search
(resolver.go and schema.resolvers.go for the queries and their errors, convert/ for the ImageSummary and
RepoSummary fields, pagination/ for pages and sort orders), pkg/meta for timestamps and download counts, and
for the clients zui's src/api.js at fbbd3594 and zot's pkg/cli/client. The schema's shape is the fixture
Tests/SearchExtensionTests/Fixtures/zot-search-schema.shape.graphql.

Content is pushed through the real push paths: skopeo (single- and multi-arch images from an OCI layout),
oras-py (an artifact attached as a referrer), and oci.py's push helpers for precise content (annotations,
labels, history with empty layers, base/derived images sharing layer prefixes, a cosign `sha256-<hex>.sig`
tag and a notation signature referrer). Most tests read one seeded server (`search`); tests that change
state (downloads, deletes, reindex, stars) start a server of their own.
"""

from __future__ import annotations

import datetime
import subprocess
import time
from pathlib import Path

import pytest

from auth_support import AuthServer, oras_client_for, require_tool, write_htpasswd
from oci import (
    DOCKER_MANIFEST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    build_index,
    push_image,
    push_manifest,
    write_oci_layout,
)
from search_support import (
    SEARCH_ON,
    start_server,
    assert_same,
    NO_VULNERABILITIES,
    RFC3339,
    SEARCH,
    USERPREFS,
    Zli,
    Zui,
    browser_encode,
    browser_get,
    child_size,
    cosign_signature,
    data_of,
    go_query_escape,
    gql,
    image_size,
    make_image,
    notation_signature,
    raw_request,
    real_layer,
    zli_get,
)
from zotd_server import MANIFEST_ACCEPT, ZotdServer

SEARCH_AND_UI = {"search": {"enable": True}, "ui": {"enable": True}}
SHAPE_FIXTURE = Path(__file__).resolve().parents[1] / "SearchExtensionTests" / "Fixtures" / "zot-search-schema.shape.graphql"

# Created times of the seeded images (config `created`, or the manifest's `created` annotation).
T_ALPINE_319 = "2024-01-01T00:00:00Z"
T_ALPINE_320 = "2024-06-01T00:00:00Z"
T_MULTI_AMD64 = "2024-03-01T00:00:00Z"
T_MULTI_ARM = "2024-03-02T00:00:00Z"
T_ANNOTATED = "2024-02-02T10:11:12.5+02:00"  # the annotation
# zot renders an annotation's time with the offset it was written with (gqlgen's MarshalTime); zotd renders the
# same instant in UTC, as it renders every other time.
T_ANNOTATED_SHOWN = "2024-02-02T08:11:12.5Z"
T_BASE = "2024-04-01T00:00:00Z"
T_DERIVED = "2024-05-01T00:00:00Z"
T_DOCKER = "2023-06-01T00:00:00Z"
T_NOTARIZED = "2023-03-01T00:00:00Z"
T_SBOM = "2022-01-01T00:00:00Z"
T_SIGNED = "2024-07-01T00:00:00Z"

REPOS = ["alpine", "annotated", "base/app", "derived/app", "docker/img", "multi", "notarized", "signed"]
IMAGES_ALPHABETIC = [
    ("alpine", "3.19"), ("alpine", "3.20"), ("annotated", "v1"), ("base/app", "base"), ("derived/app", "v1"),
    ("docker/img", "v1"), ("multi", "latest"), ("notarized", "sbom"), ("notarized", "v1"), ("signed", "v1"),
]
IMAGES_BY_UPDATE_TIME = [
    ("signed", "v1"), ("alpine", "3.20"), ("derived/app", "v1"), ("base/app", "base"), ("multi", "latest"),
    ("annotated", "v1"), ("alpine", "3.19"), ("docker/img", "v1"), ("notarized", "v1"), ("notarized", "sbom"),
]
SBOM_TYPE = "application/vnd.example.sbom.v1+json"

FULL_IMAGE = """
  RepoName Tag Digest MediaType Size DownloadCount LastPullTimestamp PushTimestamp PushedBy TaggedTimestamp
  LastUpdated Description IsSigned SignatureInfo {Tool IsTrusted Author} Licenses Labels Title Source
  Documentation Vendor Authors IsDeletable ArtifactType
  Vulnerabilities {MaxSeverity Count UnknownCount LowCount MediumCount HighCount CriticalCount}
  Referrers {MediaType ArtifactType Size Digest Annotations {Key Value}}
  Manifests {
    Digest ConfigDigest LastUpdated Size IsSigned SignatureInfo {Tool IsTrusted Author} Platform {Os Arch}
    DownloadCount ArtifactType Layers {Size Digest}
    History {Layer {Size Digest} HistoryDescription {Created CreatedBy Author Comment EmptyLayer}}
    Vulnerabilities {MaxSeverity Count}
    Referrers {Digest}
  }
"""


# ============================================================================== helpers


def parse_time(value: str) -> datetime.datetime:
    """An RFC 3339 time as the search API writes it (up to 9 fraction digits), as an aware datetime."""
    assert isinstance(value, str) and RFC3339.match(value), f"not an RFC 3339 time: {value!r}"
    head, _, rest = value.partition(".")
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_recent(value: str, seconds: float = 600) -> None:
    when = parse_time(value)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - when).total_seconds()) < seconds, f"{value} is not within {seconds}s of now ({now})"


def assert_error(answer, message: str, path=None) -> None:
    """zot's resolver-error envelope: HTTP 200, `{"errors":[{"message","path","locations"}],"data":null}`."""
    assert answer.status == 200, f"status {answer.status}, expected 200: {answer.text[:500]}"
    doc = answer.json()
    assert doc.get("data", "absent") is None, f"data should be null: {answer.text[:500]}"
    messages = answer.error_messages()
    assert message in messages, f"expected error {message!r}, got {messages}"
    if path is not None:
        err = next(e for e in doc["errors"] if e.get("message") == message)
        assert err.get("path") == path, f"error path {err.get('path')}, expected {path}"


def assert_still_answers(server) -> None:
    """The server is up and answers a normal query afterwards."""
    assert server.alive(), f"zotd died\n{server.log_tail()}"
    d = data_of(server, '{ImageList(repo:""){Page{TotalCount ItemCount}}}')
    assert isinstance(d["ImageList"]["Page"]["TotalCount"], int)


def names(results) -> list:
    return [(r["RepoName"], r["Tag"]) for r in results]


def skopeo_copy(server, layout, tag, dest, *, all_images=False):
    skopeo = require_tool("skopeo")
    cmd = [skopeo, "copy", "--dest-tls-verify=false", "--preserve-digests"]
    if all_images:
        cmd.append("--all")
    cmd += [f"oci:{layout}:{tag}", f"docker://{server.hostport}/{dest}"]
    p = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}: {p.stderr.decode(errors='replace')[-2000:]}"


def pull(server, repo, ref, times=1, auth=None):
    for _ in range(times):
        r = server.http.get(server.url(f"/v2/{repo}/manifests/{ref}"), headers={"Accept": MANIFEST_ACCEPT},
                            auth=auth, timeout=30)
        assert r.status_code == 200, r.text


# ============================================================================== the seeded server


class Seed:
    """What the module's server holds (set by `search`)."""


@pytest.fixture(scope="module")
def _search_server(request, zotd_binary, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("search")
    server = ZotdServer(zotd_binary, workdir / "server", extensions=SEARCH_ON)
    (workdir / "server").mkdir()
    server.start()
    try:
        server.seed = _seed(server, workdir)
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


def _seed(server, workdir: Path) -> Seed:
    s = Seed()
    # skopeo: two single-arch tags of `alpine`, and a multi-arch index (amd64 and arm/v7) with --all.
    s.alpine319 = make_image(created=T_ALPINE_319, n_layers=2)
    s.alpine320 = make_image(created=T_ALPINE_320, n_layers=3)
    write_oci_layout(workdir / "alpine", {"3.19": s.alpine319, "3.20": s.alpine320})
    skopeo_copy(server, workdir / "alpine", "3.19", "alpine:3.19")
    skopeo_copy(server, workdir / "alpine", "3.20", "alpine:3.20")
    s.multi_amd64 = make_image(created=T_MULTI_AMD64)
    s.multi_arm = make_image(created=T_MULTI_ARM, arch="arm", variant="v7")
    s.multi = build_index([s.multi_amd64, s.multi_arm])
    write_oci_layout(workdir / "multi", {"latest": s.multi},
                     extra_blobs=[*s.multi_amd64.blobs, s.multi_amd64.manifest, *s.multi_arm.blobs,
                                  s.multi_arm.manifest])
    skopeo_copy(server, workdir / "multi", "latest", "multi:latest", all_images=True)

    # Precise content through the HTTP push helpers.
    s.annotations = {
        "org.opencontainers.image.created": T_ANNOTATED,
        "org.opencontainers.image.description": "An annotated image",
        "org.opencontainers.image.title": "Annotated",
        "org.opencontainers.image.documentation": "https://docs.example.com",
        "org.opencontainers.image.source": "https://git.example.com/annotated",
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.vendor": "Acme",
        "org.opencontainers.image.authors": "Ann <ann@example.com>",
    }
    s.annotated = make_image(
        created="2023-01-01T00:00:00Z", n_layers=2, author="config-author",
        labels={"org.label-schema.labels": "from-config-labels", "org.label-schema.vendor": "LabelVendor"},
        history=[
            {"created": "2023-01-01T00:00:00Z", "created_by": "ADD a.tar /", "author": "builder", "comment": "first"},
            {"created": "2023-01-01T00:00:01Z", "created_by": "ENV X=1", "empty_layer": True},
            {"created_by": "RUN make"},
        ],
        annotations=s.annotations,
    )
    push_image(server, "annotated", "v1", s.annotated)

    s.docker = make_image(created=T_DOCKER, n_layers=1, docker=True, author="Docker Author", labels={
        "org.label-schema.description": "described by a label", "org.label-schema.name": "LabelTitle",
        "org.label-schema.vendor": "LabelVendor", "org.label-schema.build-date": "not a date"})
    push_image(server, "docker/img", "v1", s.docker)

    s.shared = [real_layer("base0"), real_layer("base1")]
    s.base = make_image(created=T_BASE, layers=list(s.shared))
    s.derived = make_image(created=T_DERIVED, layers=[*s.shared, real_layer("derived")])
    push_image(server, "base/app", "base", s.base)
    push_image(server, "derived/app", "v1", s.derived)

    s.signed = make_image(created=T_SIGNED, n_layers=1)
    push_image(server, "signed", "v1", s.signed)
    s.cosign_tag, s.cosign = cosign_signature(s.signed)
    push_image(server, "signed", s.cosign_tag, s.cosign)

    s.notarized = make_image(created=T_NOTARIZED, n_layers=1)
    push_image(server, "notarized", "v1", s.notarized)
    s.notation = notation_signature(s.notarized)
    push_image(server, "notarized", s.notation.digest, s.notation)

    # oras: an SBOM-like artifact attached to notarized:v1 (tagged `sbom`, so it is an image too).
    import oras.oci

    client = oras_client_for(server)
    files = workdir / "sbom"
    files.mkdir()
    (files / "sbom.json").write_bytes(b'{"sbom": "e2e"}')
    (files / "config.json").write_bytes(b"{}")
    r = client.push(
        target=f"{server.hostport}/notarized:sbom", files=[str(files / "sbom.json")], disable_path_validation=True,
        subject=oras.oci.Subject(mediaType=OCI_MANIFEST, digest=s.notarized.digest, size=s.notarized.manifest.size),
        manifest_annotations={"org.opencontainers.image.created": T_SBOM, "org.example.kind": "sbom"},
        manifest_config=f"{files / 'config.json'}:{SBOM_TYPE}",
    )
    assert r.status_code == 201, r.text
    s.sbom_digest = r.headers["Docker-Content-Digest"]
    # Read back through the referrers API: a GET of the manifest would count as a download.
    listing = server.get(f"/v2/notarized/referrers/{s.notarized.digest}").json()["manifests"]
    s.sbom_descriptor = next(d for d in listing if d["digest"] == s.sbom_digest)
    assert s.sbom_descriptor["annotations"]["org.opencontainers.image.created"] == T_SBOM, s.sbom_descriptor

    # Downloads: annotated:v1 three times, alpine:3.19 once (GET, by tag).
    pull(server, "annotated", "v1", times=3)
    pull(server, "alpine", "3.19")
    return s


@pytest.fixture
def search(request, _search_server) -> ZotdServer:
    """The module's seeded search server; checked to be still running after each test."""
    server = _search_server
    if not server.alive():
        pytest.fail(f"the module's zotd is no longer running\n{server.log_tail()}", pytrace=False)
    if not hasattr(request.node, "_zotd_servers"):
        request.node._zotd_servers = []
    request.node._zotd_servers.append(server)
    yield server
    assert not server.crashed(), f"zotd exited on its own\n{server.log_tail()}"


# ============================================================================== 1. schema


def _shape(schema):
    """{type name: (kind, [(field, type, [(arg, type)])] | [enum values] | [(input field, type)])}."""
    import graphql

    out = {}
    for name, t in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if isinstance(t, graphql.GraphQLEnumType):
            out[name] = ("enum", list(t.values))
        elif isinstance(t, graphql.GraphQLInputObjectType):
            out[name] = ("input", [(f, str(v.type)) for f, v in t.fields.items()])
        elif isinstance(t, graphql.GraphQLObjectType):
            out[name] = ("object", [(f, str(v.type), [(a, str(av.type)) for a, av in v.args.items()])
                                    for f, v in t.fields.items()])
        else:
            out[name] = (type(t).__name__, None)
    return out


def _fields_by_name(shape):
    """The shape with each type's fields (and input fields) sorted by name, arguments kept in order: GraphQL
    Swift's introspection lists fields alphabetically (its `__Type.fields` sorts them), while the declared
    order is checked by the SDL test in Tests/SearchExtensionTests."""
    return {name: (kind, sorted(fields) if kind in ("object", "input") else fields) for name, (kind, fields) in shape.items()}


def test_introspection_gives_zots_schema_shape(search):
    """The standard introspection query (graphql-core's `get_introspection_query()`, POSTed as JSON) builds a
    client schema with exactly the shape of zot's schema.graphql: every type, every field with the same type,
    every argument in zot's order with the same type, every enum value and input field."""
    import graphql

    answer = gql(search, graphql.get_introspection_query())
    client = graphql.build_client_schema(answer.data())
    expected = graphql.build_schema(SHAPE_FIXTURE.read_text())
    got, want = _fields_by_name(_shape(client)), _fields_by_name(_shape(expected))
    assert sorted(got) == sorted(want), f"types differ: extra {sorted(set(got) - set(want))}, missing {sorted(set(want) - set(got))}"
    differing = [f"type {name}:\n  got  {got[name]}\n  want {want[name]}" for name in want if got[name] != want[name]]
    assert not differing, f"{len(differing)} type(s) differ:\n" + "\n".join(differing)
    assert client.query_type.name == "Query" and client.mutation_type is None and client.subscription_type is None


def test_zli_introspection_check_passes(search):
    """zli's `CheckExtEndPointQuery` (zot pkg/cli/client @ 6d19b445): its exact schema query, GET with the Go-form-encoded
    `query=` and the same text as a body with Content-Type application/json and `Authorization: Basic Og==`;
    every required query is present with the same argument names in the same order, and its return type is a
    type of the schema; no `errors`."""
    assert go_query_escape(Zli.SCHEMA_QUERY).startswith("%0A%09%09%7B%0A%09%09%09__schema+%7B%0A")
    assert len(Zli.SCHEMA_QUERY) == 235
    answer = zli_get(search, Zli.SCHEMA_QUERY)
    assert answer.status == 200, answer.text[:500]
    doc = answer.json()
    assert not doc.get("errors"), doc.get("errors")
    schema = doc["data"]["__schema"]
    fields = {f["name"]: f for f in schema["queryType"]["fields"]}
    type_names = {t["name"] for t in schema["types"]}
    assert schema["queryType"]["__typename"] == "__Type"
    for name, args, return_type in Zli.REQUIRED:
        assert name in fields, f"{name} missing from queryType.fields"
        assert [a["name"] for a in fields[name]["args"]] == args, f"{name} args {fields[name]['args']}"
        assert return_type in type_names, f"{return_type} missing from __schema.types"


# ============================================================================== 3. zui's queries, as a browser sends them


def test_browser_sends_braces_raw_and_quotes_encoded():
    """The request-targets below are what a browser sends: only space, `"`, `<`, `>`, `'` (and controls,
    `#`, non-ASCII) percent-encoded (the WHATWG URL parser's query set); the example is zui's imageSuggestions URL."""
    url = Zui.image_suggestions("alpine:3", page_size=9)
    assert browser_encode(url) == (
        "/v2/_zot/ext/search?query={GlobalSearch(query:%22alpine:3%22,%20requestedPage:%20{limit:9%20offset:0%20"
        "sortBy:RELEVANCE})%20{Images%20{RepoName%20Tag}}}"
    )


def _repos(answer):
    return answer.data()["GlobalSearch"]


def test_zui_home_popular_sorts_repositories_by_downloads(search):
    """Home "popular": GlobalSearch(query:"", limit 3, sortBy DOWNLOADS), no filter (args end in `} )`):
    repositories with the most downloads first (DownloadCount = Σ over tags); Page counts every repository
    (TotalCount) and the page (ItemCount); NewestImage.Vulnerabilities are zeros; Size a decimal string."""
    g = _repos(browser_get(search, Zui.global_search("", page_size=3, sort_by="DOWNLOADS")))
    assert g["Page"] == {"TotalCount": len(REPOS), "ItemCount": 3}
    assert [r["Name"] for r in g["Repos"][:2]] == ["annotated", "alpine"]
    assert [r["DownloadCount"] for r in g["Repos"]] == [3, 1, 0]
    for r in g["Repos"]:
        assert r["Size"].isdigit() and int(r["Size"]) > 0
        assert r["NewestImage"]["Vulnerabilities"] == {"MaxSeverity": "", "Count": 0}
        assert r["IsStarred"] is False and r["IsBookmarked"] is False and r["StarCount"] == 0
    assert list(g) == ["Page", "Repos"], "fields come back in the query's order"


def test_zui_home_recent_sorts_repositories_by_update_time(search):
    """Home "recent": sortBy UPDATE_TIME, limit 2: RepoSummary.LastUpdated descending (it is the newest of
    the newest image's created time and every tag's TaggedTimestamp, so the repository tagged last comes first)."""
    g = _repos(browser_get(search, Zui.global_search("", page_size=2, sort_by="UPDATE_TIME")))
    assert g["Page"] == {"TotalCount": len(REPOS), "ItemCount": 2}
    everything = _repos(browser_get(search, Zui.global_search("", page_size=100, sort_by="UPDATE_TIME")))["Repos"]
    times = [parse_time(r["LastUpdated"]) for r in everything]
    assert times == sorted(times, reverse=True), [r["LastUpdated"] for r in everything]
    assert [r["Name"] for r in g["Repos"]] == [r["Name"] for r in everything[:2]]
    assert g["Repos"][0]["Name"] == "notarized"  # tagged last (the oras `sbom` tag)
    for r in everything:
        assert_recent(r["LastUpdated"])


@pytest.mark.parametrize("flag", ["IsBookmarked", "IsStarred"])
def test_zui_home_bookmarks_and_stars_are_empty_for_anonymous(search, flag):
    """Home "bookmarks"/"stars": `,filter: { IsBookmarked: true}` (or IsStarred), limit 2, RELEVANCE: an
    anonymous user has no preferences, so no repository matches: `Repos: []`, Page 0/0."""
    g = _repos(browser_get(search, Zui.global_search("", page_size=2, sort_by="RELEVANCE", filter={flag: True})))
    assert g == {"Page": {"TotalCount": 0, "ItemCount": 0}, "Repos": []}


def test_zui_explore_filtered_search_uses_array_filters(search):
    """Explore with filters (arrays for Os/Arch, as the Explore page sends): `Os:["linux"]
    Arch:["amd64","arm64"] HasToBeSigned: true` on query "alp": alpine has amd64 but no signature, so
    nothing matches (TotalCount counts accepted repositories, before pagination); without HasToBeSigned alpine
    matches; `Arch:["arm/v7"]` (arch with variant) finds only the multi-arch repository."""
    signed_only = _repos(browser_get(search, Zui.global_search("alp", page_number=2, page_size=10, filter={
        "Os": ["linux"], "Arch": ["amd64", "arm64"], "HasToBeSigned": True})))
    assert signed_only == {"Page": {"TotalCount": 0, "ItemCount": 0}, "Repos": []}
    unsigned = _repos(browser_get(search, Zui.global_search("alp", page_size=10, filter={
        "Os": ["linux"], "Arch": ["amd64", "arm64"]})))
    assert [r["Name"] for r in unsigned["Repos"]] == ["alpine"]
    arm = _repos(browser_get(search, Zui.global_search("", page_size=10, filter={"Arch": ["arm/v7"]})))
    assert [r["Name"] for r in arm["Repos"]] == ["multi"]
    assert {"Os": "linux", "Arch": "arm/v7"} in arm["Repos"][0]["Platforms"]


def test_zui_explore_with_an_empty_filter_object(search):
    """Explore with every image filter false sends `,filter: {}`: no filtering; query "alp" finds alpine
    (Rank 1: "alp" at offset 0 of the last path part)."""
    url = Zui.global_search("alp", page_size=10, filter={"HasToBeSigned": False})
    assert ",filter: {})" in url
    g = _repos(browser_get(search, url))
    assert g["Page"] == {"TotalCount": 1, "ItemCount": 1}
    r = g["Repos"][0]
    assert r["Name"] == "alpine"
    assert r["Platforms"] == [{"Os": "linux", "Arch": "amd64"}]
    assert r["NewestImage"]["Tag"] == "3.20"
    assert r["NewestImage"]["SignatureInfo"] == [] and r["NewestImage"]["IsSigned"] is False
    assert r["NewestImage"]["Description"] == "" and r["NewestImage"]["Labels"] == ""
    assert r["DownloadCount"] == 1


def test_zui_image_suggestions_for_repo_colon_tag(search):
    """The header's suggestions for text with `:` (`alpine:3`): GlobalSearch image target, repository matched
    exactly and tags by prefix, RELEVANCE (repo then tag)."""
    d = browser_get(search, Zui.image_suggestions("alpine:3", page_size=9)).data()
    assert d == {"GlobalSearch": {"Images": [{"RepoName": "alpine", "Tag": "3.19"},
                                             {"RepoName": "alpine", "Tag": "3.20"}]}}


def test_zui_detailed_repo_info(search):
    """The repository page (ExpandedRepoInfo): Images sorted by UPDATE_TIME (newest created first), each with
    its manifests, Vulnerabilities zeros, Vendor "" and IsDeletable true (no access control); Summary with the
    repository size (unique blobs of every tag), platforms, Vendors [] (manifest annotations only), preferences
    false, and the newest image (by created time)."""
    s = search.seed
    d = browser_get(search, Zui.detailed_repo_info("alpine")).data()["ExpandedRepoInfo"]
    images = d["Images"]
    assert [i["Tag"] for i in images] == ["3.20", "3.19"]
    for img, tag, created in ((s.alpine320, "3.20", T_ALPINE_320), (s.alpine319, "3.19", T_ALPINE_319)):
        entry = next(i for i in images if i["Tag"] == tag)
        assert list(entry) == ["Manifests", "Vulnerabilities", "Tag", "LastUpdated", "Vendor", "IsDeletable"]
        assert entry == {
            "Manifests": [{"Digest": img.digest, "Platform": {"Os": "linux", "Arch": "amd64"},
                           "Size": str(image_size(img))}],
            "Vulnerabilities": {"MaxSeverity": "", "Count": 0},
            "Tag": tag, "LastUpdated": created, "Vendor": "", "IsDeletable": True,
        }
    summary = d["Summary"]
    blobs = {b.digest: b.size for img in (s.alpine319, s.alpine320) for b in [img.manifest, *img.blobs]}
    assert summary["Name"] == "alpine"
    assert summary["Size"] == str(sum(blobs.values()))
    assert summary["Platforms"] == [{"Os": "linux", "Arch": "amd64"}]
    assert summary["Vendors"] == []
    assert summary["IsStarred"] is False and summary["IsBookmarked"] is False
    assert_recent(summary["LastUpdated"])
    assert summary["NewestImage"] == {
        "RepoName": "alpine", "IsSigned": False, "SignatureInfo": [],
        "Vulnerabilities": {"MaxSeverity": "", "Count": 0}, "Manifests": [{"Digest": s.alpine320.digest}],
        "Tag": "3.20", "Vendor": "", "Title": "", "Documentation": "", "DownloadCount": 0, "Source": "",
        "Description": "", "Licenses": "",
    }


def test_zui_detailed_repo_info_of_an_unknown_repository_is_an_error(search):
    """ExpandedRepoInfo of a repository that does not exist: `repo metadata not found for given repo name`,
    HTTP 200, data null, path ["ExpandedRepoInfo"]."""
    assert_error(browser_get(search, Zui.detailed_repo_info("no/such/repo")),
                 "repo metadata not found for given repo name", ["ExpandedRepoInfo"])


def test_zui_detailed_image_info_of_an_annotated_image(search):
    """The tag page (Image): annotations win over config labels (Vendor "Acme", Licenses), LastUpdated is the
    `created` annotation with its own offset, History pairs each non-empty history entry with the next layer
    (the `empty_layer` entry has Layer null), ArtifactType falls back to config.mediaType, Referrers [],
    TaggedTimestamp an RFC 3339 time, sizes decimal strings."""
    s = search.seed
    d = browser_get(search, Zui.detailed_image_info("annotated", "v1")).data()["Image"]
    layers = [{"Size": str(l.size), "Digest": l.digest} for l in s.annotated.layers]
    assert_recent(d.pop("TaggedTimestamp"))
    assert_same(d, {
        "RepoName": "annotated", "IsSigned": False, "SignatureInfo": [],
        "Vulnerabilities": {"MaxSeverity": "", "Count": 0}, "Referrers": [], "Tag": "v1",
        "ArtifactType": OCI_CONFIG,
        "Manifests": [{
            "ArtifactType": OCI_CONFIG,
            "Layers": layers,
            "History": [
                {"Layer": layers[0], "HistoryDescription": {"CreatedBy": "ADD a.tar /", "EmptyLayer": False}},
                {"Layer": None, "HistoryDescription": {"CreatedBy": "ENV X=1", "EmptyLayer": True}},
                {"Layer": layers[1], "HistoryDescription": {"CreatedBy": "RUN make", "EmptyLayer": False}},
            ],
            "Digest": s.annotated.digest, "ConfigDigest": s.annotated.config.digest, "LastUpdated": T_ANNOTATED_SHOWN,
            "Size": str(image_size(s.annotated)), "Platform": {"Os": "linux", "Arch": "amd64"}, "Referrers": [],
        }],
        "Vendor": "Acme", "Licenses": "Apache-2.0",
    })


def test_zui_detailed_image_info_of_a_multi_arch_index(search):
    """An index tag (pushed by `skopeo copy --all`): Manifests are the children in index order, each with its
    config's platform (arch with variant: `arm/v7`), its own size, layers and history (one entry per layer with
    an empty HistoryDescription when the config has no history); ArtifactType "" (the index has none)."""
    s = search.seed
    d = browser_get(search, Zui.detailed_image_info("multi", "latest")).data()["Image"]
    assert d["RepoName"] == "multi" and d["Tag"] == "latest" and d["ArtifactType"] == ""
    assert d["Referrers"] == [] and d["IsSigned"] is False
    assert [m["Digest"] for m in d["Manifests"]] == [s.multi_amd64.digest, s.multi_arm.digest]
    assert [m["Platform"] for m in d["Manifests"]] == [{"Os": "linux", "Arch": "amd64"},
                                                       {"Os": "linux", "Arch": "arm/v7"}]
    for m, img, created in zip(d["Manifests"], (s.multi_amd64, s.multi_arm), (T_MULTI_AMD64, T_MULTI_ARM)):
        assert m["Size"] == str(image_size(img))
        assert m["ConfigDigest"] == img.config.digest and m["LastUpdated"] == created
        assert m["Layers"] == [{"Size": str(l.size), "Digest": l.digest} for l in img.layers]
        assert m["History"] == [{"Layer": {"Size": str(l.size), "Digest": l.digest},
                                 "HistoryDescription": {"CreatedBy": None, "EmptyLayer": None}} for l in img.layers]
        assert m["ArtifactType"] == OCI_CONFIG and m["Referrers"] == []


def test_zui_detailed_image_info_lists_referrers_but_not_signatures(search):
    """notarized:v1 has a notation signature (artifactType application/vnd.cncf.notary.signature) and an
    oras-pushed artifact as referrers: the signature makes it IsSigned with SignatureInfo
    `{Tool:"notation", IsTrusted:false, Author:""}` but is not a Referrer; the artifact is, with MediaType,
    ArtifactType, Size (an Int: manifest bytes), Digest and its annotations as Key/Value pairs."""
    s = search.seed
    d = browser_get(search, Zui.detailed_image_info("notarized", "v1")).data()["Image"]
    assert d["IsSigned"] is True
    assert d["SignatureInfo"] == [{"Tool": "notation", "IsTrusted": False, "Author": ""}]
    assert len(d["Referrers"]) == 1, d["Referrers"]
    ref = d["Referrers"][0]
    assert ref["Digest"] == s.sbom_digest and ref["MediaType"] == OCI_MANIFEST
    assert ref["ArtifactType"] == s.sbom_descriptor["artifactType"] == SBOM_TYPE
    assert ref["Size"] == s.sbom_descriptor["size"]
    assert {a["Key"]: a["Value"] for a in ref["Annotations"]} == s.sbom_descriptor["annotations"]
    assert d["Manifests"][0]["Referrers"] == d["Referrers"]


def test_zui_depends_on_for_image_lists_base_images(search):
    """"Depends on" tab (BaseImageList, limit 10): images whose layers are an ordered prefix of the image's
    layers; the image itself is not listed; Page counts them."""
    s = search.seed
    d = browser_get(search, Zui.depends_on_for_image("derived/app:v1", page_size=10)).data()["BaseImageList"]
    assert d["Page"] == {"TotalCount": 1, "ItemCount": 1}
    assert d["Results"] == [{
        "RepoName": "base/app", "Tag": "base", "Description": "",
        "Manifests": [{"Digest": s.base.digest, "Platform": {"Os": "linux", "Arch": "amd64"},
                       "Size": str(image_size(s.base))}],
        "Vendor": "", "DownloadCount": 0, "LastUpdated": T_BASE, "IsSigned": False, "SignatureInfo": [],
        "Vulnerabilities": {"MaxSeverity": "", "Count": 0},
    }]


def test_zui_is_dependent_on_for_image_lists_derived_images(search):
    """"Used by" tab (DerivedImageList, limit 10): images that start with all of the image's layers."""
    s = search.seed
    d = browser_get(search, Zui.is_dependent_on_for_image("base/app:base", page_size=10)).data()["DerivedImageList"]
    assert d["Page"] == {"TotalCount": 1, "ItemCount": 1}
    assert names(d["Results"]) == [("derived/app", "v1")]
    assert d["Results"][0]["Manifests"][0]["Digest"] == s.derived.digest
    assert d["Results"][0]["LastUpdated"] == T_DERIVED


@pytest.mark.parametrize("url", [
    Zui.vulnerabilities_for_repo("alpine:3.19", page_size=10),
    Zui.vulnerabilities_for_repo("alpine:3.19", page_size=10, search_term="CVE-2023", excluded_term="openssl",
                                 severity="HIGH"),
    Zui.all_vulnerabilities_for_repo("alpine:3.19"),
    Zui.image_list_with_cve_fixed("CVE-2023-1", "alpine", page_size=5),
    Zui.image_list_with_cve_fixed("CVE-2023-1", "alpine", page_size=5, filter={"Os": "linux", "Arch": "amd64"}),
], ids=["vulnerabilitiesForRepo", "vulnerabilitiesForRepo-all-options", "allVulnerabilitiesForRepo",
        "imageListWithCVEFixed", "imageListWithCVEFixed-platform"])
def test_zui_cve_queries_say_cve_search_is_disabled(search, url):
    """Without a CVE scanner every CVE query fails first with `cve search is disabled`: HTTP 200,
    `{"errors":[{"message":"cve search is disabled","path":[<field>],...}],"data":null}`."""
    answer = browser_get(search, url)
    field = url.split("{", 1)[1].split("(", 1)[0]
    assert_error(answer, "cve search is disabled", [field])
    assert list(answer.json()) == ["errors", "data"], "zot serializes errors before data"


# ============================================================================== 3b. zli's queries, sent its way


def test_zli_image_list_lists_every_tag_alphabetically(search):
    """`zli image list` (Template A, ImageList(repo:""), sortBy ALPHABETIC_ASC): every tag of every repository
    by repository then tag; signatures (`sha256-<hex>.sig`) and untagged manifests are not images; an index
    has MediaType index, Size = Σ children (not the index's own bytes) and LastUpdated its newest child."""
    s = search.seed
    d = zli_get(search, Zli.image_list("")).data()["ImageList"]
    assert names(d["Results"]) == IMAGES_ALPHABETIC
    multi = next(r for r in d["Results"] if r["RepoName"] == "multi")
    assert multi["MediaType"] == OCI_INDEX and multi["Digest"] == s.multi.digest
    assert multi["Size"] == str(child_size(s.multi_amd64) + child_size(s.multi_arm))
    assert multi["LastUpdated"] == T_MULTI_ARM
    alpine = next(r for r in d["Results"] if r["Tag"] == "3.19")
    assert_same(alpine, {
        "RepoName": "alpine", "Tag": "3.19", "Digest": s.alpine319.digest, "MediaType": OCI_MANIFEST,
        "Manifests": [{
            "Digest": s.alpine319.digest, "ConfigDigest": s.alpine319.config.digest,
            "Size": str(image_size(s.alpine319)), "Platform": {"Os": "linux", "Arch": "amd64"}, "IsSigned": False,
            "Layers": [{"Size": str(l.size), "Digest": l.digest} for l in s.alpine319.layers],
            "LastUpdated": T_ALPINE_319,
        }],
        "LastUpdated": T_ALPINE_319, "Size": str(image_size(s.alpine319)), "IsSigned": False,
    })


def test_zli_image_name_lists_the_tags_of_one_repository(search):
    """`zli image name alpine` sends ImageList(repo: "alpine"): only that repository's tags; an unknown
    repository gives an empty list, not an error."""
    assert names(zli_get(search, Zli.image_list("alpine")).data()["ImageList"]["Results"]) == [
        ("alpine", "3.19"), ("alpine", "3.20")]
    assert zli_get(search, Zli.image_list("nope")).data()["ImageList"]["Results"] == []


def test_zli_image_digest_matches_manifest_config_and_layer_digests(search):
    """`zli image digest` (ImageListForDigest): a substring of a manifest, config or layer digest matches; a
    layer shared by a base and a derived image finds both."""
    s = search.seed
    by_config = zli_get(search, Zli.image_list_for_digest(s.annotated.config.digest)).data()
    assert names(by_config["ImageListForDigest"]["Results"]) == [("annotated", "v1")]
    by_layer = zli_get(search, Zli.image_list_for_digest(s.shared[0].digest)).data()
    assert names(by_layer["ImageListForDigest"]["Results"]) == [("base/app", "base"), ("derived/app", "v1")]
    by_prefix = zli_get(search, Zli.image_list_for_digest(s.alpine320.digest[:30])).data()
    assert names(by_prefix["ImageListForDigest"]["Results"]) == [("alpine", "3.20")]


def test_zli_image_derived_and_base(search):
    """`zli image derived` / `zli image base` (Template B)."""
    derived = zli_get(search, Zli.derived_image_list("base/app:base")).data()["DerivedImageList"]
    assert names(derived["Results"]) == [("derived/app", "v1")]
    base = zli_get(search, Zli.base_image_list("derived/app:v1")).data()["BaseImageList"]
    assert names(base["Results"]) == [("base/app", "base")]


def test_zli_search_query_finds_repositories_and_images(search):
    """`zli search query app` (GlobalSearch, RELEVANCE): a repository target fills Repos (Images []); `app:`
    (image target) fills Images and leaves Repos null."""
    repos = zli_get(search, Zli.global_search("app")).data()["GlobalSearch"]
    assert repos["Images"] == []
    assert [r["Name"] for r in repos["Repos"]] == ["base/app", "derived/app"]
    assert all(r["StarCount"] == 0 and r["Size"].isdigit() for r in repos["Repos"])
    images = zli_get(search, Zli.global_search("alpine:")).data()["GlobalSearch"]
    assert images["Repos"] is None
    assert names(images["Images"]) == [("alpine", "3.19"), ("alpine", "3.20")]


def test_zli_search_subject_lists_referrers(search):
    """`zli search subject notarized:v1` (Referrers): the oras artifact, not the notation signature."""
    s = search.seed
    d = zli_get(search, Zli.referrers("notarized", s.notarized.digest)).data()["Referrers"]
    assert [r["Digest"] for r in d] == [s.sbom_digest]
    assert d[0]["ArtifactType"] == SBOM_TYPE and d[0]["MediaType"] == OCI_MANIFEST
    assert list(d[0]) == ["ArtifactType", "Digest", "MediaType", "Size", "Annotations"]


@pytest.mark.parametrize("query", [
    Zli.cve_for_image("alpine:3.19"),
    Zli.image_list_for_cve("CVE-2023-1"),
    Zli.image_list_with_cve_fixed("CVE-2023-1", "alpine"),
    Zli.cve_diff(Zli.image_input("alpine", "3.19"), Zli.image_input("alpine", "3.20")),
], ids=["CVEListForImage", "ImageListForCVE", "ImageListWithCVEFixed", "CVEDiffListForImages"])
def test_zli_cve_commands_say_cve_search_is_disabled(search, query):
    """`zli cve ...` without a scanner: `cve search is disabled` (HTTP 200, data null), checked before the
    arguments."""
    assert_error(zli_get(search, query), "cve search is disabled")


# ============================================================================== ImageSummary / RepoSummary values


def test_image_summary_fields_of_an_annotated_image(search):
    """Every ImageSummary field of annotated:v1 (zot pkg/extensions/search/convert/metadb.go): annotation values win over config
    labels and `config.author`; Labels from the config's `org.label-schema.labels`; Size = config + manifest +
    layers as a string; DownloadCount 3 after three GETs; times RFC 3339; PushedBy "" (anonymous); IsDeletable
    null outside ExpandedRepoInfo; image Vulnerabilities zeros but ManifestSummary.Vulnerabilities null; history
    Created null where the entry has none."""
    s = search.seed
    d = data_of(search, f'{{Image(image:"annotated:v1"){{{FULL_IMAGE}}}}}')["Image"]
    for key in ("LastPullTimestamp", "PushTimestamp", "TaggedTimestamp"):
        assert_recent(d.pop(key))
    manifest = d.pop("Manifests")
    assert_same(d, {
        "RepoName": "annotated", "Tag": "v1", "Digest": s.annotated.digest, "MediaType": OCI_MANIFEST,
        "Size": str(image_size(s.annotated)), "DownloadCount": 3, "PushedBy": "", "LastUpdated": T_ANNOTATED_SHOWN,
        "Description": "An annotated image", "IsSigned": False, "SignatureInfo": [], "Licenses": "Apache-2.0",
        "Labels": "from-config-labels", "Title": "Annotated", "Source": "https://git.example.com/annotated",
        "Documentation": "https://docs.example.com", "Vendor": "Acme", "Authors": "Ann <ann@example.com>",
        "IsDeletable": None, "ArtifactType": OCI_CONFIG, "Vulnerabilities": NO_VULNERABILITIES, "Referrers": [],
    })
    [m] = manifest
    layers = [{"Size": str(l.size), "Digest": l.digest} for l in s.annotated.layers]
    assert_same(m, {
        "Digest": s.annotated.digest, "ConfigDigest": s.annotated.config.digest, "LastUpdated": T_ANNOTATED_SHOWN,
        "Size": str(image_size(s.annotated)), "IsSigned": False, "SignatureInfo": [],
        "Platform": {"Os": "linux", "Arch": "amd64"}, "DownloadCount": 3, "ArtifactType": OCI_CONFIG,
        "Layers": layers,
        "History": [
            {"Layer": layers[0], "HistoryDescription": {"Created": "2023-01-01T00:00:00Z", "CreatedBy": "ADD a.tar /",
                                                        "Author": "builder", "Comment": "first", "EmptyLayer": False}},
            {"Layer": None, "HistoryDescription": {"Created": "2023-01-01T00:00:01Z", "CreatedBy": "ENV X=1",
                                                   "Author": "", "Comment": "", "EmptyLayer": True}},
            {"Layer": layers[1], "HistoryDescription": {"Created": None, "CreatedBy": "RUN make", "Author": "",
                                                        "Comment": "", "EmptyLayer": False}},
        ],
        "Vulnerabilities": None, "Referrers": [],
    })


def test_label_schema_labels_and_config_author_fill_in_for_missing_annotations(search):
    """A Docker schema2 image without annotations: Description/Title/Vendor from the config's
    `org.label-schema.*` labels, Authors from `config.author`, LastUpdated from `created` (an invalid
    `org.label-schema.build-date` is ignored), MediaType the manifest's own Docker type; the repository's
    Vendors stay [] (they come from manifest annotations only)."""
    s = search.seed
    d = data_of(search, '{Image(image:"docker/img:v1"){MediaType Description Title Vendor Authors LastUpdated '
                        'Size} ExpandedRepoInfo(repo:"docker/img"){Summary{Vendors}}}')
    assert_same(d["Image"], {"MediaType": DOCKER_MANIFEST, "Description": "described by a label", "Title": "LabelTitle",
                          "Vendor": "LabelVendor", "Authors": "Docker Author", "LastUpdated": T_DOCKER,
                          "Size": str(image_size(s.docker))})
    assert d["ExpandedRepoInfo"]["Summary"]["Vendors"] == []


def test_cosign_signature_tag_signs_the_image_and_is_not_listed(search):
    """A cosign signature tag `sha256-<hex of the image digest>.sig` marks the image IsSigned with
    SignatureInfo `[{Tool:"cosign", IsTrusted:false, Author:""}]` (no trust store) and is itself never an
    image; the notation-signed image is signed too; the other images are not."""
    s = search.seed
    d = data_of(search, '{ImageList(repo:"signed"){Results{Tag IsSigned SignatureInfo{Tool IsTrusted Author} '
                        'Manifests{IsSigned SignatureInfo{Tool}}}}}')
    assert d["ImageList"]["Results"] == [{
        "Tag": "v1", "IsSigned": True, "SignatureInfo": [{"Tool": "cosign", "IsTrusted": False, "Author": ""}],
        "Manifests": [{"IsSigned": True, "SignatureInfo": [{"Tool": "cosign"}]}],
    }]
    listed = data_of(search, '{ImageList(repo:""){Results{RepoName Tag IsSigned}}}')["ImageList"]["Results"]
    assert s.cosign_tag not in {r["Tag"] for r in listed}
    assert {(r["RepoName"], r["Tag"]) for r in listed if r["IsSigned"]} == {("signed", "v1"), ("notarized", "v1")}


def test_repo_summary_fields(search):
    """RepoListWithNewestImage's RepoSummary of the multi-arch repository: Size = unique blobs reachable from
    its tags (the index bytes included), Platforms from the children's configs (arm with variant v7),
    NewestImage the index, Rank 1, DownloadCount 0, StarCount 0, preferences false for anonymous."""
    s = search.seed
    d = data_of(search, "{RepoListWithNewestImage(requestedPage:{limit:100}){Page{TotalCount ItemCount} Results{"
                        "Name Size Platforms{Os Arch} Vendors Rank DownloadCount StarCount IsStarred IsBookmarked "
                        "LastUpdated NewestImage{Tag Digest MediaType Vulnerabilities{Count} IsDeletable}}}}")
    page = d["RepoListWithNewestImage"]
    assert page["Page"] == {"TotalCount": len(REPOS), "ItemCount": len(REPOS)}
    assert sorted(r["Name"] for r in page["Results"]) == REPOS
    multi = next(r for r in page["Results"] if r["Name"] == "multi")
    blobs = {s.multi.digest: s.multi.size}
    for img in (s.multi_amd64, s.multi_arm):
        blobs.update({b.digest: b.size for b in [img.manifest, *img.blobs]})
    assert multi["Size"] == str(sum(blobs.values()))
    assert sorted(multi["Platforms"], key=lambda p: p["Arch"]) == [{"Os": "linux", "Arch": "amd64"},
                                                                   {"Os": "linux", "Arch": "arm/v7"}]
    assert multi["Vendors"] == [] and multi["Rank"] == 1
    assert (multi["DownloadCount"], multi["StarCount"], multi["IsStarred"], multi["IsBookmarked"]) == (0, 0, False, False)
    assert multi["NewestImage"] == {"Tag": "latest", "Digest": s.multi.digest, "MediaType": OCI_INDEX,
                                    "Vulnerabilities": {"Count": 0}, "IsDeletable": None}
    annotated = next(r for r in page["Results"] if r["Name"] == "annotated")
    assert annotated["Vendors"] == ["Acme"] and annotated["DownloadCount"] == 3


@pytest.mark.parametrize("query, message", [
    ('{Image(image:"annotated"){Tag}}', "no reference provided"),
    ('{Image(image:"nope:v1"){Tag}}', "repo metadata not found for given repo name"),
    ('{Image(image:"annotated:nope"){Tag}}', "can't find image: annotated:nope"),
    ('{DerivedImageList(image:"base/app"){Results{Tag}}}', "no reference provided"),
    ('{DerivedImageList(image:"nope:v1"){Results{Tag}}}', "repository not found"),
    ('{BaseImageList(image:"base/app:nope"){Results{Tag}}}', "can't find image: base/app:nope"),
    ('{GlobalSearch(query:"repo@x"){Page{TotalCount}}}', "invalid search query"),
    ('{GlobalSearch(query:":"){Page{TotalCount}}}', "invalid search query"),
    ('{GlobalSearch(query:"a:b:c"){Page{TotalCount}}}',
     "failed to parse search text, invalid format invalid image reference format, use [repo:tag] or [repo@digest]"),
    ('{Referrers(repo:"notarized", digest:"sha256:abc"){Digest}}',
     "bad digest string from request 'sha256:abc' invalid checksum digest length"),
    ('{Referrers(repo:"nope", digest:"sha256:' + "a" * 64 + '"){Digest}}', "repo metadata not found for given repo name"),
], ids=["image-no-tag", "image-unknown-repo", "image-unknown-tag", "derived-no-tag", "derived-unknown-repo",
        "base-unknown-tag", "search-at", "search-colon-alone", "search-two-colons", "referrers-bad-digest", "referrers-unknown-repo"])
def test_resolver_errors_have_zots_messages(search, query, message):
    """Resolver errors (zot's texts, pkg/extensions/search) come back as HTTP 200 with `data: null` and zot's exact text."""
    assert_error(gql(search, query), message)


def test_one_failing_root_field_nulls_the_whole_data(search):
    """Root fields are non-null: when one of two root fields fails, `data` is null (the partial answer of the
    other is discarded)."""
    answer = gql(search, '{ok: ImageList(repo:"alpine"){Page{TotalCount}} bad: Image(image:"annotated:nope"){Tag}}')
    assert_error(answer, "can't find image: annotated:nope", ["bad"])


def test_global_search_target_forms(search):
    """GlobalSearch targets: `:tag` (tags containing the text, all repositories), `repo:` (all tags of that
    exact repository), `sha256:...` (digest), text lowercased and trimmed of spaces and `/`."""
    s = search.seed
    by_tag = data_of(search, '{GlobalSearch(query:":v1"){Images{RepoName Tag} Repos{Name}}}')["GlobalSearch"]
    assert by_tag["Repos"] is None
    assert names(by_tag["Images"]) == [(r, t) for r, t in IMAGES_ALPHABETIC if "v1" in t]
    by_digest = data_of(search, f'{{GlobalSearch(query:"{s.signed.digest}"){{Images{{RepoName Tag}}}}}}')
    assert names(by_digest["GlobalSearch"]["Images"]) == [("signed", "v1")]
    trimmed = data_of(search, '{GlobalSearch(query:" /ALPINE/ "){Repos{Name Rank}}}')["GlobalSearch"]["Repos"]
    assert trimmed == [{"Name": "alpine", "Rank": 0}]


# ============================================================================== 4. sorting, pagination, filters


@pytest.mark.parametrize("sort_by, expected", [
    ("RELEVANCE", IMAGES_ALPHABETIC),
    ("ALPHABETIC_ASC", IMAGES_ALPHABETIC),
    ("ALPHABETIC_DSC", IMAGES_ALPHABETIC[::-1]),
    ("UPDATE_TIME", IMAGES_BY_UPDATE_TIME),
])
def test_image_list_sort_orders(search, sort_by, expected):
    """ImageList sorts: RELEVANCE = ALPHABETIC_ASC (repository, then tag), ALPHABETIC_DSC the reverse,
    UPDATE_TIME by LastUpdated descending (created annotation, else config created)."""
    d = data_of(search, f'{{ImageList(repo:"", requestedPage:{{sortBy:{sort_by}}}){{Results{{RepoName Tag}}}}}}')
    assert names(d["ImageList"]["Results"]) == expected


def test_image_list_sorted_by_downloads(search):
    """DOWNLOADS: DownloadCount descending (annotated:v1 3, alpine:3.19 1, the rest 0)."""
    d = data_of(search, '{ImageList(repo:"", requestedPage:{sortBy:DOWNLOADS}){Results{RepoName Tag DownloadCount}}}')
    results = d["ImageList"]["Results"]
    assert names(results[:2]) == [("annotated", "v1"), ("alpine", "3.19")]
    assert [r["DownloadCount"] for r in results] == [3, 1] + [0] * (len(IMAGES_ALPHABETIC) - 2)
    assert sorted(names(results)) == IMAGES_ALPHABETIC


@pytest.mark.parametrize("sort_by", ["ALPHABETIC_ASC", "ALPHABETIC_DSC", "UPDATE_TIME", "DOWNLOADS", "RELEVANCE"])
def test_repository_list_sort_orders(search, sort_by):
    """RepoListWithNewestImage sorts: by Name ascending/descending, UPDATE_TIME by LastUpdated descending,
    DOWNLOADS by DownloadCount descending, RELEVANCE by Rank (all 1 here)."""
    d = data_of(search, f"{{RepoListWithNewestImage(requestedPage:{{sortBy:{sort_by}}}){{Results{{Name LastUpdated "
                        f"DownloadCount Rank}}}}}}")
    results = d["RepoListWithNewestImage"]["Results"]
    got = [r["Name"] for r in results]
    assert sorted(got) == REPOS
    if sort_by == "ALPHABETIC_ASC":
        assert got == REPOS
    elif sort_by == "ALPHABETIC_DSC":
        assert got == REPOS[::-1]
    elif sort_by == "UPDATE_TIME":
        times = [parse_time(r["LastUpdated"]) for r in results]
        assert times == sorted(times, reverse=True)
    elif sort_by == "DOWNLOADS":
        assert got[:2] == ["annotated", "alpine"]
        assert [r["DownloadCount"] for r in results] == sorted((r["DownloadCount"] for r in results), reverse=True)
    else:
        assert {r["Rank"] for r in results} == {1}


def test_global_search_relevance_orders_by_rank(search):
    """GlobalSearch RELEVANCE orders repositories by RankRepoName (lower is better): for "ed", signed 5
    (offset 4 in the last part), annotated and notarized 8, derived/app 60 (found in the first part: (5+1)*10)."""
    repos = data_of(search, '{GlobalSearch(query:"ed", requestedPage:{sortBy:RELEVANCE}){Repos{Name Rank}}}')
    got = repos["GlobalSearch"]["Repos"]
    assert {r["Name"]: r["Rank"] for r in got} == {"signed": 5, "annotated": 8, "notarized": 8, "derived/app": 60}
    assert got[0]["Name"] == "signed" and got[-1]["Name"] == "derived/app"


@pytest.mark.parametrize("sort_by", ["STARS", "SEVERITY"])
@pytest.mark.parametrize("query", ["ImageList(repo:\"\", requestedPage:{sortBy:%s}){Page{TotalCount}}",
                                   "RepoListWithNewestImage(requestedPage:{sortBy:%s}){Page{TotalCount}}",
                                   "GlobalSearch(query:\"\", requestedPage:{sortBy:%s}){Page{TotalCount}}"],
                         ids=["ImageList", "RepoListWithNewestImage", "GlobalSearch"])
def test_stars_and_severity_sorts_are_refused(search, sort_by, query):
    """STARS (documented but not implemented) and SEVERITY are not pagination criteria for images or repos:
    `sorting repos by '<X>' is not supported the pagination sort criteria is not supported`."""
    assert_error(gql(search, "{" + query % sort_by + "}"),
                 f"sorting repos by '{sort_by}' is not supported the pagination sort criteria is not supported")


def test_unknown_sort_criteria_is_a_validation_error(search):
    """`sortBy: FOO` is not an enum value: HTTP 422, GRAPHQL_VALIDATION_FAILED, zot's message."""
    answer = gql(search, '{ImageList(repo:"", requestedPage:{sortBy:FOO}){Page{TotalCount}}}')
    assert answer.status == 422, answer.text
    doc = answer.json()
    assert doc["data"] is None
    assert doc["errors"][0]["message"] == 'Value "FOO" does not exist in "SortCriteria" enum.'
    assert doc["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("limit, offset, expected", [
    (2, 1, IMAGES_ALPHABETIC[1:3]),
    (3, 8, IMAGES_ALPHABETIC[8:]),
    (5, 100, []),
    (0, 0, IMAGES_ALPHABETIC),
    (0, 3, []),
])
def test_pagination_limit_offset_and_counts(search, limit, offset, expected):
    """Pages: `buf[offset:offset+limit]` clipped to the list; limit 0 with offset 0 is everything, limit 0 with
    an offset is an empty page; TotalCount counts every match, ItemCount the page."""
    d = data_of(search, f'{{ImageList(repo:"", requestedPage:{{limit:{limit} offset:{offset}}})'
                        f'{{Page{{TotalCount ItemCount}} Results{{RepoName Tag}}}}}}')["ImageList"]
    assert names(d["Results"]) == expected
    assert d["Page"] == {"TotalCount": len(IMAGES_ALPHABETIC), "ItemCount": len(expected)}


def test_repository_pages(search):
    """RepoListWithNewestImage pages the same way (ALPHABETIC_ASC, limit 3 offset 6: the last two)."""
    d = data_of(search, "{RepoListWithNewestImage(requestedPage:{limit:3 offset:6 sortBy:ALPHABETIC_ASC})"
                        "{Page{TotalCount ItemCount} Results{Name}}}")["RepoListWithNewestImage"]
    assert d == {"Page": {"TotalCount": 8, "ItemCount": 2}, "Results": [{"Name": "notarized"}, {"Name": "signed"}]}


@pytest.mark.parametrize("query, message", [
    ('{ImageList(repo:"", requestedPage:{limit:-1}){Page{TotalCount}}}', "pagination limit has negative value"),
    ('{ImageList(repo:"", requestedPage:{offset:-1}){Page{TotalCount}}}', "pagination offset has negative value"),
    ('{RepoListWithNewestImage(requestedPage:{limit:-1 offset:-1}){Page{TotalCount}}}',
     "pagination limit has negative value"),
    ('{GlobalSearch(query:"", requestedPage:{limit:-1}){Page{TotalCount}}}',
     "requested page limit parameter can't be negative request parameter has invalid value"),
    ('{GlobalSearch(query:"", requestedPage:{offset:-5}){Page{TotalCount}}}',
     "requested page offset parameter can't be negative request parameter has invalid value"),
    ('{GlobalSearch(query:"' + "a" * 257 + '"){Page{TotalCount}}}',
     "max string size limit exceeded for query parameter. max=256 current=257 request parameter has invalid value"),
], ids=["limit", "offset", "repos-limit-first", "global-limit", "global-offset", "global-query-too-long"])
def test_negative_pagination_values_are_refused_with_zots_messages(search, query, message):
    """Negative limit/offset: the pagination texts (limit checked first), GlobalSearch's own texts."""
    assert_error(gql(search, query), message)


def test_scalar_os_and_arch_filters_are_lists_of_one(search):
    """`filter:{Os:"linux" Arch:"arm/v7"}` (the scalar form zui's VulnerabilityCard sends) is coerced to a
    one-item list; values are compared case-insensitively."""
    d = data_of(search, '{GlobalSearch(query:"", filter:{Os:"LINUX" Arch:"ARM/v7"}){Repos{Name}}}')
    assert d["GlobalSearch"]["Repos"] == [{"Name": "multi"}]


def test_platform_filters_on_images(search):
    """Image targets are filtered per platform: `:latest` with Arch ["arm/v7"] keeps the index (one child
    matches), Arch ["s390x"] drops it; Os ["windows"] matches no repository."""
    q = '{GlobalSearch(query:":latest", filter:{Arch:["%s"]}){Page{TotalCount} Images{RepoName Tag}}}'
    assert names(data_of(search, q % "arm/v7")["GlobalSearch"]["Images"]) == [("multi", "latest")]
    assert data_of(search, q % "s390x")["GlobalSearch"] == {"Page": {"TotalCount": 0}, "Images": []}
    none = data_of(search, '{GlobalSearch(query:"", filter:{Os:["windows"]}){Page{TotalCount} Repos{Name}}}')
    assert none["GlobalSearch"] == {"Page": {"TotalCount": 0}, "Repos": []}


def test_has_to_be_signed_filter(search):
    """HasToBeSigned: repositories whose newest image is signed (cosign or notation); images that are signed."""
    repos = data_of(search, '{GlobalSearch(query:"", filter:{HasToBeSigned:true}){Repos{Name}}}')
    assert sorted(r["Name"] for r in repos["GlobalSearch"]["Repos"]) == ["notarized", "signed"]
    tagged = data_of(search, '{GlobalSearch(query:":v", filter:{HasToBeSigned:true}){Images{RepoName Tag}}}')
    assert names(tagged["GlobalSearch"]["Images"]) == [("notarized", "v1"), ("signed", "v1")]


# ============================================================================== 8. bad input


def test_malformed_query_is_422_parse_failed(search):
    """A query that does not parse: HTTP 422, `data: null`, an error with `extensions.code`
    GRAPHQL_PARSE_FAILED; the server answers normally afterwards."""
    answer = gql(search, '{ImageList(repo:"" {Page{TotalCount}}')
    assert answer.status == 422, answer.text[:500]
    doc = answer.json()
    assert doc.get("data") is None and doc["errors"]
    assert doc["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert_still_answers(search)


def test_unknown_field_is_422_validation_failed(search):
    """An unknown field: HTTP 422, GRAPHQL_VALIDATION_FAILED, `Cannot query field "Nope" on type "Query".`"""
    answer = gql(search, "{Nope}")
    assert answer.status == 422, answer.text[:500]
    doc = answer.json()
    assert doc.get("data") is None
    assert doc["errors"][0]["message"] == 'Cannot query field "Nope" on type "Query".'
    assert doc["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert_still_answers(search)


def test_absurd_page_size_is_refused(search):
    """`limit: 1000000`: zotd caps a page at 10,000 (zot has no cap) and answers a resolver error, HTTP 200
    with `data: null`; no limit at all still lists everything, as zli asks."""
    answer = gql(search, '{ImageList(repo:"", requestedPage:{limit:1000000}){Page{TotalCount ItemCount} Results{Tag}}}')
    assert answer.status == 200 and answer.json().get("data") is None
    assert answer.error_messages() == ["pagination limit 1000000 is larger than the maximum of 10000"]
    d = data_of(search, '{ImageList(repo:""){Page{TotalCount ItemCount} Results{Tag}}}')
    assert d["ImageList"]["Page"] == {"TotalCount": len(IMAGES_ALPHABETIC), "ItemCount": len(IMAGES_ALPHABETIC)}
    assert_still_answers(search)


def test_a_200_kb_query_is_refused_before_parsing(search):
    """A 200 KB query: zotd caps a document at 64 KiB (zot has no cap) and refuses it unparsed, 422
    GRAPHQL_PARSE_FAILED, quickly; the server answers afterwards."""
    answer = gql(search, '{ImageList(repo:"' + "x" * 200_000 + '"){Page{TotalCount ItemCount} Results{Tag}}}')
    assert answer.status == 422, answer.text[:300]
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "larger than 65536 bytes" in answer.json()["errors"][0]["message"]
    assert answer.seconds < 10, f"took {answer.seconds:.1f}s"
    assert_still_answers(search)


def test_selection_nested_10000_deep_is_refused_quickly(search):
    """`{a{a{a...}}}` 10,000 deep: an error (422, the field does not exist), within seconds, and the server
    stays up (no stack overflow)."""
    query = "{a" * 10_000 + "}" * 10_000
    answer = gql(search, query, timeout=60)
    assert answer.status == 422, answer.text[:300]
    assert answer.json()["errors"] and answer.json().get("data") is None
    assert answer.seconds < 10, f"took {answer.seconds:.1f}s"
    assert_still_answers(search)


def test_braces_10000_deep_are_refused_quickly(search):
    """10,000 opening braces: a parse error (422 GRAPHQL_PARSE_FAILED) within seconds; the server stays up."""
    answer = gql(search, "{" * 10_000 + "}" * 10_000, timeout=60)
    assert answer.status == 422, answer.text[:300]
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert answer.seconds < 10, f"took {answer.seconds:.1f}s"
    assert_still_answers(search)


def test_2000_aliases_of_one_field_are_refused(search):
    """2,000 aliases of one root field (two-letter aliases, so the document stays under 64 KB): each alias is
    work for the resolvers, and zotd caps a request at 1,000 selected fields (zot has no cap): 422
    GRAPHQL_VALIDATION_FAILED, within seconds, and the server stays up."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    aliases = [a + b for a in letters for b in letters][:2000]
    query = "{" + "".join(f"{a}:StarredRepos{{Page{{ItemCount}}}}" for a in aliases) + "}"
    assert len(query) < 65536
    answer = gql(search, query, timeout=60)
    assert answer.status == 422, answer.text[:300]
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "maximum of 1000 fields" in answer.json()["errors"][0]["message"]
    assert answer.seconds < 20, f"took {answer.seconds:.1f}s"
    assert_still_answers(search)


def test_post_body_that_is_not_json_is_400(search):
    """A POST whose body is not JSON: 400 (gqlgen's POST transport), and the server answers afterwards."""
    answer = raw_request(search, "POST", SEARCH, body=b"{ImageList(repo:\"\"){Page{TotalCount}}}",
                         headers={"Content-Type": "application/json"})
    assert answer.status == 400, answer.text[:300]
    assert answer.json()["errors"]
    assert_still_answers(search)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_missing_query_is_refused(search, method):
    """No query at all (GET without `query=`, POST `{}`): gqlgen parses the empty document and refuses it with
    422 `no operation provided` (GRAPHQL_VALIDATION_FAILED); the server answers afterwards."""
    if method == "GET":
        answer = raw_request(search, "GET", SEARCH)
    else:
        answer = raw_request(search, "POST", SEARCH, body=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status == 422, answer.text[:300]
    doc = answer.json()
    assert doc.get("data") is None
    assert doc["errors"][0]["message"] == "no operation provided"
    assert doc["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert_still_answers(search)


def test_a_mutation_is_a_validation_error(search):
    """zot's schema has no mutation type, so a mutation (here sent by GET) fails validation before gqlgen's GET
    transport looks at the operation type: 422, `Schema does not support operation type "mutation"`."""
    answer = raw_request(search, "GET", f"{SEARCH}?query={go_query_escape('mutation{x}')}")
    assert answer.status == 422, answer.text[:300]
    doc = answer.json()
    assert doc.get("data") is None
    assert 'Schema does not support operation type "mutation"' in answer.error_messages(), doc
    assert doc["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


# ============================================================================== 5. access control

PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "admin": "admin-pw"}
ALICE, BOB = ("alice", PASSWORDS["alice"]), ("bob", PASSWORDS["bob"])
ACL = {
    "repositories": {
        "alice/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]}]},
        "bob/**": {"policies": [{"users": ["bob"], "actions": ["read", "create", "update"]}]},
        "shared/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]},
                                   {"users": ["bob"], "actions": ["read"]}]},
    },
    "adminPolicy": {"users": ["admin"], "actions": ["read", "create", "update", "delete"]},
}


@pytest.fixture(scope="module")
def acl(request, zotd_binary, tmp_path_factory):
    """A search server with htpasswd and accessControl: alice reads alice/** and shared/** (and may delete
    there), bob reads bob/** (no delete) and shared/** (read only). Content (pushed by admin):
    alice/base:v1 = [L1 L2], bob/derived:v1 = [L1 L2 L3], shared/derived:v1 = [L1 L2 L4]."""
    workdir = tmp_path_factory.mktemp("acl")
    htpasswd = write_htpasswd(workdir / "htpasswd", PASSWORDS)
    (workdir / "server").mkdir()
    server = AuthServer(zotd_binary, workdir / "server", extensions=SEARCH_ON,
                        http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}}, "accessControl": ACL})
    server.start()
    try:
        admin = server.as_user("admin", PASSWORDS["admin"])
        l1, l2 = real_layer(), real_layer()
        server.images = {
            "alice/base": make_image(created=T_BASE, layers=[l1, l2]),
            "bob/derived": make_image(created=T_DERIVED, layers=[l1, l2, real_layer()]),
            "shared/derived": make_image(created=T_DERIVED, layers=[l1, l2, real_layer()]),
        }
        for repo, img in server.images.items():
            push_image(admin, repo, "v1", img)
        server.shared_layer = l1
    except BaseException:
        server.stop()
        raise
    yield server
    crashed = server.crashed()
    server.stop()
    assert not crashed, f"zotd exited on its own\n{server.log_tail()}"


READABLE = {"alice": ["alice/base", "shared/derived"], "bob": ["bob/derived", "shared/derived"]}


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_listings_hide_repositories_the_user_cannot_read(acl, user):
    """GlobalSearch (repos and `:tag` images), ImageList, RepoListWithNewestImage and ImageListForDigest list
    only repositories the caller may read (RepoIsUserAvailable), with Page counting only those."""
    auth = (user, PASSWORDS[user])
    want = READABLE[user]
    d = data_of(acl, "{GlobalSearch(query:\"\"){Page{TotalCount} Repos{Name}} "
                     "tags: GlobalSearch(query:\":v1\"){Images{RepoName}} "
                     "ImageList(repo:\"\"){Page{TotalCount} Results{RepoName}} "
                     "RepoListWithNewestImage(requestedPage:{sortBy:ALPHABETIC_ASC}){Page{TotalCount} Results{Name}} "
                     f"ImageListForDigest(id:\"{acl.shared_layer.digest}\"){{Results{{RepoName}}}}}}", auth=auth)
    assert [r["Name"] for r in d["GlobalSearch"]["Repos"]] == want
    assert d["GlobalSearch"]["Page"]["TotalCount"] == 2
    assert [r["RepoName"] for r in d["tags"]["Images"]] == want
    assert [r["RepoName"] for r in d["ImageList"]["Results"]] == want
    assert d["ImageList"]["Page"]["TotalCount"] == 2
    assert [r["Name"] for r in d["RepoListWithNewestImage"]["Results"]] == want
    assert [r["RepoName"] for r in d["ImageListForDigest"]["Results"]] == want


def test_derived_and_base_lists_hide_unreadable_repositories(acl):
    """DerivedImageList/BaseImageList consider only readable candidates: alice sees shared/derived (not
    bob/derived) derived from alice/base; bob finds no base for bob/derived (alice/base is not his to read)
    and cannot use alice/base as a reference (no manifests: an empty list)."""
    derived = data_of(acl, '{DerivedImageList(image:"alice/base:v1"){Results{RepoName}}}', auth=ALICE)
    assert derived["DerivedImageList"]["Results"] == [{"RepoName": "shared/derived"}]
    base = data_of(acl, '{BaseImageList(image:"bob/derived:v1"){Page{TotalCount} Results{RepoName}}}', auth=BOB)
    assert base["BaseImageList"] == {"Page": {"TotalCount": 0}, "Results": []}
    unreadable_ref = data_of(acl, '{DerivedImageList(image:"alice/base:v1"){Results{RepoName}}}', auth=BOB)
    assert unreadable_ref["DerivedImageList"]["Results"] == []


def test_single_repository_queries_of_an_unreadable_repository_are_empty_without_error(acl):
    """ExpandedRepoInfo of a repository the caller cannot read is `{"Images":null,"Summary":null}` and Image is
    an object of nulls, with no `errors` (zot gives no details to a potential attacker); Referrers is []."""
    digest = acl.images["alice/base"].digest
    answer = gql(acl, '{ExpandedRepoInfo(repo:"alice/base"){Images{Tag} Summary{Name}} '
                      'Image(image:"alice/base:v1"){RepoName Tag Digest} '
                      f'Referrers(repo:"alice/base", digest:"{digest}"){{Digest}}}}', auth=BOB)
    assert answer.data() == {"ExpandedRepoInfo": {"Images": None, "Summary": None},
                             "Image": {"RepoName": None, "Tag": None, "Digest": None}, "Referrers": []}


@pytest.mark.parametrize("user, repo, deletable", [
    ("alice", "alice/base", True), ("alice", "shared/derived", True),
    ("bob", "shared/derived", False), ("bob", "bob/derived", False),
])
def test_is_deletable_reflects_delete_permission(acl, user, repo, deletable):
    """ExpandedRepoInfo.Images[].IsDeletable is whether the caller may delete in that repository (zui shows
    the delete button only then)."""
    d = browser_get(acl, Zui.detailed_repo_info(repo), auth=(user, PASSWORDS[user])).data()
    assert [i["IsDeletable"] for i in d["ExpandedRepoInfo"]["Images"]] == [deletable]
    assert d["ExpandedRepoInfo"]["Summary"]["Name"] == repo


def test_search_without_credentials_is_401_when_anonymous_has_no_policy(acl):
    """No credentials and no anonymousPolicy: the authn middleware answers 401 before the search handler."""
    answer = browser_get(acl, Zui.global_search(""))
    assert answer.status == 401, answer.text[:300]


# ============================================================================== 6. downloads


def test_get_of_a_manifest_counts_a_download(request, zotd_binary):
    """Only `GET /v2/<name>/manifests/<ref>` counts (not HEAD), by tag or digest, on the resolved digest:
    DownloadCount goes 0 -> 1 -> 2 and LastPullTimestamp goes from 1970-01-01T00:00:00Z (pushed, never
    pulled) to the pull time; the repository's DownloadCount sums its tags."""
    server = start_server(request, zotd_binary)
    img = make_image(created=T_BASE)
    push_image(server, "dl/app", "v1", img)
    query = ('{ImageList(repo:"dl/app"){Results{DownloadCount LastPullTimestamp Manifests{DownloadCount}}} '
             'RepoListWithNewestImage{Results{Name DownloadCount}}}')

    def state():
        d = data_of(server, query)
        [r] = d["ImageList"]["Results"]
        return r["DownloadCount"], r["LastPullTimestamp"], r["Manifests"][0]["DownloadCount"], \
            d["RepoListWithNewestImage"]["Results"][0]["DownloadCount"]

    assert state() == (0, "1970-01-01T00:00:00Z", 0, 0)
    for _ in range(2):
        assert server.head("/v2/dl/app/manifests/v1").status_code == 200
    assert state() == (0, "1970-01-01T00:00:00Z", 0, 0)
    pull(server, "dl/app", "v1")
    count, last_pull, per_manifest, per_repo = state()
    assert (count, per_manifest, per_repo) == (1, 1, 1)
    assert_recent(last_pull, 60)
    pull(server, "dl/app", img.digest)
    assert state()[0] == 2 and state()[3] == 2


def test_pulling_an_index_does_not_count_its_children(request, zotd_binary):
    """Pulling an index counts a download of the index digest only, not of its children."""
    server = start_server(request, zotd_binary)
    a, b = make_image(created=T_BASE), make_image(created=T_BASE, arch="arm64")
    for child in (a, b):
        push_image(server, "dl/multi", child.digest, child)
    index = build_index([a, b])
    push_manifest(server, "dl/multi", "v1", index)
    pull(server, "dl/multi", "v1")
    d = data_of(server, '{ImageList(repo:"dl/multi"){Results{DownloadCount Manifests{DownloadCount}}}}')
    assert d["ImageList"]["Results"] == [{"DownloadCount": 1, "Manifests": [{"DownloadCount": 0}, {"DownloadCount": 0}]}]


# ============================================================================== 7. index lifecycle


def test_a_deleted_tag_disappears(request, zotd_binary):
    """`DELETE /v2/<name>/manifests/<tag>` (202): the tag is no longer an image; the other tag stays."""
    server = start_server(request, zotd_binary)
    push_image(server, "life/app", "v1", make_image(created=T_BASE))
    push_image(server, "life/app", "v2", make_image(created=T_DERIVED))
    assert server.delete("/v2/life/app/manifests/v2").status_code == 202
    d = data_of(server, '{ImageList(repo:"life/app"){Page{TotalCount} Results{Tag}} '
                        'GlobalSearch(query:"life/app:"){Images{Tag}}}')
    assert d["ImageList"] == {"Page": {"TotalCount": 1}, "Results": [{"Tag": "v1"}]}
    assert d["GlobalSearch"]["Images"] == [{"Tag": "v1"}]


def test_a_deleted_manifest_disappears_with_its_tags(request, zotd_binary):
    """Deleting a manifest by digest removes every tag pointing at it; a repository left without tags is no
    longer listed (RepoListWithNewestImage, GlobalSearch), and its digest no longer matches."""
    server = start_server(request, zotd_binary)
    img = make_image(created=T_BASE)
    push_image(server, "life/gone", "v1", img)
    push_manifest(server, "life/gone", "latest", img.manifest)
    push_image(server, "life/stays", "v1", make_image(created=T_BASE))
    assert server.delete(f"/v2/life/gone/manifests/{img.digest}").status_code == 202
    d = data_of(server, '{ImageList(repo:""){Results{RepoName Tag}} RepoListWithNewestImage{Results{Name}} '
                        f'GlobalSearch(query:"life"){{Repos{{Name}}}} ImageListForDigest(id:"{img.digest}"){{Results{{Tag}}}}}}')
    assert names(d["ImageList"]["Results"]) == [("life/stays", "v1")]
    assert d["RepoListWithNewestImage"]["Results"] == [{"Name": "life/stays"}]
    assert d["GlobalSearch"]["Repos"] == [{"Name": "life/stays"}]
    assert d["ImageListForDigest"]["Results"] == []


def test_a_moved_tag_shows_the_new_digest_and_keeps_its_tagged_timestamp(request, zotd_binary):
    """Pushing another manifest under an existing tag: the tag now shows the new digest, its PushTimestamp is
    the new manifest's, and TaggedTimestamp stays the time the tag was first created."""
    server = start_server(request, zotd_binary)
    first, second = make_image(created=T_BASE), make_image(created=T_DERIVED)
    push_image(server, "life/moved", "v1", first)
    query = '{ImageList(repo:"life/moved"){Results{Digest TaggedTimestamp PushTimestamp LastUpdated}}}'
    [before] = data_of(server, query)["ImageList"]["Results"]
    time.sleep(1.2)
    push_image(server, "life/moved", "v1", second)
    [after] = data_of(server, query)["ImageList"]["Results"]
    assert after["Digest"] == second.digest and after["LastUpdated"] == T_DERIVED
    assert after["TaggedTimestamp"] == before["TaggedTimestamp"]
    assert parse_time(after["PushTimestamp"]) > parse_time(before["TaggedTimestamp"])


REINDEX_IMAGE = """RepoName Tag Digest MediaType Size DownloadCount LastPullTimestamp PushedBy LastUpdated Description
  IsSigned SignatureInfo {Tool IsTrusted Author} Licenses Labels Title Source Documentation Vendor Authors
  ArtifactType Vulnerabilities {Count} Referrers {MediaType ArtifactType Size Digest Annotations {Key Value}}
  Manifests {Digest ConfigDigest LastUpdated Size IsSigned Platform {Os Arch} DownloadCount ArtifactType
    Layers {Size Digest} History {Layer {Digest} HistoryDescription {Created CreatedBy EmptyLayer}} Referrers {Digest}}"""


def test_reindex_rebuilds_the_same_answers(request, zotd_binary):
    """`zotd reindex CONFIG` (server stopped, nothing deleted) rebuilds the index from storage; after a restart
    ImageList (every field but PushTimestamp and TaggedTimestamp, which are re-derived from the stored
    content's times) and RepoListWithNewestImage (every field but LastUpdated, which follows TaggedTimestamp)
    answer exactly as before: tags, digests, sizes, platforms, history, signatures, referrers, and the download
    statistics (kept, as zot's MetaDB keeps them across a storage re-parse)."""
    server = start_server(request, zotd_binary)
    annotated = make_image(created=T_BASE, annotations={"org.opencontainers.image.vendor": "Acme"},
                           history=[{"created_by": "ADD /"}, {"created_by": "ENV A=1", "empty_layer": True},
                                    {"created_by": "RUN x"}])
    push_image(server, "re/app", "v1", annotated)
    tag, sig = cosign_signature(annotated)
    push_image(server, "re/app", tag, sig)
    notation = notation_signature(annotated)
    push_image(server, "re/app", notation.digest, notation)
    a, b = make_image(created=T_MULTI_AMD64), make_image(created=T_MULTI_ARM, arch="arm", variant="v7")
    for child in (a, b):
        push_image(server, "re/multi", child.digest, child)
    push_manifest(server, "re/multi", "latest", build_index([a, b]))
    push_image(server, "re/multi", "other", make_image(created=T_DERIVED, docker=True))
    pull(server, "re/app", "v1", times=2)
    pull(server, "re/multi", "latest")
    query = (f'{{ImageList(repo:""){{Page{{TotalCount ItemCount}} Results{{{REINDEX_IMAGE}}}}} '
             'RepoListWithNewestImage(requestedPage:{sortBy:ALPHABETIC_ASC}){Results{Name Size Platforms{Os Arch} '
             'Vendors DownloadCount StarCount NewestImage{Tag Digest}}}}')
    before = data_of(server, query)
    assert before["ImageList"]["Page"]["TotalCount"] == 3

    server.stop()
    p = subprocess.run([zotd_binary, "reindex", str(server.config_path)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"reindex exited {p.returncode}\n{p.stdout}\n{p.stderr}"
    server.start()
    after = data_of(server, query)
    assert_same(after, before)
    times = data_of(server, '{ImageList(repo:""){Results{PushTimestamp TaggedTimestamp}}}')["ImageList"]["Results"]
    for r in times:
        parse_time(r["PushTimestamp"]), parse_time(r["TaggedTimestamp"])


# ============================================================================== 9. stars and bookmarks

PREFS_PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw"}
PREFS_ACL = {
    "repositories": {
        "**": {"policies": [{"users": ["alice", "bob"], "actions": ["read", "create", "update", "delete"]}],
               "anonymousPolicy": ["read"]},
        "private/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]}]},
    },
}


@pytest.fixture
def prefs(request, zotd_binary, tmp_path):
    """A server with search and UI (userprefs), htpasswd users alice and bob, anonymous read, and private/**
    readable by alice only; repositories r1, r2, r3 and private/x with one tag each."""
    htpasswd = write_htpasswd(tmp_path / "htpasswd", PREFS_PASSWORDS)
    server = start_server(request, zotd_binary, cls=AuthServer, extensions=SEARCH_AND_UI,
                          http_extra={"auth": {"htpasswd": {"path": str(htpasswd)}}, "accessControl": PREFS_ACL})
    alice = server.as_user("alice", PREFS_PASSWORDS["alice"])
    for repo in ("r1", "r2", "r3", "private/x"):
        push_image(alice, repo, "v1", make_image(created=T_BASE, n_layers=1))
    return server


def toggle(server, repo, action, auth):
    """zui's star/bookmark button: PUT the raw URL with the body `{}` (the AbortSignal axios serializes)."""
    url = {"toggleStar": Zui.star_toggle, "toggleBookmark": Zui.bookmark_toggle}[action](repo)
    return raw_request(server, "PUT", browser_encode(url), body=b"{}",
                       headers={"Content-Type": "application/json", "Accept": "application/json, text/plain, */*"},
                       auth=auth)


@pytest.mark.parametrize("target, auth, status", [
    (f"{USERPREFS}?repo=r1&action=toggleStar", None, 403),
    (f"{USERPREFS}?repo=r1&action=toggleBookmark", None, 403),
    (f"{USERPREFS}?repo=r1", ("alice", "alice-pw"), 400),
    (f"{USERPREFS}?repo=r1&action=toggleNothing", ("alice", "alice-pw"), 400),
    (f"{USERPREFS}?action=toggleStar", ("alice", "alice-pw"), 400),
    (f"{USERPREFS}?repo=&action=toggleStar", ("alice", "alice-pw"), 404),
    (f"{USERPREFS}?repo=no/such&action=toggleStar", ("alice", "alice-pw"), 404),
    (f"{USERPREFS}?repo=no/such&action=toggleBookmark", ("alice", "alice-pw"), 200),
    (f"{USERPREFS}?repo=private/x&action=toggleStar", ("bob", "bob-pw"), 403),
    (f"{USERPREFS}?repo=r1&action=toggleStar", ("alice", "alice-pw"), 200),
], ids=["anonymous-star", "anonymous-bookmark", "no-action", "unknown-action", "no-repo", "empty-repo",
        "star-unknown-repo", "bookmark-unknown-repo", "star-unreadable-repo", "ok"])
def test_userprefs_statuses(prefs, target, auth, status):
    """`PUT /v2/_zot/ext/userprefs` (zot pkg/extensions/extension_userprefs.go): action absent or unknown 400, repo absent 400,
    `repo=` 404, anonymous or no read permission 403, star of an unknown repository 404 (a bookmark of one is
    200: zot does not check), success 200 with no body."""
    answer = raw_request(prefs, "PUT", target, body=b"{}", headers={"Content-Type": "application/json"}, auth=auth)
    assert answer.status == status, f"{target}: {answer.status} {answer.text[:300]}"
    if status == 200:
        assert answer.body == b""


def test_pushed_by_names_the_signed_in_user_who_pushed(prefs):
    """`PushedBy` is the user who first pushed the manifest to the repository (zot keeps it in the digest's
    statistics at its first push, pkg/meta); the prefs fixture pushed r1 as alice."""
    answer = data_of(prefs, '{ImageList(repo:"r1"){Results{Tag PushedBy}}}', auth=("alice", "alice-pw"))
    assert answer["ImageList"]["Results"] == [{"Tag": "v1", "PushedBy": "alice"}]


def test_stars_and_bookmarks_are_per_user(prefs):
    """alice stars r1 and bookmarks r2; bob stars r1 and r2: StarredRepos/BookmarkedRepos list each user's
    own repositories, RepoSummary.IsStarred/IsBookmarked are the caller's, StarCount counts every user's star,
    and GlobalSearch's IsStarred/IsBookmarked filters select the caller's repositories."""
    alice, bob = ("alice", "alice-pw"), ("bob", "bob-pw")
    for repo, action, who in (("r1", "toggleStar", alice), ("r2", "toggleBookmark", alice),
                              ("r1", "toggleStar", bob), ("r2", "toggleStar", bob)):
        answer = toggle(prefs, repo, action, who)
        assert answer.status == 200, answer.text
    query = ("{StarredRepos{Page{TotalCount ItemCount} Results{Name IsStarred StarCount}} "
             "BookmarkedRepos{Page{TotalCount ItemCount} Results{Name IsBookmarked}} "
             "RepoListWithNewestImage(requestedPage:{sortBy:ALPHABETIC_ASC}){Results{Name IsStarred IsBookmarked StarCount}} "
             "starred: GlobalSearch(query:\"\", filter:{IsStarred:true}){Repos{Name}} "
             "bookmarked: GlobalSearch(query:\"\", filter:{IsBookmarked:true}){Repos{Name}}}")
    a = data_of(prefs, query, auth=alice)
    assert a["StarredRepos"] == {"Page": {"TotalCount": 1, "ItemCount": 1},
                                 "Results": [{"Name": "r1", "IsStarred": True, "StarCount": 2}]}
    assert a["BookmarkedRepos"] == {"Page": {"TotalCount": 1, "ItemCount": 1},
                                    "Results": [{"Name": "r2", "IsBookmarked": True}]}
    assert a["RepoListWithNewestImage"]["Results"] == [
        {"Name": "private/x", "IsStarred": False, "IsBookmarked": False, "StarCount": 0},
        {"Name": "r1", "IsStarred": True, "IsBookmarked": False, "StarCount": 2},
        {"Name": "r2", "IsStarred": False, "IsBookmarked": True, "StarCount": 1},
        {"Name": "r3", "IsStarred": False, "IsBookmarked": False, "StarCount": 0},
    ]
    assert a["starred"]["Repos"] == [{"Name": "r1"}] and a["bookmarked"]["Repos"] == [{"Name": "r2"}]
    b = data_of(prefs, query, auth=bob)
    assert sorted(r["Name"] for r in b["StarredRepos"]["Results"]) == ["r1", "r2"]
    assert b["BookmarkedRepos"] == {"Page": {"TotalCount": 0, "ItemCount": 0}, "Results": []}
    assert sorted(r["Name"] for r in b["starred"]["Repos"]) == ["r1", "r2"] and b["bookmarked"]["Repos"] == []
    anonymous = data_of(prefs, "{StarredRepos{Page{TotalCount ItemCount} Results{Name}} "
                               "RepoListWithNewestImage{Results{Name IsStarred StarCount}}}")
    assert anonymous["StarredRepos"] == {"Page": {"TotalCount": 0, "ItemCount": 0}, "Results": []}
    assert {r["Name"]: (r["IsStarred"], r["StarCount"]) for r in anonymous["RepoListWithNewestImage"]["Results"]} == {
        "r1": (False, 2), "r2": (False, 1), "r3": (False, 0)}


def test_toggling_twice_removes_the_star_and_the_bookmark(prefs):
    """A second toggle undoes the first: StarCount back to 0, the repository leaves StarredRepos and
    BookmarkedRepos, and zui's home "stars"/"bookmarks" queries find nothing."""
    alice = ("alice", "alice-pw")
    for _ in range(2):
        assert toggle(prefs, "r3", "toggleStar", alice).status == 200
        assert toggle(prefs, "r3", "toggleBookmark", alice).status == 200
    d = data_of(prefs, "{StarredRepos{Results{Name}} BookmarkedRepos{Results{Name}} "
                       "ExpandedRepoInfo(repo:\"r3\"){Summary{StarCount IsStarred IsBookmarked}}}", auth=alice)
    assert d == {"StarredRepos": {"Results": []}, "BookmarkedRepos": {"Results": []},
                 "ExpandedRepoInfo": {"Summary": {"StarCount": 0, "IsStarred": False, "IsBookmarked": False}}}
    stars = browser_get(prefs, Zui.global_search("", page_size=2, filter={"IsStarred": True}), auth=alice)
    assert stars.data()["GlobalSearch"]["Repos"] == []
