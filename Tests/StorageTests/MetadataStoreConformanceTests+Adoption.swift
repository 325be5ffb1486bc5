import Testing

@testable import Storage

/// Adopting a repository of a zot storage root: one transaction per repository.
extension MetadataStoreConformanceTests {
    /// Blobs, an index after its child, and tags all go in; the layout's digest is remembered.
    @Test(arguments: Backend.allCases)
    func adoptionStoresBlobsManifestsAndTagsAndRemembersTheLayout(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a/b"), blobs: [blobDigest("c"), blobDigest("l")])
        let index = try ManifestFixture.index("x", in: repo("a/b"), children: [image.digest])
        try await opened.metadata.adopt(
            RepositoryAdoption(
                repository: repo("a/b"),
                blobs: [.init(digest: blobDigest("c"), size: 3), .init(digest: blobDigest("l"), size: 4)],
                manifests: [.init(manifest: image, tags: [tag("v1")]), .init(manifest: index, tags: [tag("multi")])],
                layoutDigest: blobDigest("index.json")
            ))
        #expect(try await opened.metadata.blobSize(blobDigest("l"), in: repo("a/b")) == 4)
        #expect(try await opened.metadata.tags(in: repo("a/b"), after: nil, limit: nil) == ["multi", "v1"])
        #expect(try await opened.metadata.manifest(.tag(tag("multi")), in: repo("a/b"))?.digest == index.digest)
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == ["a/b"])
        #expect(try await opened.metadata.adoptedLayouts() == [repo("a/b"): blobDigest("index.json")])
    }

    /// A manifest needing a blob neither stored nor adopted refuses the whole repository: no blob, manifest,
    /// tag or layout digest is left, as if the adoption had never run.
    @Test(arguments: Backend.allCases)
    func adoptionIsAllOrNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let good = try ManifestFixture.image("g", in: repo("a"), blobs: [blobDigest("c")])
        let bad = try ManifestFixture.image("b", in: repo("a"), blobs: [blobDigest("c"), blobDigest("missing")])
        await #expect(throws: StorageError.manifestBlobUnknown(blobDigest("missing"))) {
            try await opened.metadata.adopt(
                RepositoryAdoption(
                    repository: repo("a"), blobs: [.init(digest: blobDigest("c"), size: 3)],
                    manifests: [.init(manifest: good, tags: [tag("v1")]), .init(manifest: bad, tags: [tag("v2")])],
                    layoutDigest: blobDigest("index.json")
                ))
        }
        #expect(try await opened.metadata.blobSize(blobDigest("c")) == nil)
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == nil)
        #expect(try await opened.metadata.adoptedLayouts().isEmpty)
    }

    /// An adoption with problems stores what it could but no layout digest, so the next start tries again;
    /// a later complete one records it, and re-adopting what is stored moves tags without duplicating rows.
    @Test(arguments: Backend.allCases)
    func incompleteAdoptionIsNotRememberedAndALaterOneMovesTags(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let first = try ManifestFixture.image("1", in: repo("a"), blobs: [blobDigest("c")])
        let second = try ManifestFixture.image("2", in: repo("a"), blobs: [blobDigest("c")])
        let blobs: [RepositoryAdoption.Blob] = [.init(digest: blobDigest("c"), size: 3)]
        try await opened.metadata.adopt(
            RepositoryAdoption(
                repository: repo("a"), blobs: blobs, manifests: [.init(manifest: first, tags: [tag("v1")])],
                layoutDigest: nil))
        #expect(try await opened.metadata.adoptedLayouts().isEmpty)
        try await opened.metadata.adopt(
            RepositoryAdoption(
                repository: repo("a"), blobs: blobs,
                manifests: [.init(manifest: first, tags: []), .init(manifest: second, tags: [tag("v1")])],
                layoutDigest: blobDigest("index.json")))
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("a"))?.digest == second.digest)
        #expect(try await opened.metadata.adoptedLayouts() == [repo("a"): blobDigest("index.json")])
    }
}
