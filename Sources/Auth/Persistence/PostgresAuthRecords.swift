import Foundation
import PostgresMetadata
import PostgresNIO

/// Auth's records in the PostgreSQL database the replicas share: the SQLite tables, in PostgreSQL's words.
struct PostgresAuthRecords: AuthRecords {
    let database: SharedPostgresDatabase

    /// Migrates Auth's tables (steps `auth.*`) in `database`.
    init(database: SharedPostgresDatabase) async throws {
        self.database = database
        try await database.migrate(Self.migrations)
    }

    static let migrations = [
        PostgresMigration(
            "auth.v1",
            [
                """
                CREATE TABLE auth_api_key (
                    id text PRIMARY KEY,
                    key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
                    "user" text NOT NULL,
                    label text NOT NULL,
                    scopes text,
                    created_at double precision NOT NULL,
                    expires_at double precision,
                    last_used double precision,
                    creator_ua text NOT NULL,
                    generated_by text NOT NULL
                )
                """,
                #"CREATE INDEX auth_api_key_by_user ON auth_api_key("user", created_at)"#,
                """
                CREATE TABLE auth_session (
                    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
                    "user" text NOT NULL,
                    created_at double precision NOT NULL,
                    expires_at double precision NOT NULL
                )
                """,
                "CREATE INDEX auth_session_by_expiry ON auth_session(expires_at)",
            ]
        )
    ]

    func insertSession(_ session: SessionRow, purgingExpiredAt now: Double) async throws {
        try await database.transaction { transaction in
            try await transaction.run("DELETE FROM auth_session WHERE expires_at <= \(now)")
            try await transaction.run(
                """
                INSERT INTO auth_session (token_hash, "user", created_at, expires_at)
                VALUES (\(session.tokenHash), \(session.user), \(session.createdAt), \(session.expiresAt))
                """)
        }
    }

    func session(hash: Data) async throws -> SessionRow? {
        try await database.run(
            #"SELECT token_hash, "user", created_at, expires_at FROM auth_session WHERE token_hash = \#(hash)"#
        ).first.map { row in
            let (hash, user, created, expires) = try row.decode((Data, String, Double, Double).self)
            return SessionRow(tokenHash: hash, user: user, createdAt: created, expiresAt: expires)
        }
    }

    func deleteSession(hash: Data) async throws {
        try await database.run("DELETE FROM auth_session WHERE token_hash = \(hash)")
    }

    func insertKey(_ record: APIKeyRecord, hash: Data) async throws {
        let scopes = try record.scopesJSON
        try await database.run(
            """
            INSERT INTO auth_api_key
                (id, key_hash, "user", label, scopes, created_at, expires_at, last_used, creator_ua, generated_by)
            VALUES (\(record.id), \(hash), \(record.user), \(record.label), \(scopes),
                \(record.createdAt.timeIntervalSince1970), \(record.expiresAt?.timeIntervalSince1970), NULL,
                \(record.creatorUserAgent), \(record.generatedBy))
            """)
    }

    func keys(user: String) async throws -> [APIKeyRecord] {
        try await database.run(
            """
            SELECT id, key_hash, "user", label, scopes, created_at, expires_at, last_used, creator_ua, generated_by
            FROM auth_api_key WHERE "user" = \(user) ORDER BY created_at, id
            """
        ).map { try Self.record($0).record }
    }

    func deleteKey(id: String, user: String) async throws -> Bool {
        try await !database.run("DELETE FROM auth_api_key WHERE id = \(id) AND \"user\" = \(user) RETURNING 1").isEmpty
    }

    func key(hash: Data) async throws -> (record: APIKeyRecord, hash: Data)? {
        try await database.run("""
            SELECT id, key_hash, "user", label, scopes, created_at, expires_at, last_used, creator_ua, generated_by
            FROM auth_api_key WHERE key_hash = \(hash)
            """)
            .first.map(Self.record)
    }

    func markKeyUsed(id: String, at time: Double) async throws {
        try await database.run("UPDATE auth_api_key SET last_used = \(time) WHERE id = \(id)")
    }

    /// A row of `SELECT id, key_hash, "user", label, scopes, created_at, expires_at, last_used, creator_ua, generated_by`.
    private static func record(_ row: PostgresRow) throws -> (record: APIKeyRecord, hash: Data) {
        let (id, hash, user, label, scopes, created, expires, lastUsed, userAgent, generatedBy) = try row.decode(
            (String, Data, String, String, String?, Double, Double?, Double?, String, String).self)
        let record = APIKeyRecord(
            id: id, user: user, label: label, scopes: APIKeyRecord.scopes(fromJSON: scopes),
            createdAt: Date(timeIntervalSince1970: created), expiresAt: expires.map(Date.init(timeIntervalSince1970:)),
            lastUsed: lastUsed.map(Date.init(timeIntervalSince1970:)), creatorUserAgent: userAgent,
            generatedBy: generatedBy)
        return (record, hash)
    }
}
