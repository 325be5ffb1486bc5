import Testing

@testable import Storage

@Suite struct GarbageCollectionTests {
    @Test func unreferencedBlobIsCollectedAfterDelay() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(100)
        _ = try await store.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        // Inside the grace period nothing goes: the manifest may still be on its way.
        #expect(try await store.collectGarbage(delay: 3600) == GarbageReport())
        let report = try await store.collectGarbage(delay: -1)
        #expect(report.blobsDeleted == 1)
        #expect(try store.blob(sha256(bytes), in: repo("a")) == nil)
        #expect(try await store.blobs.size(of: sha256(bytes)) == nil)
    }

    @Test func blobsOfTaggedManifestStay() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let report = try await store.collectGarbage(delay: -1)
        #expect(report == GarbageReport())
        #expect(try store.manifest(.tag(try Tag(parsing: "v1")), in: repo("a")).content == bytes)
    }

    /// An untagged manifest nothing refers to goes, and then its blobs.
    @Test func untaggedManifestAndItsBlobsGo() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        let (digest, _) = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        try await store.deleteManifest(.tag(try Tag(parsing: "v1")), in: repo("a"))
        let report = try await store.collectGarbage(delay: -1)
        #expect(report.manifestsDeleted == 1 && report.blobsDeleted == 2)
        #expect(throws: StorageError.self) { try store.manifest(.digest(digest), in: repo("a")) }
    }

    /// A blob still linked from another repository stays stored.
    @Test func blobSharedWithAnotherRepositoryStays() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let layer = randomBytes(10)
        _ = try await store.storeBlob(sha256(layer), in: repo("a"), body: ChunkedBody(chunks: [layer]), declaredLength: nil)
        _ = try await store.mountBlob(sha256(layer), from: repo("a"), to: repo("b"))
        try await store.deleteBlob(sha256(layer), in: repo("b"))
        _ = try await store.collectGarbage(delay: 3600)
        #expect(try await store.blobs.size(of: sha256(layer)) == 10)
    }

    @Test func staleUploadIsRemoved() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]))
        #expect(try await store.collectGarbage(delay: -1).uploadsDeleted == 1)
        await #expect(throws: StorageError.uploadUnknown(id)) { try await store.uploadOffset(id, in: repo("a")) }
        #expect(try await store.blobs.stagedUploadIDs().isEmpty)
    }

    /// GC running while blobs are pushed never loses an acknowledged blob of a tagged image.
    @Test func collectionDuringPushesKeepsTaggedImages() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let bytes = try await ManifestStoreTests().pushImage(store, in: repo("r\(index)"))
                    _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("r\(index)"))
                }
            }
            group.addTask {
                for _ in 0..<20 { _ = try await store.collectGarbage(delay: 3600) }
            }
            try await group.waitForAll()
        }
        _ = try await store.collectGarbage(delay: -1)
        for index in 0..<8 {
            let manifest = try store.manifest(.tag(try Tag(parsing: "v1")), in: repo("r\(index)"))
            let parsed = try ParsedManifest(bytes: manifest.content, contentType: nil)
            for blob in parsed.blobs { #expect(try store.blob(blob, in: repo("r\(index)")) != nil) }
        }
    }
}
