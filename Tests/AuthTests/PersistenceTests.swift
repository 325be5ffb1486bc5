import Foundation
import GRDB
import Logging
import PostgresMetadata
import PostgresTestSupport
import Testing

@testable import Auth

/// Where a test keeps Auth's records: the SQLite file of a lone registry, or the PostgreSQL database replicas
/// share (when `PG_URL` names a server, as in `make test`).
enum RecordsBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    static var available: [RecordsBackend] { PostgresTestServer.url == nil ? [.sqlite] : allCases }
    var description: String { rawValue }

    /// A place for records, to open again as a restart, or another replica, would.
    func place() async throws -> RecordsPlace {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return RecordsPlace(location: .sqlite(path: directory.file("zotd.db")), directory: directory)
        case .postgres:
            return RecordsPlace(
                location: .postgres(try await Self.database(try await PostgresTestServer.freshDatabase())), directory: nil)
        }
    }

    static func database(_ url: String) async throws -> SharedPostgresDatabase {
        try SharedPostgresDatabase(url: url, maximumConnections: 2, connectionWait: .seconds(10), logger: Logger(label: "test"))
    }
}

/// Records' location, with the temporary directory a SQLite file lives in for as long as the test holds it.
struct RecordsPlace {
    let location: AuthRecordsLocation
    let directory: TemporaryDirectory?

    func open() async throws -> any AuthRecords { try await location.open() }
}

/// zot-api.md: the key is "zak_" and 32 hex characters, shown once; only a hash of it is stored.
@Test func apiKeysAreStoredOnlyAsHashes() async throws {
    let directory = try TemporaryDirectory()
    let database = try AuthDatabase(path: directory.file("zotd.db"))
    let store = APIKeyStore(records: database)
    let (key, record) = try await store.create(
        user: "alice", label: "ci", scopes: ["team/*"], expiresAt: nil, userAgent: "curl/8")
    #expect(key.hasPrefix("zak_") && key.count == 36 && key.dropFirst(4).allSatisfy(\.isHexDigit))
    #expect(record.user == "alice" && record.scopes == ["team/*"])
    // Nowhere in the database file, nor in any column.
    _ = try await database.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.file("zotd.db")))
    #expect(bytes.range(of: Data(key.utf8)) == nil)
    #expect(bytes.range(of: Data(key.dropFirst(4).utf8)) == nil)
    let rows = try database.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM auth_api_key") }
    for row in rows {
        for column in row.columnNames {
            let value: DatabaseValue = row[column]
            #expect(!value.description.contains(key.dropFirst(4)))
        }
    }
    #expect(try await store.lookup(key: key, user: "alice")?.id == record.id)
}

@Test(arguments: RecordsBackend.available)
func apiKeyBelongsToItsUserAndIsRevocable(_ backend: RecordsBackend) async throws {
    let place = try await backend.place()
    defer { withExtendedLifetime(place) {} }
    let store = APIKeyStore(records: try await place.open())
    let (key, record) = try await store.create(user: "alice", label: "", scopes: nil, expiresAt: nil, userAgent: "")
    #expect(try await store.lookup(key: key, user: "bob") == nil)
    #expect(try await store.lookup(key: key + "0", user: "alice") == nil)
    #expect(try await store.lookup(key: "zak_" + String(repeating: "0", count: 32), user: "alice") == nil)
    #expect(try await !store.delete(id: record.id, user: "bob"))
    #expect(try await store.delete(id: record.id, user: "alice"))
    #expect(try await store.lookup(key: key, user: "alice") == nil)
    #expect(try await store.list(user: "alice").isEmpty)
}

@Test(arguments: RecordsBackend.available)
func apiKeyLastUsedIsRecorded(_ backend: RecordsBackend) async throws {
    let place = try await backend.place()
    defer { withExtendedLifetime(place) {} }
    let store = APIKeyStore(records: try await place.open())
    let (key, _) = try await store.create(user: "alice", label: "", scopes: ["a/*", "b"], expiresAt: nil, userAgent: "")
    #expect(try await store.list(user: "alice").first?.lastUsed == nil)
    let when = Date()
    _ = try await store.lookup(key: key, user: "alice", now: when)
    let listed = try #require(try await store.list(user: "alice").first)
    #expect(abs(try #require(listed.lastUsed).timeIntervalSince(when)) < 0.001)
    #expect(listed.scopes == ["a/*", "b"])
}

@Test(arguments: RecordsBackend.available)
func sessionsSurviveReopeningTheDatabase(_ backend: RecordsBackend) async throws {
    let place = try await backend.place()
    defer { withExtendedLifetime(place) {} }
    let token = try await SessionStore(records: try await place.open()).open(user: "alice").token
    let reopened = SessionStore(records: try await place.open())
    #expect(try await reopened.user(token: token) == "alice")
    #expect(try await reopened.user(token: String(repeating: "0", count: 64)) == nil)
    #expect(try await reopened.user(token: token, now: Date().addingTimeInterval(SessionStore.lifetime + 1)) == nil)
    try await reopened.close(token: token)
    #expect(try await reopened.user(token: token) == nil)
}

/// Replicas behind a load balancer that does not stick: zui logs in through one and sends the session cookie
/// to another; a key made on one signs in on another, and revoked there, no longer anywhere.
@Test(.enabled(if: PostgresTestServer.url != nil, "PG_URL names no PostgreSQL server"))
func sessionsAndKeysMadeOnOneReplicaSignInOnAnother() async throws {
    let url = try await PostgresTestServer.freshDatabase()
    let one = try await AuthRecordsLocation.postgres(try await RecordsBackend.database(url)).open()
    let other = try await AuthRecordsLocation.postgres(try await RecordsBackend.database(url)).open()
    let token = try await SessionStore(records: one).open(user: "alice").token
    #expect(try await SessionStore(records: other).user(token: token) == "alice")
    try await SessionStore(records: other).close(token: token)
    #expect(try await SessionStore(records: one).user(token: token) == nil)

    let (key, record) = try await APIKeyStore(records: one).create(
        user: "bob", label: "ci", scopes: nil, expiresAt: nil, userAgent: "")
    #expect(try await APIKeyStore(records: other).lookup(key: key, user: "bob")?.id == record.id)
    #expect(try await APIKeyStore(records: other).delete(id: record.id, user: "bob"))
    #expect(try await APIKeyStore(records: one).lookup(key: key, user: "bob") == nil)
}
