import Testing

@testable import Storage

/// What collection does to blob links, blobs and uploads (manifests in `+GarbageCollection`).
extension MetadataStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func unreferencedLinkOlderThanTheCutoffIsDeleted(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        let candidates = try await opened.metadata.collectGarbage(olderThan: Self.farFuture)
        #expect(candidates.linksDeleted == 1 && candidates.unlinkedBlobs == [blobDigest("x")])
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("a")) == nil)
    }

    /// Blobs are pushed before the manifest that references them: a young link is not garbage yet.
    @Test(arguments: Backend.allCases)
    func linkYoungerThanTheCutoffIsKept(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        let candidates = try await opened.metadata.collectGarbage(olderThan: Self.longAgo)
        #expect(candidates.linksDeleted == 0 && candidates.unlinkedBlobs.isEmpty)
        #expect(try await opened.metadata.blobSize(blobDigest("x"), in: repo("a")) == 10)
    }

    /// References are per repository: another repository's manifest keeps its own link, not this one's.
    @Test(arguments: Backend.allCases)
    func referenceFromAnotherRepositoryDoesNotKeepALink(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.putWithBlobs(try image("i", in: repo("a")), tags: [tag("v1")])
        try await opened.metadata.link([blobDigest("c")], to: repo("b"))
        let candidates = try await opened.metadata.collectGarbage(olderThan: Self.farFuture)
        #expect(candidates.linksDeleted == 1 && candidates.unlinkedBlobs.isEmpty)
        #expect(try await opened.metadata.blobSize(blobDigest("c"), in: repo("a")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("c"), in: repo("b")) == nil)
    }

    /// Manifests go first, so their links and blobs go in the same collection rather than the next one.
    @Test(arguments: Backend.allCases)
    func collectedManifestsLinksAndBlobsGoInTheSamePass(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let manifest = try ManifestFixture.image(
            "i", in: repo("a"), blobs: [blobDigest("c"), blobDigest("l")], createdAt: Self.longAgo)
        try await opened.metadata.putWithBlobs(manifest)
        let candidates = try await opened.metadata.collectGarbage(olderThan: Self.farFuture)
        #expect(candidates.manifestsDeleted == 1 && candidates.linksDeleted == 2)
        #expect(Set(candidates.unlinkedBlobs) == [blobDigest("c"), blobDigest("l")])
    }

    /// A blob just unlinked may be mounted or pushed again in a moment: it is a candidate only once old.
    @Test(arguments: Backend.allCases)
    func unlinkedBlobIsACandidateOnlyOnceOlderThanTheCutoff(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        _ = try await opened.metadata.unlinkBlob(blobDigest("x"), from: repo("a"))
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.longAgo).unlinkedBlobs.isEmpty)
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.farFuture).unlinkedBlobs == [blobDigest("x")])
    }

    /// Collection only names unlinked blobs: the caller deletes the bytes, then forgets the blob, under its lock.
    @Test(arguments: Backend.allCases)
    func collectionLeavesUnlinkedBlobsRecorded(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("x")], to: repo("a"))
        _ = try await opened.metadata.unlinkBlob(blobDigest("x"), from: repo("a"))
        _ = try await opened.metadata.collectGarbage(olderThan: Self.farFuture)
        #expect(try await opened.metadata.blobSize(blobDigest("x")) == 10)
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.farFuture).unlinkedBlobs == [blobDigest("x")])
    }

    /// Re-checked at the last moment, so a blob linked again since the collection is never forgotten.
    @Test(arguments: Backend.allCases)
    func forgetBlobIfUnlinkedForgetsOnlyUnlinkedBlobs(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("linked"), blobDigest("unlinked")], to: repo("a"))
        _ = try await opened.metadata.unlinkBlob(blobDigest("unlinked"), from: repo("a"))
        #expect(try await !opened.metadata.forgetBlobIfUnlinked(blobDigest("linked")))
        #expect(try await opened.metadata.blobSize(blobDigest("linked")) == 10)
        #expect(try await opened.metadata.forgetBlobIfUnlinked(blobDigest("unlinked")))
        #expect(try await opened.metadata.blobSize(blobDigest("unlinked")) == nil)
        #expect(try await !opened.metadata.forgetBlobIfUnlinked(blobDigest("unlinked")))
        #expect(try await !opened.metadata.forgetBlobIfUnlinked(blobDigest("never")))
    }

    /// Stale means idle since before the cutoff; the records stay until the caller removes their bytes.
    @Test(arguments: Backend.allCases)
    func staleUploadsAreThoseIdleSinceBeforeTheCutoff(_ backend: Backend) async throws {
        let opened = try await backend.open()
        for (id, updatedAt) in [("stale", 100.0), ("at-cutoff", 500), ("fresh", 900), ("touched", 100)] {
            try await opened.metadata.createUpload(UploadRecord(id: id, repository: repo("a"), createdAt: 100, updatedAt: updatedAt))
        }
        try await opened.metadata.touchUpload(id: "touched", at: 900)
        #expect(try await opened.metadata.collectGarbage(olderThan: 500).staleUploads == ["stale"])
        #expect(try await opened.metadata.upload(id: "stale") != nil)
    }

    /// Pushing or mounting a blob again re-stamps its link, so the grace period protects the new push.
    @Test(arguments: Backend.allCases)
    func relinkingOrMountingRestartsTheGracePeriod(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("pushed"), blobDigest("mounted"), blobDigest("left")], to: repo("a"))
        try await Task.sleep(for: .milliseconds(50))
        let cutoff = RegistryStore.now
        try await Task.sleep(for: .milliseconds(50))
        try await opened.metadata.link([blobDigest("pushed")], to: repo("a"))
        #expect(try await opened.metadata.mountBlob(blobDigest("mounted"), from: repo("a"), to: repo("a")))
        let candidates = try await opened.metadata.collectGarbage(olderThan: cutoff)
        #expect(candidates.linksDeleted == 1)
        #expect(try await opened.metadata.blobSize(blobDigest("pushed"), in: repo("a")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("mounted"), in: repo("a")) == 10)
        #expect(try await opened.metadata.blobSize(blobDigest("left"), in: repo("a")) == nil)
    }
}
