import Logging
import PostgresMetadata
import PostgresTestSupport
import Testing

@testable import Storage

/// Collection over PostgreSQL works from review queues that triggers fill, not from the whole store: what it
/// reviews is what changed, and collections on several replicas share the work.
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct ReviewQueueTests {
    func stores(_ count: Int) async throws -> [PostgresMetadataStore] {
        let url = try await PostgresTestServer.freshDatabase()
        var stores: [PostgresMetadataStore] = []
        for _ in 0..<count {
            stores.append(try await PostgresMetadataStore.connect(url: url, maximumConnections: 4, logger: Logger(label: "test")))
        }
        return stores
    }

    func queued(_ store: PostgresMetadataStore) async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in ["gc_manifest_review", "gc_link_review", "gc_blob_review"] {
            counts[table] = try await store.database.run("SELECT count(*) FROM \(unescaped: table)").first?.decode(Int64.self)
        }
        return counts
    }

    /// Once reviewed, a tagged image leaves nothing queued; untagging it queues its manifest alone, and the
    /// next collection takes the manifest, then its links, then hands back its blobs.
    @Test func aCollectionReviewsWhatChangedSinceTheLast() async throws {
        let store = try await stores(1)[0]
        try await store.link([blobDigest("c"), blobDigest("l")], to: repo("r"))
        let image = try ManifestFixture.image("one", in: repo("r"), blobs: [blobDigest("c"), blobDigest("l")])
        try await store.putManifest(image, tags: [tag("v1")])
        #expect(try await queued(store) == ["gc_manifest_review": 1, "gc_link_review": 2, "gc_blob_review": 2])
        let first = try await store.collectGarbage(olderThan: .infinity)
        #expect(first.manifestsDeleted == 0 && first.linksDeleted == 0 && first.unlinkedBlobs.isEmpty)
        #expect(try await queued(store) == ["gc_manifest_review": 0, "gc_link_review": 0, "gc_blob_review": 0])
        #expect(try await store.deleteTag(tag("v1"), in: repo("r")))
        #expect(try await queued(store) == ["gc_manifest_review": 1, "gc_link_review": 0, "gc_blob_review": 0])
        let second = try await store.collectGarbage(olderThan: .infinity)
        #expect(second.manifestsDeleted == 1 && second.linksDeleted == 2)
        #expect(Set(second.unlinkedBlobs) == [blobDigest("c"), blobDigest("l")])
        for blob in second.unlinkedBlobs { #expect(try await store.forgetBlobIfUnlinked(blob)) }
        #expect(try await queued(store) == ["gc_manifest_review": 0, "gc_link_review": 0, "gc_blob_review": 0])
    }

    /// What is younger than the cutoff stays queued for when it is not.
    @Test func somethingYoungIsReviewedAgainWhenItIsNot() async throws {
        let store = try await stores(1)[0]
        try await store.link([blobDigest("c")], to: repo("r"))
        let image = try ManifestFixture.image("young", in: repo("r"), blobs: [blobDigest("c")], createdAt: 1_000)
        try await store.putManifest(image, tags: [])
        #expect(try await store.collectGarbage(olderThan: 1_000).manifestsDeleted == 0)
        #expect(try await queued(store)["gc_manifest_review"] == 1)
        #expect(try await store.collectGarbage(olderThan: 1_001).manifestsDeleted == 1)
    }

    /// Three replicas collect at once over 300 untagged images: each manifest is deleted by exactly one of them,
    /// and none fails.
    @Test func collectionsOnSeveralReplicasShareTheQueue() async throws {
        let stores = try await stores(3)
        for n in 0..<300 {
            let blob = blobDigest("b\(n)")
            try await stores[0].link([blob], to: repo("r"))
            try await stores[0].putManifest(try ManifestFixture.image("m\(n)", in: repo("r"), blobs: [blob]), tags: [])
        }
        let deleted = try await withThrowingTaskGroup(of: Int.self) { group in
            for store in stores { group.addTask { try await store.collectGarbage(olderThan: .infinity).manifestsDeleted } }
            return try await group.reduce(0, +)
        }
        #expect(deleted == 300)
        #expect(try await stores[1].allManifests().isEmpty)
    }
}
