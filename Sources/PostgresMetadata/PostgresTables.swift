/// One module's tables in the shared database, migrated once, before their first use. Extensions are built
/// synchronously at startup; their migrations start then and every statement waits for them. The metadata
/// store has already connected to the same database by then, so a database that cannot be reached stops the
/// replica at start all the same.
public final class PostgresTables: Sendable {
    private let database: SharedPostgresDatabase
    private let migrated: Task<Void, any Error>

    public init(_ database: SharedPostgresDatabase, migrations: [PostgresMigration]) {
        self.database = database
        migrated = Task { try await database.migrate(migrations) }
    }

    /// The database, once the tables are in place.
    public func ready() async throws -> SharedPostgresDatabase {
        try await migrated.value
        return database
    }
}
