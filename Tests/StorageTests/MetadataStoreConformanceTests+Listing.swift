import Testing

@testable import Storage

/// Tag lists and the catalog: which repositories are known, order, and pages.
extension MetadataStoreConformanceTests {
    /// Stores one manifest in `repository` under every tag of `tags`.
    func tagged(_ tags: [String], in repository: RepositoryName, _ metadata: any MetadataStore) async throws {
        let image = try ManifestFixture.image("i", in: repository, blobs: [blobDigest("c")])
        try await metadata.putWithBlobs(image, tags: tags.map(tag))
    }

    /// NAME_UNKNOWN: a repository nobody pushed to has no tag list, not an empty one.
    @Test(arguments: Backend.allCases)
    func tagsOfAnUnknownRepositoryAreNil(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await tagged(["v1"], in: repo("a"), opened.metadata)
        #expect(try await opened.metadata.tags(in: repo("b"), after: nil, limit: nil) == nil)
    }

    /// A push whose blobs arrived but whose manifest has not yet makes the repository known, with no tags.
    @Test(arguments: Backend.allCases)
    func repositoryThatOnlyLinksBlobsIsKnownWithNoTags(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("c")], to: repo("a"))
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == [])
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == [])
    }

    @Test(arguments: Backend.allCases)
    func repositoryWithNothingLeftIsUnknownAgain(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1")])
        _ = try await opened.metadata.deleteManifest(image.digest, in: repo("a"))
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == [])
        _ = try await opened.metadata.unlinkBlob(blobDigest("c"), from: repo("a"))
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == nil)
    }

    /// Byte order, as distribution lists: digits, then upper case, then `_`, then lower case.
    @Test(arguments: Backend.allCases)
    func tagsAreInByteOrder(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await tagged(["b", "a", "c", "a1", "B", "_x", "0", "a.b", "a-b"], in: repo("r"), opened.metadata)
        #expect(
            try await opened.metadata.tags(in: repo("r"), after: nil, limit: nil)
                == ["0", "B", "_x", "a", "a-b", "a.b", "a1", "b", "c"])
    }

    /// `?last=&n=`: strictly after `last` (which need not be a tag), at most `n`.
    @Test(arguments: Backend.allCases)
    func tagsArePagedAfterLastAndUpToLimit(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await tagged(["a", "a1", "b", "c"], in: repo("r"), opened.metadata)
        let metadata = opened.metadata
        #expect(try await metadata.tags(in: repo("r"), after: nil, limit: 1) == ["a"])
        #expect(try await metadata.tags(in: repo("r"), after: "a", limit: 2) == ["a1", "b"])
        #expect(try await metadata.tags(in: repo("r"), after: "a0", limit: nil) == ["a1", "b", "c"])
        #expect(try await metadata.tags(in: repo("r"), after: "b", limit: 5) == ["c"])
        #expect(try await metadata.tags(in: repo("r"), after: "c", limit: nil) == [])
        #expect(try await metadata.tags(in: repo("r"), after: nil, limit: 0) == [])
        #expect(try await metadata.tags(in: repo("r"), after: "", limit: nil) == ["a", "a1", "b", "c"])
    }

    /// The catalog lists repositories holding a manifest, not those that only link blobs.
    @Test(arguments: Backend.allCases)
    func catalogListsRepositoriesHoldingManifests(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await tagged(["v1"], in: repo("a"), opened.metadata)
        try await opened.metadata.link([blobDigest("c")], to: repo("b"))
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == ["a"])
    }

    /// `/` and `-` sort before letters, so `a/b` comes after `a-c` and before `b`.
    @Test(arguments: Backend.allCases)
    func catalogIsInByteOrderAndPaged(_ backend: Backend) async throws {
        let opened = try await backend.open()
        for name in ["b", "a/b", "a", "a-c", "c/d"] { try await tagged(["v1"], in: repo(name), opened.metadata) }
        let metadata = opened.metadata
        #expect(try await metadata.repositories(after: nil, limit: nil) == ["a", "a-c", "a/b", "b", "c/d"])
        #expect(try await metadata.repositories(after: "a", limit: 2) == ["a-c", "a/b"])
        #expect(try await metadata.repositories(after: "a/b", limit: nil) == ["b", "c/d"])
        #expect(try await metadata.repositories(after: "c/d", limit: nil) == [])
        #expect(try await metadata.repositories(after: nil, limit: 0) == [])
    }

    @Test(arguments: Backend.allCases)
    func deletingTheLastManifestDropsTheRepositoryFromTheCatalog(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let first = try ManifestFixture.image("first", in: repo("a"), blobs: [blobDigest("c")])
        let second = try ManifestFixture.image("second", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(first)
        try await opened.metadata.putWithBlobs(second)
        _ = try await opened.metadata.deleteManifest(first.digest, in: repo("a"))
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == ["a"])
        _ = try await opened.metadata.deleteManifest(second.digest, in: repo("a"))
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == [])
    }
}
