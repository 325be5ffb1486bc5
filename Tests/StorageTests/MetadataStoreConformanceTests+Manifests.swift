import Testing

@testable import Storage

/// Manifests, tags and referrers.
extension MetadataStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func manifestIsServedByDigestAndByEachTag(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1"), tag("latest")])
        for reference in [Reference.digest(image.digest), .tag(tag("v1")), .tag(tag("latest"))] {
            let stored = try await #require(try opened.metadata.manifest(reference, in: repo("a")))
            #expect(stored.digest == image.digest && stored.content == image.content)
            #expect(stored.mediaType == ManifestMediaType.ociManifest.rawValue)
        }
    }

    @Test(arguments: Backend.allCases)
    func manifestIsUnknownInAnotherRepositoryOrUnderAnotherTag(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1")])
        #expect(try await opened.metadata.manifest(.digest(image.digest), in: repo("b")) == nil)
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("b")) == nil)
        #expect(try await opened.metadata.manifest(.tag(tag("v2")), in: repo("a")) == nil)
    }

    /// MANIFEST_BLOB_UNKNOWN names the blob, and the refused manifest leaves no trace.
    @Test(arguments: Backend.allCases)
    func manifestWithAnUnlinkedBlobIsRefused(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("c")], to: repo("a"))
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c"), blobDigest("missing")])
        await #expect(throws: StorageError.manifestBlobUnknown(blobDigest("missing"))) {
            try await opened.metadata.putManifest(image, tags: [tag("v1")])
        }
        #expect(try await opened.metadata.manifest(.digest(image.digest), in: repo("a")) == nil)
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == [])
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == [])
    }

    /// Links are per repository: a blob another repository sees is not this one's until mounted.
    @Test(arguments: Backend.allCases)
    func blobLinkedOnlyInAnotherRepositoryDoesNotCount(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.link([blobDigest("c")], to: repo("b"))
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        await #expect(throws: StorageError.manifestBlobUnknown(blobDigest("c"))) {
            try await opened.metadata.putManifest(image, tags: [])
        }
    }

    @Test(arguments: Backend.allCases)
    func indexWithAMissingChildIsRefused(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let child = try ManifestFixture.image("child", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(child)
        let missing = sha256(Array("not pushed".utf8))
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [child.digest, missing])
        await #expect(throws: StorageError.manifestBlobUnknown(missing)) {
            try await opened.metadata.putManifest(index, tags: [tag("multi")])
        }
        #expect(try await opened.metadata.manifest(.tag(tag("multi")), in: repo("a")) == nil)
    }

    @Test(arguments: Backend.allCases)
    func indexOverStoredChildrenIsStored(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let child = try ManifestFixture.image("child", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(child)
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [child.digest])
        try await opened.metadata.putManifest(index, tags: [tag("multi")])
        let stored = try await #require(try opened.metadata.manifest(.tag(tag("multi")), in: repo("a")))
        #expect(stored.digest == index.digest && stored.mediaType == ManifestMediaType.ociIndex.rawValue)
    }

    @Test(arguments: Backend.allCases)
    func childStoredOnlyInAnotherRepositoryDoesNotCount(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let child = try ManifestFixture.image("child", in: repo("b"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(child)
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [child.digest])
        await #expect(throws: StorageError.manifestBlobUnknown(child.digest)) {
            try await opened.metadata.putManifest(index, tags: [])
        }
    }

    /// The check and the change are one step: a refused push moves no tag.
    @Test(arguments: Backend.allCases)
    func refusedManifestLeavesTheTagWhereItWas(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let first = try ManifestFixture.image("first", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(first, tags: [tag("v1")])
        let broken = try ManifestFixture.image("broken", in: repo("a"), blobs: [blobDigest("missing")])
        await #expect(throws: StorageError.manifestBlobUnknown(blobDigest("missing"))) {
            try await opened.metadata.putManifest(broken, tags: [tag("v1")])
        }
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("a"))?.digest == first.digest)
    }

    /// A tag names one manifest: pushing another under it moves it, and the first stays by digest.
    @Test(arguments: Backend.allCases)
    func tagMovesToTheLatestManifest(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let first = try ManifestFixture.image("first", in: repo("a"), blobs: [blobDigest("c")])
        let second = try ManifestFixture.image("second", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(first, tags: [tag("v1")])
        try await opened.metadata.putWithBlobs(second, tags: [tag("v1")])
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("a"))?.digest == second.digest)
        #expect(try await opened.metadata.manifest(.digest(first.digest), in: repo("a")) != nil)
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == ["v1"])
    }

    /// Pushing a stored manifest again (under another tag) adds the tag and stores nothing twice.
    @Test(arguments: Backend.allCases)
    func puttingAStoredManifestAgainAddsItsTags(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1")])
        let bytes = try await opened.metadata.storageBytes(in: repo("a"))
        try await opened.metadata.putManifest(image, tags: [tag("v2")])
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == ["v1", "v2"])
        #expect(try await opened.metadata.storageBytes(in: repo("a")) == bytes)
    }

    @Test(arguments: Backend.allCases)
    func deleteManifestRemovesItAndItsTagsOnly(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let gone = try ManifestFixture.image("gone", in: repo("a"), blobs: [blobDigest("c")])
        let kept = try ManifestFixture.image("kept", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(gone, tags: [tag("v1"), tag("v2")])
        try await opened.metadata.putWithBlobs(kept, tags: [tag("v3")])
        #expect(try await opened.metadata.deleteManifest(gone.digest, in: repo("a")))
        #expect(try await opened.metadata.manifest(.digest(gone.digest), in: repo("a")) == nil)
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("a")) == nil)
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == ["v3"])
        #expect(try await opened.metadata.blobSize(blobDigest("c"), in: repo("a")) == 10)
    }

    @Test(arguments: Backend.allCases)
    func deleteTagKeepsTheManifest(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1")])
        #expect(try await opened.metadata.deleteTag(tag("v1"), in: repo("a")))
        #expect(try await opened.metadata.manifest(.tag(tag("v1")), in: repo("a")) == nil)
        #expect(try await opened.metadata.manifest(.digest(image.digest), in: repo("a"))?.content == image.content)
        #expect(try await opened.metadata.tags(in: repo("a"), after: nil, limit: nil) == [])
    }

    /// The HTTP layer answers MANIFEST_UNKNOWN when there was nothing to delete.
    @Test(arguments: Backend.allCases)
    func deletingAnUnknownManifestOrTagIsFalse(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let image = try ManifestFixture.image("i", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(image, tags: [tag("v1")])
        #expect(try await !opened.metadata.deleteTag(tag("v2"), in: repo("a")))
        #expect(try await !opened.metadata.deleteTag(tag("v1"), in: repo("b")))
        #expect(try await !opened.metadata.deleteManifest(image.digest, in: repo("b")))
        #expect(try await opened.metadata.deleteManifest(image.digest, in: repo("a")))
        #expect(try await !opened.metadata.deleteManifest(image.digest, in: repo("a")))
    }

    /// The referrers API's index entries: every field from the stored referrer, in digest order.
    @Test(arguments: Backend.allCases)
    func referrersAreTheManifestsWhoseSubjectIsTheDigest(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let subject = try ManifestFixture.image("subject", in: repo("a"), blobs: [blobDigest("c")])
        try await opened.metadata.putWithBlobs(subject, tags: [tag("v1")])
        let signature = try ManifestFixture.image(
            "sig", in: repo("a"), blobs: [blobDigest("e")], subject: subject.digest, artifactType: "application/x.sig")
        let sbom = try ManifestFixture.image(
            "sbom", in: repo("a"), blobs: [blobDigest("e")], subject: subject.digest, artifactType: "application/x.sbom")
        let unrelated = try ManifestFixture.image("other", in: repo("a"), blobs: [blobDigest("e")])
        for manifest in [signature, sbom, unrelated] { try await opened.metadata.putWithBlobs(manifest) }
        let expected = [signature, sbom].sorted { $0.digest < $1.digest }.map { manifest in
            Referrer(
                digest: manifest.digest, mediaType: ManifestMediaType.ociManifest.rawValue,
                size: Int64(manifest.content.count), artifactType: manifest.parsed.artifactType,
                annotationsJSON: manifest.parsed.annotationsJSON)
        }
        #expect(try await opened.metadata.referrers(of: subject.digest, in: repo("a"), artifactType: nil) == expected)
        #expect(expected.allSatisfy { $0.annotationsJSON?.contains("label") == true })
    }

    @Test(arguments: Backend.allCases)
    func referrersFilterByArtifactType(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let subject = sha256(Array("subject".utf8))
        let signature = try ManifestFixture.image(
            "sig", in: repo("a"), blobs: [blobDigest("e")], subject: subject, artifactType: "application/x.sig")
        let sbom = try ManifestFixture.image(
            "sbom", in: repo("a"), blobs: [blobDigest("e")], subject: subject, artifactType: "application/x.sbom")
        for manifest in [signature, sbom] { try await opened.metadata.putWithBlobs(manifest) }
        let signatures = try await opened.metadata.referrers(of: subject, in: repo("a"), artifactType: "application/x.sig")
        #expect(signatures.map(\.digest) == [signature.digest])
        #expect(try await opened.metadata.referrers(of: subject, in: repo("a"), artifactType: "application/x.none").isEmpty)
    }

    /// The OCI spec lets a referrer be pushed before its subject, and in another repository it is not listed.
    @Test(arguments: Backend.allCases)
    func referrersAreListedWithoutTheirSubjectAndPerRepository(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let subject = sha256(Array("not pushed yet".utf8))
        let inA = try ManifestFixture.image("sig", in: repo("a"), blobs: [blobDigest("e")], subject: subject)
        try await opened.metadata.putWithBlobs(inA)
        #expect(try await opened.metadata.referrers(of: subject, in: repo("a"), artifactType: nil).map(\.digest) == [inA.digest])
        #expect(try await opened.metadata.referrers(of: subject, in: repo("b"), artifactType: nil).isEmpty)
        #expect(try await opened.metadata.referrers(of: blobDigest("e"), in: repo("a"), artifactType: nil).isEmpty)
    }
}
