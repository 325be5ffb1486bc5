import Testing

@testable import Storage

/// `collectGarbage(olderThan:)`'s rules one by one. Manifests carry their creation time, so the tests set it;
/// links and blobs are stamped with the clock, so the tests move the cutoff around them instead.
extension MetadataStoreConformanceTests {
    /// A cutoff every manifest created `longAgo` is older than, and every link younger than.
    static let cutoff: Double = 2_000
    static let longAgo: Double = 1_000
    /// A cutoff every link and blob is older than (2096).
    static let farFuture: Double = 4_000_000_000

    func image(_ label: String, in repository: RepositoryName = repo("a"), subject: Digest? = nil,
        createdAt: Double = Self.longAgo) throws -> NewManifest
    {
        try ManifestFixture.image(label, in: repository, blobs: [blobDigest("c")], subject: subject, createdAt: createdAt)
    }

    /// Whether each manifest is still stored, in order.
    func stored(_ manifests: [NewManifest], _ metadata: any MetadataStore) async throws -> [Bool] {
        var stored: [Bool] = []
        for manifest in manifests {
            stored.append(try await metadata.manifest(.digest(manifest.digest), in: manifest.repository) != nil)
        }
        return stored
    }

    /// Tagged images stay, however old, and so do the links their manifests reference.
    @Test(arguments: Backend.allCases)
    func taggedImageKeepsItsManifestAndLinks(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.putWithBlobs(try image("i"), tags: [tag("v1")])
        let candidates = try await opened.metadata.collectGarbage(olderThan: Self.farFuture)
        #expect(candidates.manifestsDeleted == 0 && candidates.linksDeleted == 0 && candidates.unlinkedBlobs.isEmpty)
        #expect(try await stored([try image("i")], opened.metadata) == [true])
        #expect(try await opened.metadata.blobSize(blobDigest("c"), in: repo("a")) == 10)
    }

    @Test(arguments: Backend.allCases)
    func untaggedManifestOlderThanTheCutoffIsCollected(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.putWithBlobs(try image("i"))
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 1)
        #expect(try await stored([try image("i")], opened.metadata) == [false])
        #expect(try await opened.metadata.repositories(after: nil, limit: nil) == [])
    }

    /// Younger content may be a push in progress (an index's children come before the index is tagged).
    @Test(arguments: Backend.allCases)
    func manifestCreatedAtOrAfterTheCutoffIsKept(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let manifests = [try image("at", createdAt: Self.cutoff), try image("before", createdAt: Self.cutoff - 0.5)]
        for manifest in manifests { try await opened.metadata.putWithBlobs(manifest) }
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 1)
        #expect(try await stored(manifests, opened.metadata) == [true, false])
    }

    @Test(arguments: Backend.allCases)
    func childrenOfALiveIndexAreKept(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let children = [try image("amd64"), try image("arm64")]
        for child in children { try await opened.metadata.putWithBlobs(child) }
        let index = try ManifestFixture.index("multi", in: repo("a"), children: children.map(\.digest), createdAt: Self.longAgo)
        try await opened.metadata.putManifest(index, tags: [tag("v1")])
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 0)
        #expect(try await stored(children + [index], opened.metadata) == [true, true, true])
    }

    /// An untagged old index goes with its untagged children; a child tagged on its own stays.
    @Test(arguments: Backend.allCases)
    func deadIndexGoesWithItsUntaggedChildren(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let (untagged, tagged) = (try image("amd64"), try image("arm64"))
        try await opened.metadata.putWithBlobs(untagged)
        try await opened.metadata.putWithBlobs(tagged, tags: [tag("arm")])
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [untagged.digest, tagged.digest], createdAt: Self.longAgo)
        try await opened.metadata.putManifest(index, tags: [])
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 2)
        #expect(try await stored([untagged, tagged, index], opened.metadata) == [false, true, false])
    }

    @Test(arguments: Backend.allCases)
    func youngIndexKeepsItsOldChildren(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let child = try image("amd64")
        try await opened.metadata.putWithBlobs(child)
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [child.digest], createdAt: Self.farFuture)
        try await opened.metadata.putManifest(index, tags: [])
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 0)
        #expect(try await stored([child, index], opened.metadata) == [true, true])
    }

    /// Signatures and SBOMs follow their image: kept while it lives, collected with it.
    @Test(arguments: Backend.allCases)
    func referrersLiveAndDieWithTheirSubject(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let (live, dead) = (try image("live"), try image("dead"))
        try await opened.metadata.putWithBlobs(live, tags: [tag("v1")])
        try await opened.metadata.putWithBlobs(dead)
        let signatures = [try image("sig-live", subject: live.digest), try image("sig-dead", subject: dead.digest)]
        for signature in signatures { try await opened.metadata.putWithBlobs(signature) }
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 2)
        #expect(try await stored(signatures + [dead], opened.metadata) == [true, false, false])
    }

    /// Liveness flows from a subject to its referrers, never back.
    @Test(arguments: Backend.allCases)
    func youngReferrerDoesNotKeepItsSubject(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let subject = try image("subject")
        let signature = try image("sig", subject: subject.digest, createdAt: Self.farFuture)
        for manifest in [subject, signature] { try await opened.metadata.putWithBlobs(manifest) }
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 1)
        #expect(try await stored([subject, signature], opened.metadata) == [false, true])
    }

    /// Tagged index → child → the child's signature → a signature of that signature: all live.
    @Test(arguments: Backend.allCases)
    func livenessFollowsIndexesAndReferrersTransitively(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let child = try image("child")
        let signature = try image("sig", subject: child.digest)
        let countersignature = try image("countersig", subject: signature.digest)
        for manifest in [child, signature, countersignature] { try await opened.metadata.putWithBlobs(manifest) }
        let index = try ManifestFixture.index("multi", in: repo("a"), children: [child.digest], createdAt: Self.longAgo)
        try await opened.metadata.putManifest(index, tags: [tag("v1")])
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 0)
        #expect(try await stored([child, signature, countersignature], opened.metadata) == [true, true, true])
    }

    /// A tag keeps its own repository's copy only: the same manifest untagged elsewhere goes.
    @Test(arguments: Backend.allCases)
    func livenessIsPerRepository(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let (inA, inB) = (try image("same", in: repo("a")), try image("same", in: repo("b")))
        try await opened.metadata.putWithBlobs(inA)
        try await opened.metadata.putWithBlobs(inB, tags: [tag("v1")])
        #expect(try await opened.metadata.collectGarbage(olderThan: Self.cutoff).manifestsDeleted == 1)
        #expect(try await stored([inA, inB], opened.metadata) == [false, true])
    }
}
