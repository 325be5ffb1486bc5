import Testing

@testable import Storage

/// `RegistryStore` over each backend: pushes, GC, scrub and the orphan sweep behave the same whichever blob
/// and metadata stores sit underneath.
@Suite struct RegistryStoreConformanceTests {
    func contents(_ store: RegistryStore, _ digest: Digest, in repository: RepositoryName) async throws -> [UInt8] {
        let size = try await #require(try store.blob(digest, in: repository)).size
        var bytes: [UInt8] = []
        try await store.readBlob(digest, range: 0...(size - 1)) { bytes.append(contentsOf: $0.readableBytesView) }
        return bytes
    }

    @Test(arguments: Backend.allCases)
    func chunkedUploadBecomesABlobOfItsRepository(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let store = opened.registry
        let bytes = randomBytes(5000)
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[..<2000])]), start: 0)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[2000...])]), start: 2000)
        #expect(try await store.completeUpload(id, in: repo("a"), digest: sha256(bytes)) == 5000)
        #expect(try await contents(store, sha256(bytes), in: repo("a")) == bytes)
        #expect(try await store.blob(sha256(bytes), in: repo("b")) == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func monolithicPushOfAWrongDigestStoresNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(1000)
        await #expect(throws: StorageError.digestMismatch(expected: sha256([1]), actual: sha256(bytes))) {
            try await opened.registry.storeBlob(sha256([1]), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        }
        #expect(try await opened.blobs.size(of: sha256([1])) == nil)
        #expect(try await opened.blobs.size(of: sha256(bytes)) == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }

    /// The progress of an upload lives in memory: a new `RegistryStore` over the same backends (a restart)
    /// rebuilds it from the staged bytes.
    @Test(arguments: Backend.allCases)
    func uploadResumesAfterARestart(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(3000)
        let id = try await opened.registry.startUpload(in: repo("a"))
        try await opened.registry.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[..<1000])]))
        let restarted = RegistryStore(blobs: opened.blobs, metadata: opened.metadata, durable: false)
        #expect(try await restarted.uploadOffset(id, in: repo("a")) == 1000)
        try await restarted.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[1000...])]), start: 1000)
        _ = try await restarted.completeUpload(id, in: repo("a"), digest: sha256(bytes))
        #expect(try await contents(restarted, sha256(bytes), in: repo("a")) == bytes)
    }

    @Test(arguments: Backend.allCases)
    func pushedImageIsServedByTagAndDigest(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try await ManifestStoreTests().pushImage(opened.registry, in: repo("a"))
        let (digest, _) = try await opened.registry.putManifest(
            bytes, contentType: nil, reference: .tag(tag("v1")), in: repo("a"))
        #expect(try await opened.registry.manifest(.tag(tag("v1")), in: repo("a")).content == bytes)
        #expect(try await opened.registry.manifest(.digest(digest), in: repo("a")).content == bytes)
        #expect(try await opened.registry.tags(in: repo("a"), after: nil, limit: nil) == ["v1"])
        #expect(try await opened.registry.repositories(after: nil, limit: nil) == ["a"])
    }

    /// GC with no grace period: the untagged image's manifest, links, metadata and bytes all go.
    @Test(arguments: Backend.allCases)
    func garbageCollectionRemovesAnUntaggedImageWithItsBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try await ManifestStoreTests().pushImage(opened.registry, in: repo("a"))
        let (digest, parsed) = try await opened.registry.putManifest(
            bytes, contentType: nil, reference: .tag(tag("v1")), in: repo("a"))
        try await opened.registry.deleteManifest(.tag(tag("v1")), in: repo("a"))
        let report = try await opened.registry.collectGarbage(delay: -1)
        #expect(report.manifestsDeleted == 1 && report.blobsDeleted == 2)
        await #expect(throws: StorageError.manifestUnknown(digest.description)) {
            try await opened.registry.manifest(.digest(digest), in: repo("a"))
        }
        for blob in parsed.blobs {
            #expect(try await opened.blobs.size(of: blob) == nil)
            #expect(try await opened.metadata.blobSize(blob) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func garbageCollectionKeepsATaggedImage(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try await ManifestStoreTests().pushImage(opened.registry, in: repo("a"))
        let (_, parsed) = try await opened.registry.putManifest(bytes, contentType: nil, reference: .tag(tag("v1")), in: repo("a"))
        #expect(try await opened.registry.collectGarbage(delay: -1) == GarbageReport())
        for blob in parsed.blobs { #expect(try await opened.blobs.size(of: blob) != nil) }
    }

    @Test(arguments: Backend.allCases)
    func garbageCollectionRemovesAStaleUploadWithItsStagedBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let id = try await opened.registry.startUpload(in: repo("a"))
        try await opened.registry.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]))
        #expect(try await opened.registry.collectGarbage(delay: 3600).uploadsDeleted == 0)
        #expect(try await opened.registry.collectGarbage(delay: -1).uploadsDeleted == 1)
        #expect(try await opened.metadata.upload(id: id) == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func scrubOfAnIntactStoreIsClean(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try await ManifestStoreTests().pushImage(opened.registry, in: repo("a"))
        _ = try await opened.registry.putManifest(bytes, contentType: nil, reference: .tag(tag("v1")), in: repo("a"))
        let report = try await opened.registry.scrub()
        #expect(report.isClean && report.blobsChecked == 2 && report.manifestsChecked == 1)
    }

    /// Scrub needs the metadata's inventory and the blobs' bytes: both backends find a blob whose bytes went.
    @Test(arguments: Backend.allCases)
    func scrubReportsABlobWhoseBytesAreGone(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        _ = try await opened.registry.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        try await opened.blobs.delete(sha256(bytes))
        let report = try await opened.registry.scrub()
        #expect(report.problems.map(\.kind) == [.blobMissing])
        #expect(report.problems.first?.repository == "a")
    }

    /// Bytes committed without a metadata record (a kill between the two) are swept; recorded ones never are.
    @Test(arguments: Backend.allCases)
    func orphanBlobFileIsSweptAndRecordedOnesStay(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let orphan = try await opened.blobs.storeVerified(randomBytes(10))
        let bytes = randomBytes(20)
        _ = try await opened.registry.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        #expect(try await opened.registry.removeOrphanBlobFiles(modifiedBefore: RegistryStore.now + 60) == 1)
        #expect(try await opened.blobs.size(of: orphan) == nil)
        #expect(try await opened.blobs.size(of: sha256(bytes)) == 20)
    }
}
