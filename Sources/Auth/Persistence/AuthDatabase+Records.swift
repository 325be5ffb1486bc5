import Foundation
import GRDB

/// Auth's records in SQLite. The reads every signed-in request makes are synchronous: a local read need not
/// suspend.
extension AuthDatabase: AuthRecords {
    public func insertSession(_ session: SessionRow, purgingExpiredAt now: Double) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM auth_session WHERE expires_at <= ?", arguments: [now])
            try db.execute(
                sql: "INSERT INTO auth_session (token_hash, user, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [session.tokenHash, session.user, session.createdAt, session.expiresAt])
        }
    }

    public func session(hash: Data) throws -> SessionRow? {
        try pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT token_hash, user, created_at, expires_at FROM auth_session WHERE token_hash = ?"),
                arguments: [hash]
            ).map {
                SessionRow(tokenHash: $0["token_hash"], user: $0["user"], createdAt: $0["created_at"], expiresAt: $0["expires_at"])
            }
        }
    }

    public func deleteSession(hash: Data) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM auth_session WHERE token_hash = ?", arguments: [hash]) }
    }

    public func insertKey(_ record: APIKeyRecord, hash: Data) async throws {
        let scopes = try record.scopesJSON
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO auth_api_key
                        (id, key_hash, user, label, scopes, created_at, expires_at, last_used, creator_ua, generated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                    """,
                arguments: [
                    record.id, hash, record.user, record.label, scopes, record.createdAt.timeIntervalSince1970,
                    record.expiresAt?.timeIntervalSince1970, record.creatorUserAgent, record.generatedBy,
                ])
        }
    }

    public func keys(user: String) throws -> [APIKeyRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM auth_api_key WHERE user = ? ORDER BY created_at, id"),
                arguments: [user]
            ).map(Self.record)
        }
    }

    public func deleteKey(id: String, user: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM auth_api_key WHERE id = ? AND user = ?", arguments: [id, user])
            return db.changesCount > 0
        }
    }

    public func key(hash: Data) throws -> (record: APIKeyRecord, hash: Data)? {
        try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM auth_api_key WHERE key_hash = ?"), arguments: [hash])
                .map { (Self.record($0), $0["key_hash"]) }
        }
    }

    public func markKeyUsed(id: String, at time: Double) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE auth_api_key SET last_used = ? WHERE id = ?", arguments: [time, id])
        }
    }

    private static func record(_ row: Row) -> APIKeyRecord {
        let expires: Double? = row["expires_at"]
        let lastUsed: Double? = row["last_used"]
        return APIKeyRecord(
            id: row["id"], user: row["user"], label: row["label"], scopes: APIKeyRecord.scopes(fromJSON: row["scopes"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: expires.map(Date.init(timeIntervalSince1970:)),
            lastUsed: lastUsed.map(Date.init(timeIntervalSince1970:)),
            creatorUserAgent: row["creator_ua"], generatedBy: row["generated_by"])
    }
}
