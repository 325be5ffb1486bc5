import Testing

@testable import Storage

/// `MetadataInventory`, the whole-store listing scrub and the orphan sweep need: both backends offer it.
extension MetadataStoreConformanceTests {
    func inventory(_ opened: OpenedBackend) throws -> any MetadataInventory {
        try #require(opened.metadata as? any MetadataInventory)
    }

    /// Every recorded blob with its size, linked or not, in digest order.
    @Test(arguments: Backend.allCases)
    func inventoryListsRecordedBlobsInDigestOrder(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], size: 1, to: repo("a"))
        try await opened.metadata.link([blobDigest("y")], size: 2, to: repo("b"))
        try await opened.metadata.link([blobDigest("z")], size: 3, to: repo("b"))
        _ = try await opened.metadata.unlinkBlob(blobDigest("z"), from: repo("b"))
        let expected = [(blobDigest("x"), Int64(1)), (blobDigest("y"), 2), (blobDigest("z"), 3)].sorted { $0.0 < $1.0 }
        let listed = try await inventory(opened).allBlobs()
        #expect(listed.map(\.digest) == expected.map(\.0) && listed.map(\.size) == expected.map(\.1))
    }

    @Test(arguments: Backend.allCases)
    func blobLinksNameEachDigestsRepositoriesInOrder(_ backend: Backend) async throws {
        let opened = try await backend.open()
        for name in ["c", "a", "b/x"] { try await opened.metadata.link([blobDigest("shared")], to: repo(name)) }
        try await opened.metadata.link([blobDigest("own")], to: repo("b/x"))
        #expect(try await inventory(opened).blobLinks() == [blobDigest("shared"): ["a", "b/x", "c"], blobDigest("own"): ["b/x"]])
    }

    @Test(arguments: Backend.allCases)
    func allManifestsAreInRepositoryThenDigestOrder(_ backend: Backend) async throws {
        let opened = try await backend.open()
        var manifests: [NewManifest] = []
        for name in ["b", "a"] {
            for label in ["one", "two"] { manifests.append(try ManifestFixture.image(label, in: repo(name), blobs: [blobDigest("c")])) }
        }
        for manifest in manifests { try await opened.metadata.putWithBlobs(manifest) }
        let listed = try await inventory(opened).allManifests()
        let expected = manifests.sorted { ($0.repository.value, $0.digest.description) < ($1.repository.value, $1.digest.description) }
        #expect(listed.map(\.repository) == expected.map(\.repository.value))
        #expect(listed.map(\.digest) == expected.map(\.digest.description))
        #expect(listed.map(\.content) == expected.map(\.content))
        #expect(listed.allSatisfy { $0.mediaType == ManifestMediaType.ociManifest.rawValue })
    }

    /// The orphan sweep asks which files the metadata knows: recorded blobs, linked or not, until forgotten.
    @Test(arguments: Backend.allCases)
    func recordedBlobsAreThoseNotYetForgotten(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("linked"), blobDigest("unlinked"), blobDigest("forgotten")], to: repo("a"))
        for label in ["unlinked", "forgotten"] { _ = try await opened.metadata.unlinkBlob(blobDigest(label), from: repo("a")) }
        _ = try await opened.metadata.forgetBlobIfUnlinked(blobDigest("forgotten"))
        let asked = ["linked", "unlinked", "forgotten", "never"].map(blobDigest)
        #expect(try await inventory(opened).recordedBlobs(among: asked) == [blobDigest("linked"), blobDigest("unlinked")])
    }
}
