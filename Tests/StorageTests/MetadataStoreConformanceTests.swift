import Testing

@testable import Storage

/// What every `MetadataStore` must do, run on each backend: the suite a new backend passes before it serves.
/// Blob links here; manifests, listings, uploads, garbage collection and the inventory in the extensions.
@Suite struct MetadataStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func linkedBlobIsSizedInItsRepositoryOnly(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.linkBlob(blobDigest("x"), size: 10, to: repo("a"))
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("a")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("b")) == nil)
        #expect(try await opened.metadata.blobSize(blobDigest("x")) == 10)
    }

    @Test(arguments: Backend.allCases)
    func unknownBlobHasNoSize(_ backend: Backend) async throws {
        let opened = try await backend.open()
        #expect(try await opened.metadata.blobSize(blobDigest("x")) == nil)
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("a")) == nil)
    }

    /// A blob's size is recorded once, when it is first stored; linking it elsewhere does not change it.
    @Test(arguments: Backend.allCases)
    func laterLinksKeepTheFirstRecordedSize(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.linkBlob(blobDigest("x"), size: 10, to: repo("a"))
        try await opened.metadata.linkBlob(blobDigest("x"), size: 20, to: repo("b"))
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("b")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("x")) == 10)
    }

    @Test(arguments: Backend.allCases)
    func mountLinksABlobTheSourceSees(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.linkBlob(blobDigest("x"), size: 10, to: repo("a"))
        #expect(try await opened.metadata.mountBlob(blobDigest("x"), from: repo("a"), to: repo("b")))
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("b")) == 10)
    }

    /// Seeing a blob is what grants the mount: one stored elsewhere, or nowhere, cannot be mounted from a
    /// repository that does not link it, and the target stays unknown.
    @Test(arguments: Backend.allCases)
    func mountFromARepositoryLackingTheBlobLinksNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.linkBlob(blobDigest("x"), size: 10, to: repo("a"))
        #expect(try await !opened.metadata.mountBlob(blobDigest("x"), from: repo("b"), to: repo("c")))
        #expect(try await !opened.metadata.mountBlob(blobDigest("never"), from: repo("a"), to: repo("c")))
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("c")) == nil)
        #expect(try await opened.metadata.tags(in: repo("c"), after: nil, limit: nil) == nil)
    }

    /// Unlinking hides the blob from one repository; the blob stays recorded until GC forgets it.
    @Test(arguments: Backend.allCases)
    func unlinkRemovesOnlyThatRepositorysLink(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        try await opened.metadata.link([blobDigest("x")], to: repo("b"))
        #expect(try await opened.metadata.unlinkBlob(blobDigest("x"), from: repo("a")))
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("a")) == nil)
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("b")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("x")) == 10)
    }

    /// The HTTP layer answers BLOB_UNKNOWN when there was no link to remove.
    @Test(arguments: Backend.allCases)
    func unlinkWithoutALinkIsFalse(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        #expect(try await opened.metadata.unlinkBlob(blobDigest("x"), from: repo("a")))
        #expect(try await !opened.metadata.unlinkBlob(blobDigest("x"), from: repo("a")))
        #expect(try await !opened.metadata.unlinkBlob(blobDigest("x"), from: repo("b")))
        #expect(try await !opened.metadata.unlinkBlob(blobDigest("never"), from: repo("a")))
    }

    /// `zot_repo_storage_bytes`: the blobs the repository links plus its manifests' bytes, nothing of others.
    @Test(arguments: Backend.allCases)
    func storageBytesAreTheRepositorysBlobsAndManifests(_ backend: Backend) async throws {
        let opened = try await backend.open()
        #expect(try await opened.metadata.storageBytes(in: repo("a")) == 0)
        try await opened.metadata.link([blobDigest("config")], size: 100, to: repo("a"))
        try await opened.metadata.link([blobDigest("layer")], size: 1000, to: repo("a"))
        try await opened.metadata.link([blobDigest("other")], size: 7, to: repo("b"))
        #expect(try await opened.metadata.storageBytes(in: repo("a")) == 1100)
        let image = try ManifestFixture.image("v1", in: repo("a"), blobs: [blobDigest("config"), blobDigest("layer")])
        try await opened.metadata.putManifest(image, tags: [])
        #expect(try await opened.metadata.storageBytes(in: repo("a")) == 1100 + Int64(image.content.count))
        #expect(try await opened.metadata.storageBytes(in: repo("b")) == 7)
    }
}
