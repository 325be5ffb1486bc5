import PostgresMetadata
import Storage

/// What the userprefs extension reaches of search's data: a user's marks, where search reads them (StarCount,
/// StarredRepos).
package struct StarsAndBookmarks: Sendable {
    let preferences: any UserPreferences

    /// Opens the marks beside the metadata: in PostgreSQL when `shared` metadata lives there, else in search's
    /// SQLite file under `rootDirectory` (created and migrated when needed).
    package init(rootDirectory: String, shared: (any SharedMetadata)?) throws {
        preferences = try Self.open(shared: shared) {
            try SearchDatabase(path: SearchDatabase.path(rootDirectory: rootDirectory))
        }
    }

    /// The marks in PostgreSQL when `shared` metadata lives there, else in `sqlite`.
    static func open(shared: (any SharedMetadata)?, sqlite: () throws -> SearchDatabase) rethrows -> any UserPreferences {
        if let postgres = shared as? PostgresMetadataStore { return PostgresUserPreferences(database: postgres.database) }
        return SQLiteUserPreferences(database: try sqlite())
    }

    /// Sets the mark if it was not set, clears it if it was; returns whether it is set now.
    @discardableResult
    package func toggle(_ mark: UserMark, user: String, repository: String) async throws -> Bool {
        try await preferences.toggle(mark, user: user, repository: repository)
    }
}
