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
        #expect(try await store.blob(sha256(bytes), in: repo("a")) == nil)
        #expect(try await store.blobs.size(of: sha256(bytes)) == nil)
    }

    @Test func blobsOfTaggedManifestStay() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let report = try await store.collectGarbage(delay: -1)
        #expect(report == GarbageReport())
        #expect(try await store.manifest(.tag(try Tag(parsing: "v1")), in: repo("a")).content == bytes)
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
        await #expect(throws: StorageError.self) { try await store.manifest(.digest(digest), in: repo("a")) }
    }

    /// A blob deleted from one repository stays stored while a tagged image of another still uses it; the
    /// collection runs with no grace period, so the blob is a candidate and only the reference keeps it.
    @Test func blobSharedWithAnotherRepositoryStays() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let layer = try ParsedManifest(bytes: bytes, contentType: nil).blobs.last!
        _ = try await store.mountBlob(layer, from: repo("a"), to: repo("b"))
        try await store.deleteBlob(layer, in: repo("b"))
        _ = try await store.collectGarbage(delay: -1)
        #expect(try await store.blobs.size(of: layer) == 100)
        #expect(try await store.blob(layer, in: repo("a")) != nil)
        #expect(try await store.blob(layer, in: repo("b")) == nil)
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

    /// GC running with no grace period while images are pushed never loses a blob of an image whose manifest
    /// was acknowledged: a push may be refused (its blobs went before its manifest came) and is then retried,
    /// but a stored manifest always finds its blobs.
    @Test func collectionDuringPushesKeepsTaggedImages() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled { _ = try await store.collectGarbage(delay: -1) }
            }
            try await withThrowingTaskGroup(of: Void.self) { pushes in
                for index in 0..<8 {
                    pushes.addTask {
                        for _ in 0..<1000 {
                            let bytes = try await ManifestStoreTests().pushImage(store, in: repo("r\(index)"))
                            do {
                                _ = try await store.putManifest(
                                    bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("r\(index)"))
                                return
                            } catch StorageError.manifestBlobUnknown {
                                continue
                            }
                        }
                        Issue.record("r\(index): no push got its manifest in before the collector took its blobs")
                    }
                }
                try await pushes.waitForAll()
            }
            group.cancelAll()
            try? await group.waitForAll()
        }
        _ = try await store.collectGarbage(delay: -1)
        for index in 0..<8 {
            let manifest = try await store.manifest(.tag(try Tag(parsing: "v1")), in: repo("r\(index)"))
            let parsed = try ParsedManifest(bytes: manifest.content, contentType: nil)
            for blob in parsed.blobs {
                #expect(try await store.blob(blob, in: repo("r\(index)")) != nil)
                #expect(try await store.blobs.size(of: blob) != nil)
            }
        }
    }
}
