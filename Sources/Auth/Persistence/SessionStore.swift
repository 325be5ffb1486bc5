import Crypto
import Foundation
import Storage

/// Login sessions in `AuthRecords`, so they survive a restart and reach every replica. The cookie holds 256 random bits; only
/// their SHA-256 is stored.
public struct SessionStore: Sendable {
    /// How long a session lasts after login: two hours, zot's `cookiesMaxAge`, so that the session and the
    /// `user` cookie zui reads end together.
    public static let lifetime: TimeInterval = 2 * 3600

    let records: any AuthRecords

    public init(records: any AuthRecords) {
        self.records = records
    }

    /// Opens a session for `user`; the token goes into the cookie and nowhere else.
    public func open(user: String, now: Date = Date()) async throws -> (token: String, expires: Date) {
        let token = SecureRandom.bytes(32).hexString
        let expires = now.addingTimeInterval(Self.lifetime)
        try await records.insertSession(
            SessionRow(
                tokenHash: Self.hash(token), user: user, createdAt: now.timeIntervalSince1970,
                expiresAt: expires.timeIntervalSince1970),
            purgingExpiredAt: now.timeIntervalSince1970)
        return (token, expires)
    }

    /// The user of the live session `token`, if any.
    public func user(token: String, now: Date = Date()) async throws -> String? {
        let hash = Self.hash(token)
        guard let session = try await records.session(hash: hash), ConstantTime.equals(session.tokenHash, hash),
            session.expiresAt > now.timeIntervalSince1970
        else { return nil }
        return session.user
    }

    /// Ends the session `token`.
    public func close(token: String) async throws {
        try await records.deleteSession(hash: Self.hash(token))
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Array(token.utf8)))
    }
}
