import GRDB

/// A user's mark on a repository.
package enum UserMark: Sendable {
    case star
    case bookmark

    var table: String {
        switch self {
        case .star: "search_star"
        case .bookmark: "search_bookmark"
        }
    }
}

/// Stars and bookmarks, per user and repository: the users' own data, kept beside the index (a rebuild
/// leaves them alone).
struct UserPreferences: Sendable {
    let database: SearchDatabase

    /// Sets the mark if it was not set, clears it if it was; returns whether it is set now.
    @discardableResult
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

    /// The repositories `user` marked.
    func repositories(_ mark: UserMark, user: String) throws -> Set<String> {
        try database.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT repository FROM \(mark.table) WHERE user = ?", arguments: [user]))
        }
    }
}
