import HTTPTypes
import Testing

/// `GET /v2/<name>/tags/list` and `GET /v2/_catalog`: lexical order, pagination with `n` and `last`, `Link`.
@Suite struct ListingRouteTests {
    let repository = "listing/test"
    static let tags = ["1.0", "1.1", "2.0", "alpha", "beta", "latest", "v0", "z_last"]

    /// Spec: the body is `{"name": "<name>", "tags": [...]}`; "the tags MUST be in lexical order".
    @Test func tagsListNamesTheRepositoryAndListsItsTagsInLexicalOrder() async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try response.json(TagList.self) == TagList(name: repository, tags: Self.tags))
        }
    }

    /// Spec: with `n` "the response MUST include `<int>` results", and zot a `Link` to the next page.
    @Test func tagsListWithNReturnsTheFirstNAndANextLink() async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list?n=3")
            #expect(try response.json(TagList.self).tags == Array(Self.tags.prefix(3)))
            #expect(response.headers[OCIHeader.link] == #"</v2/\#(repository)/tags/list?n=3&last=2.0>; rel="next""#)
        }
    }

    /// Spec: "clients should prefer the `Link` header": following it yields every tag once, in order.
    @Test func followingTagLinksWalksEveryTagOnce() async throws {
        try await withTags { registry in
            var next: String? = "/v2/\(repository)/tags/list?n=3"
            var seen: [String] = []
            while let path = next, seen.count <= Self.tags.count {
                let response = try await registry.get(path)
                seen += try response.json(TagList.self).tags
                next = try response.headers[OCIHeader.link].map(Self.target)
            }
            #expect(seen == Self.tags)
        }
    }

    /// zot: the `Link` is given "only when more remain", so a page that reaches the end, or `n` beyond it, has none;
    /// the largest `n` there is asks for everything (it once overflowed and killed the server).
    @Test(arguments: [8, 1000, Int.max])
    func pageReachingTheEndHasNoLink(n: Int) async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list?n=\(n)")
            #expect(try response.json(TagList.self).tags == Self.tags)
            #expect(response.headers[OCIHeader.link] == nil)
        }
    }

    /// Spec: "up to `<int>` tags, beginning non-inclusively with `<tagname>`"; `last` need not be a tag itself.
    @Test(arguments: ["alpha", "b"])
    func tagsAfterLastAreReturnedNonInclusively(last: String) async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list?n=2&last=\(last)")
            #expect(try response.json(TagList.self).tags == ["beta", "latest"])
        }
    }

    /// Spec: "When using the `last` query parameter, the `n` parameter is OPTIONAL."
    @Test func lastWithoutNReturnsEveryFollowingTag() async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list?last=beta")
            #expect(try response.json(TagList.self).tags == ["latest", "v0", "z_last"])
            #expect(response.headers[OCIHeader.link] == nil)
        }
    }

    /// Spec: "When `n` is zero, this endpoint MUST return an empty list, and MUST NOT include a `Link` header."
    @Test func nZeroReturnsAnEmptyListWithoutLink() async throws {
        try await withTags { registry in
            let response = try await registry.get("/v2/\(repository)/tags/list?n=0")
            #expect(response.status == .ok)
            #expect(try response.json(TagList.self).tags == [])
            #expect(response.headers[OCIHeader.link] == nil)
        }
    }

    /// An `n` that is not a non-negative integer is refused: 400, with zotd's code UNSUPPORTED.
    @Test(arguments: ["-1", "ten"])
    func nThatIsNotACountIs400(n: String) async throws {
        try await withTags { registry in
            expectOCIError(try await registry.get("/v2/\(repository)/tags/list?n=\(n)"), .badRequest, "UNSUPPORTED")
        }
    }

    /// Spec: "The list of tags MAY be empty": a repository holding only blobs lists none.
    @Test func repositoryWithBlobsButNoTagsListsNoTags() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: repository)
            let response = try await registry.get("/v2/\(repository)/tags/list")
            #expect(response.status == .ok)
            #expect(try response.json(TagList.self) == TagList(name: repository, tags: []))
        }
    }

    /// Names nest, and may end in a route keyword: routing takes the last `/manifests/`, `/blobs/`, `/tags/list`.
    @Test(arguments: ["listing/a", "listing/a/b/c", "listing/manifests", "listing/blobs", "listing/tags"])
    func nestedRepositoryHasItsOwnTags(name: String) async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: "listing", as: "outer")
            try await registry.pushImage(TestImage.make(), to: name, as: "inner")
            let response = try await registry.get("/v2/\(name)/tags/list")
            #expect(try response.json(TagList.self) == TagList(name: name, tags: ["inner"]))
        }
    }

    /// A deleted tag is no longer listed.
    @Test func deletedTagDisappearsFromTheList() async throws {
        try await withTags { registry in
            let deleted = try await registry.delete("/v2/\(repository)/manifests/beta")
            #expect(deleted.status == .accepted)
            let response = try await registry.get("/v2/\(repository)/tags/list")
            #expect(try response.json(TagList.self).tags == Self.tags.filter { $0 != "beta" })
        }
    }

    // MARK: Catalog

    private struct Catalog: Decodable { var repositories: [String] }

    /// `/v2/_catalog` of an empty registry lists no repository.
    @Test func catalogOfAnEmptyRegistryIsEmpty() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/_catalog")
            #expect(response.status == .ok)
            #expect(try response.json(Catalog.self).repositories == [])
        }
    }

    /// The catalog with the largest `n` there is: every repository, no `Link` (it once overflowed and killed the server).
    @Test func catalogWithTheLargestNListsEverything() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/_catalog?n=\(Int.max)")
            #expect(response.status == .ok)
            #expect(try response.json(Catalog.self).repositories == [])
            #expect(response.headers[OCIHeader.link] == nil)
        }
    }

    /// zot: the catalog is sorted like tags, nested names included.
    @Test func catalogListsRepositoriesSortedIncludingNested() async throws {
        try await RouteTestRegistry.with { registry in
            let names = ["zeta", "alpha/beta/gamma", "alpha", "mid-dle", "alpha/beta"]
            for name in names { try await registry.pushImage(TestImage.make(), to: name, as: "t") }
            let response = try await registry.get("/v2/_catalog")
            #expect(try response.json(Catalog.self).repositories == names.sorted())
        }
    }

    /// zot: the catalog pages like tags: `n`, `last`, and a `Link` while more remain; the last page has none.
    @Test func catalogPaginatesWithNLastAndLink() async throws {
        try await RouteTestRegistry.with { registry in
            let names = (0..<5).map { "repo\($0)" }
            for name in names { try await registry.pushImage(TestImage.make(), to: name, as: "t") }
            let first = try await registry.get("/v2/_catalog?n=3")
            #expect(try first.json(Catalog.self).repositories == ["repo0", "repo1", "repo2"])
            #expect(first.headers[OCIHeader.link] == #"</v2/_catalog?n=3&last=repo2>; rel="next""#)
            let last = try await registry.get("/v2/_catalog?n=3&last=repo2")
            #expect(try last.json(Catalog.self).repositories == ["repo3", "repo4"])
            #expect(last.headers[OCIHeader.link] == nil)
        }
    }

    /// As for tags: `n=0` gives an empty list and no `Link`.
    @Test func catalogWithNZeroIsEmptyWithoutLink() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: "one", as: "t")
            let response = try await registry.get("/v2/_catalog?n=0")
            #expect(try response.json(Catalog.self).repositories == [])
            #expect(response.headers[OCIHeader.link] == nil)
        }
    }

    /// A registry with one image tagged with every tag of `tags`, pushed out of order.
    private func withTags(_ test: @Sendable (RouteTestRegistry) async throws -> Void) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "beta")
            for tag in Self.tags.shuffled() where tag != "beta" {
                try await registry.pushManifest(image.manifest, to: repository, as: tag)
            }
            try await test(registry)
        }
    }

    /// The target of `<target>; rel="next"`.
    private static func target(_ link: String) throws -> String {
        let open = try #require(link.firstIndex(of: "<"))
        let close = try #require(link.firstIndex(of: ">"))
        #expect(link[close...] == #">; rel="next""#)
        return String(link[link.index(after: open)..<close])
    }
}
