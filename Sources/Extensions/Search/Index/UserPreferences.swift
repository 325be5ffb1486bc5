import GRDB

/// Stars and bookmarks, per user and repository: the users' own data, kept beside the index (a rebuild
/// leaves them alone).
struct UserPreferences: Sendable {
    let database: SearchDatabase

    enum Kind: String, Sendable {
        case star = "search_star"
        case bookmark = "search_bookmark"
    }

    /// Sets the mark if it was not set, clears it if it was; returns whether it is set now.
    @discardableResult
    func toggle(_ kind: Kind, user: String, repository: String) throws -> Bool {
        try database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM \(kind.rawValue) WHERE user = ? AND repository = ?", arguments: [user, repository])
            guard db.changesCount == 0 else { return false }
            try db.execute(
                sql: "INSERT INTO \(kind.rawValue) (user, repository) VALUES (?, ?)", arguments: [user, repository])
            return true
        }
    }

    /// The repositories `user` marked.
    func repositories(_ kind: Kind, user: String) throws -> Set<String> {
        try database.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT repository FROM \(kind.rawValue) WHERE user = ?", arguments: [user]))
        }
    }
}
