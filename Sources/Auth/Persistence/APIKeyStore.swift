import Crypto
import Foundation
import GRDB
import Storage

/// An API key as listed to its owner: everything but the key, which is shown once, at creation.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var user: String
    public var label: String
    /// Repository patterns the key is limited to; `nil` for none (the user's own rights).
    public var scopes: [String]?
    public var createdAt: Date
    /// `nil` for a key that never expires.
    public var expiresAt: Date?
    public var lastUsed: Date?
    public var creatorUserAgent: String
    public var generatedBy: String

    public func isExpired(at now: Date = Date()) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }
}

/// API keys in `AuthDatabase`: only a SHA-256 of each key is stored, so a copy of the database signs
/// nobody in. Keys carry 128 random bits, so a fast hash is enough.
public struct APIKeyStore: Sendable {
    /// Every key starts with this, as zot's do.
    public static let prefix = "zak_"
    /// How often `lastUsed` is written for a key in use; a push would otherwise write it on every request.
    static let lastUsedResolution: TimeInterval = 60

    let database: AuthDatabase

    public init(database: AuthDatabase) {
        self.database = database
    }

    /// Makes a new key for `user`; the returned key is the only copy there will be.
    public func create(
        user: String, label: String, scopes: [String]?, expiresAt: Date?, userAgent: String, now: Date = Date()
    ) async throws -> (key: String, record: APIKeyRecord) {
        let key = Self.prefix + SecureRandom.bytes(16).hexString
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), user: user, label: label, scopes: scopes, createdAt: now,
            expiresAt: expiresAt, lastUsed: nil, creatorUserAgent: userAgent, generatedBy: "manual")
        let hash = Self.hash(key)
        let scopesJSON = try scopes.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO auth_api_key
                        (id, key_hash, user, label, scopes, created_at, expires_at, last_used, creator_ua, generated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                    """,
                arguments: [
                    record.id, hash, record.user, record.label, scopesJSON, now.timeIntervalSince1970,
                    expiresAt?.timeIntervalSince1970, record.creatorUserAgent, record.generatedBy,
                ])
        }
        return (key, record)
    }

    /// The keys of `user`, oldest first.
    public func list(user: String) throws -> [APIKeyRecord] {
        try database.pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM auth_api_key WHERE user = ? ORDER BY created_at, id"),
                arguments: [user]
            ).map(Self.record)
        }
    }

    /// Deletes key `id` if it is `user`'s; whether there was one.
    public func delete(id: String, user: String) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM auth_api_key WHERE id = ? AND user = ?", arguments: [id, user])
            return db.changesCount > 0
        }
    }

    /// The key `key`, if it exists and belongs to `user`. Its `lastUsed` is brought up to date (at most once
    /// a minute). Whether it has expired is the caller's to check.
    public func lookup(key: String, user: String, now: Date = Date()) async throws -> APIKeyRecord? {
        guard key.hasPrefix(Self.prefix) else { return nil }
        let hash = Self.hash(key)
        let found = try fetch(hash: hash)
        guard let (record, stored) = found, ConstantTime.equals(stored, hash), record.user == user else {
            return nil
        }
        if record.lastUsed.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            let id = record.id
            try await database.pool.write { db in
                try db.execute(
                    sql: "UPDATE auth_api_key SET last_used = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
            }
        }
        return record
    }

    /// The key whose hash is `hash`, read through GRDB's synchronous API (this runs on every request that
    /// signs in with a key).
    private func fetch(hash: Data) throws -> (APIKeyRecord, [UInt8])? {
        try database.pool.read { db -> (APIKeyRecord, [UInt8])? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM auth_api_key WHERE key_hash = ?"), arguments: [hash])
            else { return nil }
            let stored: Data = row["key_hash"]
            return (Self.record(row), Array(stored))
        }
    }

    /// SHA-256 of the whole key, prefix included.
    static func hash(_ key: String) -> Data {
        Data(SHA256.hash(data: Array(key.utf8)))
    }

    private static func record(_ row: Row) -> APIKeyRecord {
        let scopesJSON: String? = row["scopes"]
        let scopes = scopesJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        let expires: Double? = row["expires_at"]
        let lastUsed: Double? = row["last_used"]
        return APIKeyRecord(
            id: row["id"], user: row["user"], label: row["label"], scopes: scopes,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: expires.map(Date.init(timeIntervalSince1970:)),
            lastUsed: lastUsed.map(Date.init(timeIntervalSince1970:)),
            creatorUserAgent: row["creator_ua"], generatedBy: row["generated_by"])
    }
}
