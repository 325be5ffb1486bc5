import Logging
import PostgresNIO
import Storage

/// The metadata store in a PostgreSQL database, shared by every replica that names it. Its tables sit in
/// `database` beside those of the modules that keep state of their own there.
public final class PostgresMetadataStore: MetadataStore, MetadataInventory {
    public let database: SharedPostgresDatabase

    /// `host:port/database`, for the log: the URL without its password.
    public var location: String { database.location }

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=...`) and migrates the schema,
    /// once however many replicas start together. A replica opens up to `maximumConnections` for statements
    /// and as many for locks: 32 by default, so three replicas fit in PostgreSQL's default of 100.
    public static func connect(
        url: String, maximumConnections: Int = 16, connectionWait: Duration = .seconds(10), logger: Logger
    ) async throws -> PostgresMetadataStore {
        let database = try SharedPostgresDatabase(
            url: url, maximumConnections: maximumConnections, connectionWait: connectionWait, logger: logger)
        try await database.migrate(PostgresMetadataSchema.migrations)
        return PostgresMetadataStore(database: database)
    }

    private init(database: SharedPostgresDatabase) {
        self.database = database
    }

    static var now: Double { SharedPostgresDatabase.now }
}

extension PostgresMetadataStore: SharedMetadata {
    public func withLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        try await database.withLock(name, body)
    }

    public func runOnce<T: Sendable>(
        _ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await database.runOnce(name, every: interval, body)
    }
}
