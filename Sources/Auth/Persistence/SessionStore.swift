import Crypto
import Foundation
import GRDB
import Storage

/// Login sessions in `AuthDatabase`, so they survive a restart. The cookie holds 256 random bits; only
/// their SHA-256 is stored.
public struct SessionStore: Sendable {
    /// How long a session lasts after login: two hours, zot's `cookiesMaxAge`, so that the session and the
    /// `user` cookie zui reads end together.
    public static let lifetime: TimeInterval = 2 * 3600

    let database: AuthDatabase

    public init(database: AuthDatabase) {
        self.database = database
    }

    /// Opens a session for `user`; the token goes into the cookie and nowhere else.
    public func open(user: String, now: Date = Date()) async throws -> (token: String, expires: Date) {
        let token = SecureRandom.bytes(32).hexString
        let hash = Self.hash(token)
        let expires = now.addingTimeInterval(Self.lifetime)
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM auth_session WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO auth_session (token_hash, user, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, user, now.timeIntervalSince1970, expires.timeIntervalSince1970])
        }
        return (token, expires)
    }

    /// The user of the live session `token`, if any.
    public func user(token: String, now: Date = Date()) throws -> String? {
        let hash = Self.hash(token)
        return try database.pool.read { db -> String? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT token_hash, user, expires_at FROM auth_session WHERE token_hash = ?"),
                    arguments: [hash])
            else { return nil }
            let stored: Data = row["token_hash"]
            let expires: Double = row["expires_at"]
            guard ConstantTime.equals(stored, hash), expires > now.timeIntervalSince1970 else { return nil }
            return row["user"]
        }
    }

    /// Ends the session `token`.
    public func close(token: String) async throws {
        let hash = Self.hash(token)
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM auth_session WHERE token_hash = ?", arguments: [hash])
        }
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Array(token.utf8)))
    }
}
