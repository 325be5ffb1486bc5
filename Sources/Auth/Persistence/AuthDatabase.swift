import Foundation
import GRDB

/// Auth's tables (API keys, sessions) in the registry's SQLite file, next to the metadata but apart from it:
/// Auth opens its own `DatabasePool` on the same WAL file and migrates only its own tables, whose names
/// start with `auth_` and whose migrations are named `auth.*`.
public final class AuthDatabase: Sendable {
    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the database at `path`, usually `<rootDirectory>/_zotd/zotd.db`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = 4
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// The schema, as migrations. A shipped migration never changes.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("auth.v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auth_api_key (
                        id TEXT PRIMARY KEY NOT NULL,
                        key_hash BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),
                        user TEXT NOT NULL,
                        label TEXT NOT NULL,
                        scopes TEXT,
                        created_at REAL NOT NULL,
                        expires_at REAL,
                        last_used REAL,
                        creator_ua TEXT NOT NULL,
                        generated_by TEXT NOT NULL
                    );
                    CREATE INDEX auth_api_key_by_user ON auth_api_key(user, created_at);
                    CREATE TABLE auth_session (
                        token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
                        user TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX auth_session_by_expiry ON auth_session(expires_at);
                    """
            )
        }
        return migrator
    }
}
