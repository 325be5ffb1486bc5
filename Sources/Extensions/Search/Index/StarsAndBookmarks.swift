/// What the userprefs extension reaches of search's database: a user's marks. Stars and bookmarks live
/// beside the index because search reads them (StarCount, StarredRepos).
package struct StarsAndBookmarks: Sendable {
    let preferences: UserPreferences

    /// Opens (creating and migrating when needed) search's tables in `<rootDirectory>/_zotd/zotd-search.db`.
    package init(rootDirectory: String) throws {
        let database = try SearchDatabase(path: SearchDatabase.path(rootDirectory: rootDirectory))
        preferences = UserPreferences(database: database)
    }

    /// Sets the mark if it was not set, clears it if it was; returns whether it is set now.
    @discardableResult
    package func toggle(_ mark: UserMark, user: String, repository: String) throws -> Bool {
        try preferences.toggle(mark, user: user, repository: repository)
    }
}
