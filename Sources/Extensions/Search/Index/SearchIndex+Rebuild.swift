import GRDB

/// What a rebuild from storage cannot derive and so carries over: when and by whom each image was first
/// pushed, when it was last pulled and how often, and when each tag was created (zot keeps these when it re-reads storage too).
struct IndexHistory: Sendable {
    struct Image: Sendable {
        var downloads: Int
        var lastPull: Double?
        var pushedAt: Double
        var pushedBy: String
    }

    var images: [DownloadKey: Image] = [:]
    var tags: [DownloadKey: Double] = [:]
}

extension SearchIndex {
    func history() throws -> IndexHistory {
        try database.pool.read { db in
            var history = IndexHistory()
            for row in try Row.fetchAll(db, sql: "SELECT repository, digest, download_count, last_pull, pushed_at, pushed_by FROM search_image") {
                history.images[DownloadKey(repository: row["repository"], digest: row["digest"])] = IndexHistory.Image(
                    downloads: row["download_count"], lastPull: row["last_pull"], pushedAt: row["pushed_at"],
                    pushedBy: row["pushed_by"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT repository, name, tagged_at FROM search_tag") {
                history.tags[DownloadKey(repository: row["repository"], digest: row["name"])] = row["tagged_at"]
            }
            return history
        }
    }

    /// Puts `history` back on the entries a rebuild made, then refigures every repository.
    func restore(_ history: IndexHistory) throws {
        try database.pool.write { db in
            for (key, image) in history.images {
                try db.execute(
                    sql: """
                        UPDATE search_image SET download_count = ?, last_pull = ?, pushed_at = ?, pushed_by = ?
                        WHERE repository = ? AND digest = ?
                        """,
                    arguments: [image.downloads, image.lastPull, image.pushedAt, image.pushedBy, key.repository, key.digest])
            }
            for (key, taggedAt) in history.tags {
                try db.execute(
                    sql: "UPDATE search_tag SET tagged_at = ? WHERE repository = ? AND name = ?",
                    arguments: [taggedAt, key.repository, key.digest])
            }
            for name in try String.fetchAll(db, sql: "SELECT DISTINCT repository FROM search_tag") {
                try refreshRepository(name, db)
            }
        }
    }
}
