import Crypto
import Foundation
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

/// API keys in `AuthRecords`: only a SHA-256 of each key is stored, so a copy of the database signs
/// nobody in. Keys carry 128 random bits, so a fast hash is enough.
public struct APIKeyStore: Sendable {
    /// Every key starts with this, as zot's do.
    public static let prefix = "zak_"
    /// How often `lastUsed` is written for a key in use; a push would otherwise write it on every request.
    static let lastUsedResolution: TimeInterval = 60

    let records: any AuthRecords

    public init(records: any AuthRecords) {
        self.records = records
    }

    /// Makes a new key for `user`; the returned key is the only copy there will be.
    public func create(
        user: String, label: String, scopes: [String]?, expiresAt: Date?, userAgent: String, now: Date = Date()
    ) async throws -> (key: String, record: APIKeyRecord) {
        let key = Self.prefix + SecureRandom.bytes(16).hexString
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), user: user, label: label, scopes: scopes, createdAt: now,
            expiresAt: expiresAt, lastUsed: nil, creatorUserAgent: userAgent, generatedBy: "manual")
        try await records.insertKey(record, hash: Self.hash(key))
        return (key, record)
    }

    /// The keys of `user`, oldest first.
    public func list(user: String) async throws -> [APIKeyRecord] {
        try await records.keys(user: user)
    }

    /// Deletes key `id` if it is `user`'s; whether there was one.
    public func delete(id: String, user: String) async throws -> Bool {
        try await records.deleteKey(id: id, user: user)
    }

    /// The key `key`, if it exists and belongs to `user`. Its `lastUsed` is brought up to date (at most once
    /// a minute). Whether it has expired is the caller's to check.
    public func lookup(key: String, user: String, now: Date = Date()) async throws -> APIKeyRecord? {
        guard key.hasPrefix(Self.prefix) else { return nil }
        let hash = Self.hash(key)
        guard let (record, stored) = try await records.key(hash: hash), ConstantTime.equals(stored, hash),
            record.user == user
        else { return nil }
        if record.lastUsed.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            try await records.markKeyUsed(id: record.id, at: now.timeIntervalSince1970)
        }
        return record
    }

    /// SHA-256 of the whole key, prefix included.
    static func hash(_ key: String) -> Data {
        Data(SHA256.hash(data: Array(key.utf8)))
    }
}
