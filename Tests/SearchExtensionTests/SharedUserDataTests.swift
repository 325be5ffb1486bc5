import Logging
import PostgresMetadata
import PostgresTestSupport
import Testing

@testable import SearchExtension

/// What search keeps of the users' own (stars, bookmarks) and of the trust extension's (verdicts), when
/// replicas share their metadata in PostgreSQL: written through one replica, read alike through every other.
@Suite(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
struct SharedUserDataTests {
    /// Two replicas' connections to one fresh database, each migrating the tables it uses on first use.
    func replicas() async throws -> (SharedPostgresDatabase, SharedPostgresDatabase) {
        let url = try await PostgresTestServer.freshDatabase()
        func connect() throws -> SharedPostgresDatabase {
            try SharedPostgresDatabase(url: url, maximumConnections: 2, connectionWait: .seconds(10), logger: Logger(label: "test"))
        }
        return (try connect(), try connect())
    }

    @Test func aStarGivenThroughOneReplicaCountsOnEvery() async throws {
        let (one, other) = try await replicas()
        let here = PostgresUserPreferences(database: one)
        let there = PostgresUserPreferences(database: other)
        #expect(try await here.toggle(.star, user: "alice", repository: "team/app"))
        #expect(try await there.toggle(.star, user: "bob", repository: "team/app"))
        #expect(try await there.toggle(.bookmark, user: "alice", repository: "team/lib"))
        #expect(try await there.starCounts() == ["team/app": 2])
        #expect(try await here.repositories(.star, user: "alice") == ["team/app"])
        #expect(try await here.repositories(.bookmark, user: "alice") == ["team/lib"])
        // Toggled again through the other replica: the star is gone everywhere.
        #expect(try await !there.toggle(.star, user: "alice", repository: "team/app"))
        #expect(try await here.starCounts() == ["team/app": 1])
        #expect(try await here.repositories(.star, user: "alice").isEmpty)
    }

    /// The trust extension of the replica a signature was pushed through records its verdict; another
    /// replica's pull policy and search read it.
    @Test func aVerdictRecordedThroughOneReplicaIsReadThroughAnother() async throws {
        let (one, other) = try await replicas()
        let here = PostgresSignatureVerdicts(database: one)
        let there = PostgresSignatureVerdicts(database: other)
        let signature = SignatureReference(repository: "team/app", signature: "sha256:5151", subject: "sha256:a1a1")
        try await here.record(
            [
                SignatureVerdict(layer: 0, tool: "cosign", trusted: true, author: "-----BEGIN PUBLIC KEY-----"),
                SignatureVerdict(layer: 1, tool: "cosign", trusted: false, author: "ignored"),
            ], for: signature)
        #expect(try await there.trustedTools(of: "sha256:a1a1", in: "team/app") == ["cosign"])
        #expect(try await there.trustedTools(of: "sha256:a1a1", in: "other/app").isEmpty)
        let verdicts = try await there.verdicts(of: "sha256:a1a1", in: "team/app")
        #expect(verdicts["sha256:5151"]?[0]?.author == "-----BEGIN PUBLIC KEY-----")
        #expect(verdicts["sha256:5151"]?[1] == SignatureVerdict(layer: 1, tool: "cosign", trusted: false, author: ""))
        #expect(try await there.signatures() == [signature])
        try await there.forget(signature: "sha256:5151", in: "team/app")
        #expect(try await here.trustedTools(of: "sha256:a1a1", in: "team/app").isEmpty)
    }
}
