"""Tag listing and the catalog: order, pagination with `n`/`last`, `Link`, nested names."""

import random
import re

import pytest

from oci import assert_oci_error, build_image, push_blob, push_image, push_manifest

TAGS = ["1.0", "1.1", "2.0", "alpha", "beta", "latest", "v0", "z_last"]


@pytest.fixture
def tagged(registry, repo):
    """One image under every tag of TAGS, pushed in shuffled order."""
    img = build_image()
    push_image(registry, repo, TAGS[0], img)
    shuffled = TAGS[1:]
    random.shuffle(shuffled)
    for tag in shuffled:
        push_manifest(registry, repo, tag, img.manifest)
    return img


def link_next(resp):
    """The target of a `Link: <...>; rel="next"` header, or None."""
    value = resp.headers.get("Link")
    if value is None:
        return None
    m = re.fullmatch(r'\s*<([^>]+)>\s*;\s*rel="?next"?\s*', value)
    assert m, f"Link header {value!r} is not <url>; rel=\"next\""
    return m.group(1)


# ------------------------------------------------------------------ tags


def test_tags_list_names_the_repository_and_lists_tags_sorted(registry, repo, tagged):
    """Spec: "the response MUST be a json body in the following format: {"name": "<name>", "tags":
    [...]}"; "If the list is not empty, the tags MUST be in lexical order"."""
    r = registry.get(f"/v2/{repo}/tags/list")
    assert r.status_code == 200
    assert r.json() == {"name": repo, "tags": sorted(TAGS)}


def test_tags_list_with_n_returns_the_first_n_and_a_next_link(registry, repo, tagged):
    """Spec: "the response MUST include `<int>` results"; zot-behaviour.md: "`Link:
    </v2/<name>/tags/list?n=N&last=X>; rel="next"` only when more remain"."""
    r = registry.get(f"/v2/{repo}/tags/list?n=3")
    assert r.status_code == 200
    assert r.json()["tags"] == sorted(TAGS)[:3]
    assert r.headers.get("Link") == f'</v2/{repo}/tags/list?n=3&last={sorted(TAGS)[2]}>; rel="next"'


def test_following_tag_links_walks_every_tag_once(registry, repo, tagged):
    """Spec: "When available, clients should prefer the `Link` header over using the `last` parameter
    for pagination."; walking the links yields every tag once, in order, and the last page has no
    Link."""
    url, seen, pages = f"/v2/{repo}/tags/list?n=3", [], 0
    while url:
        r = registry.get(url)
        assert r.status_code == 200
        seen += r.json()["tags"]
        url = link_next(r)
        pages += 1
        assert pages <= len(TAGS), "pagination does not end"
    assert seen == sorted(TAGS)


def test_last_page_has_no_link(registry, repo, tagged):
    """zot-behaviour.md: the Link is given "only when more remain"."""
    r = registry.get(f"/v2/{repo}/tags/list?n={len(TAGS)}")
    assert r.json()["tags"] == sorted(TAGS)
    assert "Link" not in r.headers


def test_tags_after_last_are_returned_non_inclusively(registry, repo, tagged):
    """Spec: "A request of this sort will return up to `<int>` tags, beginning non-inclusively with
    `<tagname>`."."""
    r = registry.get(f"/v2/{repo}/tags/list?n=2&last=alpha")
    assert r.json()["tags"] == ["beta", "latest"]


def test_last_without_n_returns_all_following_tags(registry, repo, tagged):
    """Spec: "When using the `last` query parameter, the `n` parameter is OPTIONAL."."""
    r = registry.get(f"/v2/{repo}/tags/list?last=beta")
    assert r.status_code == 200
    assert r.json()["tags"] == [t for t in sorted(TAGS) if t > "beta"]


def test_last_that_is_not_a_tag_starts_after_its_position(registry, repo, tagged):
    """`last` is a position in lexical order: a value between two tags starts after it."""
    r = registry.get(f"/v2/{repo}/tags/list?n=2&last=b")
    assert r.json()["tags"] == ["beta", "latest"]


def test_n_zero_returns_an_empty_list_without_link(registry, repo, tagged):
    """Spec: "When `n` is zero, this endpoint MUST return an empty list, and MUST NOT include a `Link`
    header."."""
    r = registry.get(f"/v2/{repo}/tags/list?n=0")
    assert r.status_code == 200
    assert r.json()["tags"] == []
    assert "Link" not in r.headers


def test_n_larger_than_the_tag_count_returns_all(registry, repo, tagged):
    """Spec: fewer than `<int>` results only "when the total number of tags [...] is less than <int>"."""
    r = registry.get(f"/v2/{repo}/tags/list?n=1000")
    assert r.json()["tags"] == sorted(TAGS)
    assert "Link" not in r.headers


