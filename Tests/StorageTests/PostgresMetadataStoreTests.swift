import Logging
import PostgresMetadata
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
