import Logging
import NIOCore
import PostgresMetadata
import PostgresTestSupport
import Testing

@testable import Storage

/// What only a shared metadata store must do: several replicas, each with a store of its own over one database.
/// Runs when `PG_URL` names the server `scripts/pg-test-store.sh` starts (`make test`).
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct PostgresMetadataStoreTests {
    /// Stores of `count` replicas over one fresh database, connected at the same moment.
    func replicas(_ count: Int) async throws -> [PostgresMetadataStore] {
        let url = try await PostgresTestServer.freshDatabase()
        return try await withThrowingTaskGroup(of: PostgresMetadataStore.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await PostgresMetadataStore.connect(url: url, maximumConnections: 4, logger: Logger(label: "test"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Replicas starting together migrate the schema once between them: none fails on a table another made.
    @Test func replicasStartingTogetherShareOneSchema() async throws {
        let stores = try await replicas(6)
        try await stores[0].linkBlob(blobDigest("x"), size: 10, to: repo("a"))
        for store in stores { #expect(try await store.blobSize(blobDigest("x"), in: repo("a")) == 10) }
    }

    /// zot #4337: two writers of one tag both got 201 and the tag was lost. Here each push commits whole, one
    /// after another: every one succeeds, and the tag ends on exactly one of the pushed manifests, which every
    /// replica reads alike.
    @Test func concurrentPushesOfOneTagLeaveOneWinner() async throws {
        let stores = try await replicas(4)
        try await stores[0].link([blobDigest("c")], to: repo("r"))
        let manifests = try (0..<32).map {
            try ManifestFixture.image("push \($0)", in: repo("r"), blobs: [blobDigest("c")])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, manifest) in manifests.enumerated() {
                group.addTask { try await stores[index % stores.count].putManifest(manifest, tags: [tag("latest")]) }
            }
            try await group.waitForAll()
        }
        let winners = try await stores.asyncMap { try await $0.manifest(.tag(tag("latest")), in: repo("r"))?.digest }
        #expect(Set(winners).count == 1)
        #expect(manifests.contains { $0.digest == winners[0] })
        #expect(try await stores[1].tags(in: repo("r"), after: nil, limit: nil) == ["latest"])
        for manifest in manifests {
            #expect(try await stores[2].manifest(.digest(manifest.digest), in: repo("r")) != nil)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// Two replicas' stores over one database and one storage root: what their blob locks must keep true.
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct ReplicaStoreTests {
    /// A collection on one replica, with no grace period, while the other replica pushes the same image again
    /// and again, deleting it after each push: a collection may take the blobs of a push whose manifest has not come yet (that push is
    /// refused and retried), but a tagged image never ends up with a blob whose bytes are gone. Without a lock
    /// shared by the replicas, the collector deletes the file of a blob the pusher has just linked again.
    @Test func collectionOnOneReplicaNeverDeletesWhatAnotherReplicaJustStored() async throws {
        let root = TemporaryRoot()
        let url = try await PostgresTestServer.freshDatabase()
        func replica(deleting delay: Duration) async throws -> RegistryStore {
            RegistryStore(
                blobs: SlowDeletingBlobStore(store: try LocalBlobStore(layout: BlobLayout(root: root.path)), delay: delay),
                metadata: try await PostgresMetadataStore.connect(url: url, maximumConnections: 4, logger: Logger(label: "test")),
                durable: false)
        }
        let (collector, pusher) = (try await replica(deleting: .milliseconds(20)), try await replica(deleting: .zero))
        let config = randomBytes(50)
        let layer = randomBytes(100)
        let manifest = imageManifest(config: sha256(config), configSize: 50, layers: [(sha256(layer), 100)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled { _ = try await collector.collectGarbage(delay: -1) }
            }
            for round in 0..<300 {
                for blob in [config, layer] {
                    _ = try await pusher.storeBlob(sha256(blob), in: repo("r"), body: ChunkedBody(chunks: [blob]), declaredLength: nil)
                }
                if (try? await pusher.putManifest(manifest, contentType: nil, reference: .tag(tag("v\(round)")), in: repo("r"))) != nil {
                    for blob in [config, layer] {
                        #expect(try await pusher.blobs.size(of: sha256(blob)) != nil, "round \(round)")
                    }
                    // Untagged again, the image's blobs are the collector's to take in the next round.
                    try await pusher.deleteManifest(.tag(tag("v\(round)")), in: repo("r"))
                }
            }
            group.cancelAll()
            try? await group.waitForAll()
        }
    }
}

/// The local blob store on a slow disk: each delete waits first, which widens the moment between a
/// collection forgetting a blob in the database and removing its file to what a loaded replica may take.
struct SlowDeletingBlobStore: BlobStore {
    let store: LocalBlobStore
    let delay: Duration

    func size(of digest: Digest) async throws -> Int64? { try await store.size(of: digest) }
    func read(_ digest: Digest, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void) async throws {
        try await store.read(digest, range: range, into: consume)
    }
    func openFile(_ digest: Digest) async throws -> OpenBlobFile? { try await store.openFile(digest) }
    func delete(_ digest: Digest) async throws {
        try await Task.sleep(for: delay)
        try await store.delete(digest)
    }
    func openUpload(_ id: String) async throws -> any UploadFile { try await store.openUpload(id) }
    func stagedSize(ofUpload id: String) async throws -> Int64? { try await store.stagedSize(ofUpload: id) }
    func readUpload(_ id: String, into consume: (ByteBuffer) async throws -> Void) async throws {
        try await store.readUpload(id, into: consume)
    }
    func readUpload(_ id: String, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    {
        try await store.readUpload(id, range: range, into: consume)
    }
    func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws {
        try await store.commitUpload(id, as: digest, durable: durable)
    }
    func adoptLocalFile(at path: String, as digest: Digest, durable: Bool) async throws -> AdoptedFile {
        try await store.adoptLocalFile(at: path, as: digest, durable: durable)
    }
    func deleteUpload(_ id: String) async throws { try await store.deleteUpload(id) }
    func stagedUploadIDs() async throws -> [String] { try await store.stagedUploadIDs() }
}

/// The changes replicas follow to keep what they derive (search's index) in step: one per change to a
/// manifest or a tag, in the order of the writes, with what a follower needs to index it.
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct MetadataChangeFeedTests {
    @Test func everyChangeToManifestsAndTagsIsRecordedInOrder() async throws {
        let store = try await PostgresMetadataStore.connect(
            url: try await PostgresTestServer.freshDatabase(), maximumConnections: 4, logger: Logger(label: "test"))
        try await store.link([blobDigest("c")], to: repo("r"))
        var image = try ManifestFixture.image("one", in: repo("r"), blobs: [blobDigest("c")])
        image.pushedBy = "alice"
        try await store.putManifest(image, tags: [tag("v1"), tag("latest"), tag("v1")])
        #expect(try await store.deleteTag(tag("latest"), in: repo("r")))
        #expect(try await !store.deleteTag(tag("latest"), in: repo("r")))
        #expect(try await store.deleteManifest(image.digest, in: repo("r")))
        _ = try await store.collectGarbage(olderThan: .infinity)
        let changes = try await store.changes(after: 0, limit: 10)
        #expect(changes.map(\.kind) == [
            .stored(image.digest, tags: ["v1", "latest"], pushedBy: "alice"), .tagDeleted("latest"),
            .manifestDeleted(image.digest),
        ])
        #expect(changes.map(\.repository) == ["r", "r", "r"])
        #expect(changes.map(\.position) == changes.map(\.position).sorted())
        #expect(try await store.changes(after: changes[0].position, limit: 1) == [changes[1]])
        #expect(try await store.changes(at: [changes[2].position, 999]) == [changes[2]])
        #expect(try await store.changeBounds() == (changes[0].position, changes[2].position))
    }

    /// Pulls counted by a replica are changes too, one per image, for every replica's download counts.
    @Test func pullsRecordedByAReplicaAreChanges() async throws {
        let store = try await PostgresMetadataStore.connect(
            url: try await PostgresTestServer.freshDatabase(), maximumConnections: 4, logger: Logger(label: "test"))
        try await store.recordPulls([
            ImagePulls(repository: "r", digest: blobDigest("a"), count: 3, last: 1_000),
            ImagePulls(repository: "s", digest: blobDigest("b"), count: 1, last: 2_000),
        ])
        let changes = try await store.changes(after: 0, limit: 10)
        #expect(changes.map(\.kind) == [.pulled(blobDigest("a"), count: 3, last: 1_000), .pulled(blobDigest("b"), count: 1, last: 2_000)])
        #expect(changes.map(\.repository) == ["r", "s"])
    }

    /// A collection that deleted manifests says so once; one that deleted none says nothing.
    @Test func aCollectionThatDeletedManifestsIsRecorded() async throws {
        let store = try await PostgresMetadataStore.connect(
            url: try await PostgresTestServer.freshDatabase(), maximumConnections: 4, logger: Logger(label: "test"))
        try await store.link([blobDigest("c")], to: repo("r"))
        let image = try ManifestFixture.image("untagged", in: repo("r"), blobs: [blobDigest("c")])
        try await store.putManifest(image, tags: [])
        _ = try await store.collectGarbage(olderThan: .infinity)
        _ = try await store.collectGarbage(olderThan: .infinity)
        #expect(try await store.changes(after: 0, limit: 10).map(\.kind) == [
            .stored(image.digest, tags: [], pushedBy: ""), .collected,
        ])
        try await store.pruneChanges(before: .infinity)
        #expect(try await store.changes(after: 0, limit: 10).isEmpty)
    }
}
