import Logging
import PostgresMetadata
import PostgresTestSupport
import Testing

@testable import Storage

/// Background passes (collection, scrub, sync) that every replica schedules: over shared metadata, they run
/// about once per interval between the replicas, and survive the death of the replica running one.
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct BackgroundPassTests {
    func replicas(_ count: Int, url: String) async throws -> [PostgresMetadataStore] {
        var stores: [PostgresMetadataStore] = []
        for _ in 0..<count {
            stores.append(try await PostgresMetadataStore.connect(url: url, maximumConnections: 4, logger: Logger(label: "test")))
        }
        return stores
    }

    /// Four replicas due at once: one of them runs the pass, the others skip it, and none runs it again
    /// within the interval.
    @Test func aPassDueOnEveryReplicaRunsOnOne() async throws {
        let stores = try await replicas(4, url: try await PostgresTestServer.freshDatabase())
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for store in stores {
                group.addTask {
                    try await store.runOnce("pass", every: .seconds(60)) {
                        try await Task.sleep(for: .milliseconds(200))
                        return 1
                    }
                }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(results.compactMap { $0 } == [1])
        #expect(try await stores[2].runOnce("pass", every: .seconds(60)) { 2 } == nil)
        #expect(try await stores[2].runOnce("another pass", every: .seconds(60)) { 3 } == 3)
    }

    /// The next pass is due once the interval has passed since the last one began, on whichever replica.
    @Test func theNextPassIsDueAfterTheInterval() async throws {
        let stores = try await replicas(2, url: try await PostgresTestServer.freshDatabase())
        // Each replica's lock connection opened first: on a loaded machine, opening one took seconds.
        for store in stores { _ = try await store.runOnce("warm-up", every: .zero) {} }
        #expect(try await stores[0].runOnce("pass", every: .seconds(3)) { 1 } == 1)
        #expect(try await stores[1].runOnce("pass", every: .seconds(3)) { 2 } == nil)
        try await Task.sleep(for: .seconds(3))
        #expect(try await stores[1].runOnce("pass", every: .seconds(3)) { 2 } == 2)
    }

    /// A replica that dies in the middle of a pass (its connection to PostgreSQL cut) gives its turn back:
    /// once the interval is up, another replica runs the pass.
    @Test func aPassOutlivesTheReplicaThatWasRunningIt() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        let stores = try await replicas(2, url: url)
        let started = AsyncStream.makeStream(of: Void.self)
        let dying = Task {
            try await stores[0].runOnce("pass", every: .milliseconds(500)) {
                started.continuation.yield()
                try await Task.sleep(for: .seconds(3600))
            }
        }
        defer { dying.cancel() }
        for await _ in started.stream { break }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await stores[1].runOnce("pass", every: .milliseconds(500)) { 2 } == nil, "the dying replica still holds it")
        let killer = try await replicas(1, url: url)[0]
        try await killer.database.run(
            """
            SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await stores[1].runOnce("pass", every: .milliseconds(500)) { 2 } == 2)
    }
}
