import Foundation
import PostgresMetadata
import Storage

/// Where API keys and sessions are kept: in SQLite beside the metadata (`AuthDatabase`), or, when replicas
/// share their metadata in PostgreSQL, in that database (`PostgresAuthRecords`), so that a key made or a
/// login on one replica signs in on every other. Only SHA-256 hashes of keys and session tokens are stored.
public protocol AuthRecords: Sendable {
    /// Stores a new session, and forgets those expired by `now`.
    func insertSession(_ session: SessionRow, purgingExpiredAt now: Double) async throws
    func session(hash: Data) async throws -> SessionRow?
    func deleteSession(hash: Data) async throws

    func insertKey(_ record: APIKeyRecord, hash: Data) async throws
    /// The keys of `user`, oldest first.
    func keys(user: String) async throws -> [APIKeyRecord]
    /// Deletes key `id` if it is `user`'s; whether there was one.
    func deleteKey(id: String, user: String) async throws -> Bool
    /// The key stored under `hash`, with the hash as stored (compared again in constant time).
    func key(hash: Data) async throws -> (record: APIKeyRecord, hash: Data)?
    func markKeyUsed(id: String, at time: Double) async throws
}

/// One login session as stored.
public struct SessionRow: Sendable, Equatable {
    public var tokenHash: Data
    public var user: String
    public var createdAt: Double
    public var expiresAt: Double
}

/// Where Auth opens its records: beside the metadata, in whichever database holds it.
public enum AuthRecordsLocation: Sendable {
    /// A SQLite file, usually `<rootDirectory>/_zotd/zotd.db`.
    case sqlite(path: String)
    /// The PostgreSQL database the replicas share.
    case postgres(SharedPostgresDatabase)

    /// The database `shared` metadata lives in when it is PostgreSQL, else the SQLite file at `sqlitePath`.
    public static func beside(_ shared: (any SharedMetadata)?, sqlitePath: String) -> AuthRecordsLocation {
        if let postgres = shared as? PostgresMetadataStore { return .postgres(postgres.database) }
        return .sqlite(path: sqlitePath)
    }

    /// Opens the records, creating and migrating their tables when needed.
    func open() async throws -> any AuthRecords {
        switch self {
        case .sqlite(let path): try AuthDatabase(path: path)
        case .postgres(let database): try await PostgresAuthRecords(database: database)
        }
    }
}

extension APIKeyRecord {
    /// The scopes as stored: a JSON array, or NULL for none.
    var scopesJSON: String? {
        get throws { try scopes.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } }
    }

    static func scopes(fromJSON json: String?) -> [String]? {
        json.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
    }
}
