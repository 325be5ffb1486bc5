import PostgresNIO

/// One step of a schema in the shared database. Every module keeps its own steps, named with its prefix
/// (`auth.v1`, `search.v1`; the metadata's are plain `v1`), in one table of applied steps. A shipped step never
/// changes.
public struct PostgresMigration: Sendable {
    public let version: String
    public let statements: [String]

    public init(_ version: String, _ statements: [String]) {
        self.version = version
        self.statements = statements
    }
}

extension SharedPostgresDatabase {
    /// The key of the advisory lock that makes replicas starting together migrate one after another: the
    /// second finds the work done. (An arbitrary constant: "zotd" in ASCII.)
    static let migrationLock: Int64 = 0x7A6F_7464

    /// Applies the steps of `migrations` not applied yet, in order, in one transaction: once, however many
    /// replicas start together.
    public func migrate(_ migrations: [PostgresMigration]) async throws {
        // Read committed, so that the second replica through the lock reads the first one's migrations; a
        // serializable transaction would read the snapshot it took before waiting.
        try await transaction(isolation: "READ COMMITTED") { transaction in
            try await transaction.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await transaction.run(
                "CREATE TABLE IF NOT EXISTS zotd_migration (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            var applied = Set<String>()
            for row in try await transaction.run("SELECT version FROM zotd_migration") {
                applied.insert(try row.decode(String.self))
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await transaction.run(PostgresQuery(unsafeSQL: statement))
                }
                try await transaction.run("INSERT INTO zotd_migration(version) VALUES (\(migration.version))")
            }
        }
    }
}