def test_tags_list_of_unknown_repository_is_404_name_unknown(registry, repo):
    """zot-behaviour.md: "unknown repo → 404 NAME_UNKNOWN"; spec end-8a failure 404, code NAME_UNKNOWN
    "repository name not known to registry"."""
    assert_oci_error(registry.get(f"/v2/{repo}/tags/list"), 404, "NAME_UNKNOWN")


def test_repository_with_blobs_but_no_tags_lists_no_tags(registry, repo):
    """Spec: "The list of tags MAY be empty if there are no tags on the repository." — a repository that
    exists (it holds a blob) answers 200 with no tags, or 404 NAME_UNKNOWN if it only counts once
    something is tagged."""
    push_blob(registry, repo, b"only a blob")
    r = registry.get(f"/v2/{repo}/tags/list")
    if r.status_code == 200:
        assert r.json()["tags"] in ([], None)
    else:
        assert_oci_error(r, 404, "NAME_UNKNOWN")


def test_nested_repository_names_have_their_own_tags(registry, repo):
    """Spec: `<name>` is `[a-z0-9]+...(\\/[a-z0-9]+...)*`: names nest (`a/b/c`); each level is its own
    repository."""
    outer, inner = f"{repo}/a", f"{repo}/a/b/c"
    push_image(registry, outer, "outer", build_image())
    push_image(registry, inner, "inner", build_image())
    assert registry.get(f"/v2/{outer}/tags/list").json() == {"name": outer, "tags": ["outer"]}
    assert registry.get(f"/v2/{inner}/tags/list").json() == {"name": inner, "tags": ["inner"]}


def test_nested_name_may_end_in_a_route_keyword(registry, repo):
    """A repository may be named `.../manifests`, `.../blobs` or `.../tags`: routing takes the last
    `/manifests/`, `/blobs/`, `/tags/list` of the path."""
    for name in (f"{repo}/manifests", f"{repo}/blobs", f"{repo}/tags"):
        img = build_image()
        push_image(registry, name, "t", img)
        assert registry.get(f"/v2/{name}/manifests/t").content == img.manifest.data
        assert registry.get(f"/v2/{name}/tags/list").json() == {"name": name, "tags": ["t"]}


# ------------------------------------------------------------------ catalog


def test_catalog_of_empty_registry_is_empty(fresh_registry):
    """`/v2/_catalog` lists repositories: none yet."""
    r = fresh_registry.get("/v2/_catalog")
    assert r.status_code == 200
    assert r.json().get("repositories") in ([], None)


def test_catalog_lists_repositories_sorted_including_nested(fresh_registry):
    """zot-behaviour.md: "`/v2/_catalog?n=&last=` is the same" as tags: sorted; nested names listed."""
    names = ["zeta", "alpha/beta/gamma", "alpha", "mid-dle", "alpha/beta"]
    for name in names:
        push_image(fresh_registry, name, "t", build_image())
    r = fresh_registry.get("/v2/_catalog")
    assert r.status_code == 200
    assert r.json()["repositories"] == sorted(names)


def test_catalog_paginates_with_n_last_and_link(fresh_registry):
    """zot-behaviour.md: the catalog pages like tags: `n`, `last`, and a `Link: </v2/_catalog?n=N&last=X>;
    rel="next"` while more remain."""
    names = [f"repo{i}" for i in range(7)]
    for name in names:
        push_image(fresh_registry, name, "t", build_image())
    r = fresh_registry.get("/v2/_catalog?n=3")
    assert r.json()["repositories"] == names[:3]
    assert r.headers.get("Link") == '</v2/_catalog?n=3&last=repo2>; rel="next"'
    url, seen = "/v2/_catalog?n=3", []
    while url:
        r = fresh_registry.get(url)
        seen += r.json()["repositories"]
        url = link_next(r)
    assert seen == names
    last = fresh_registry.get("/v2/_catalog?n=3&last=repo5")
    assert last.json()["repositories"] == ["repo6"]
    assert "Link" not in last.headers


def test_catalog_n_zero_is_empty_without_link(fresh_registry):
    """As for tags: `n=0` gives an empty list and no Link."""
    push_image(fresh_registry, "one", "t", build_image())
    r = fresh_registry.get("/v2/_catalog?n=0")
    assert r.json()["repositories"] == []
    assert "Link" not in r.headers


def test_deleted_tag_disappears_from_the_list(registry, repo, tagged):
    """zot-behaviour.md: "Tag delete removes only the tag" — and the listing no longer shows it."""
    assert registry.delete(f"/v2/{repo}/manifests/beta").status_code == 202
    assert registry.get(f"/v2/{repo}/tags/list").json()["tags"] == [t for t in sorted(TAGS) if t != "beta"]
