import Foundation
import GRDB
import Testing

@testable import Auth

/// zot-api.md: the key is "zak_" and 32 hex characters, shown once; only a hash of it is stored.
@Test func apiKeysAreStoredOnlyAsHashes() async throws {
    let directory = try TemporaryDirectory()
    let database = try AuthDatabase(path: directory.file("zotd.db"))
    let store = APIKeyStore(database: database)
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

@Test func apiKeyBelongsToItsUserAndIsRevocable() async throws {
    let directory = try TemporaryDirectory()
    let store = APIKeyStore(database: try AuthDatabase(path: directory.file("zotd.db")))
    let (key, record) = try await store.create(user: "alice", label: "", scopes: nil, expiresAt: nil, userAgent: "")
    #expect(try await store.lookup(key: key, user: "bob") == nil)
    #expect(try await store.lookup(key: key + "0", user: "alice") == nil)
    #expect(try await store.lookup(key: "zak_" + String(repeating: "0", count: 32), user: "alice") == nil)
    #expect(try await !store.delete(id: record.id, user: "bob"))
    #expect(try await store.delete(id: record.id, user: "alice"))
    #expect(try await store.lookup(key: key, user: "alice") == nil)
    #expect(try store.list(user: "alice").isEmpty)
}

@Test func apiKeyLastUsedIsRecorded() async throws {
    let directory = try TemporaryDirectory()
    let store = APIKeyStore(database: try AuthDatabase(path: directory.file("zotd.db")))
    let (key, _) = try await store.create(user: "alice", label: "", scopes: nil, expiresAt: nil, userAgent: "")
    #expect(try store.list(user: "alice").first?.lastUsed == nil)
    let when = Date()
    _ = try await store.lookup(key: key, user: "alice", now: when)
    let lastUsed = try #require(try store.list(user: "alice").first?.lastUsed)
    #expect(abs(lastUsed.timeIntervalSince(when)) < 0.001)
}

@Test func sessionsSurviveReopeningTheDatabase() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("zotd.db")
    let token = try await SessionStore(database: try AuthDatabase(path: path)).open(user: "alice").token
    let reopened = SessionStore(database: try AuthDatabase(path: path))
    #expect(try reopened.user(token: token) == "alice")
    #expect(try reopened.user(token: String(repeating: "0", count: 64)) == nil)
    #expect(try reopened.user(token: token, now: Date().addingTimeInterval(SessionStore.lifetime + 1)) == nil)
    try await reopened.close(token: token)
    #expect(try reopened.user(token: token) == nil)
}
