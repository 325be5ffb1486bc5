import GRDB

/// A user's mark on a repository.
package enum UserMark: String, Sendable {
    case star
    case bookmark

    var table: String {
        switch self {
        case .star: "search_star"
        case .bookmark: "search_bookmark"
        }
    }
}

/// Stars and bookmarks, per user and repository: the users' own data, which a rebuild of the index leaves
/// alone. Beside the index in SQLite, or in the PostgreSQL database replicas share (`PostgresUserPreferences`),
/// so that a star given through one replica counts on all.
protocol UserPreferences: Sendable {
    /// Sets the mark if it was not set, clears it if it was; returns whether it is set now.
    func toggle(_ mark: UserMark, user: String, repository: String) async throws -> Bool
    /// The repositories `user` marked.
    func repositories(_ mark: UserMark, user: String) async throws -> Set<String>
    /// How many users starred each repository that has a star.
    func starCounts() async throws -> [String: Int]
}

/// Stars and bookmarks in search's SQLite file.
struct SQLiteUserPreferences: UserPreferences {
    let database: SearchDatabase

    func toggle(_ mark: UserMark, user: String, repository: String) throws -> Bool {
        try database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM \(mark.table) WHERE user = ? AND repository = ?", arguments: [user, repository])
            guard db.changesCount == 0 else { return false }
            try db.execute(
                sql: "INSERT INTO \(mark.table) (user, repository) VALUES (?, ?)", arguments: [user, repository])
            return true
        }
    }

    func repositories(_ mark: UserMark, user: String) throws -> Set<String> {
        try database.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT repository FROM \(mark.table) WHERE user = ?", arguments: [user]))
        }
    }

    func starCounts() throws -> [String: Int] {
        try database.pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT repository, count(*) AS stars FROM search_star GROUP BY repository") {
                counts[row["repository"]] = row["stars"]
            }
            return counts
        }
    }
}
