import GRDB

extension SearchIndex {
    /// How far the index has followed the shared metadata's changes; nil when it never has.
    func feedFloor() throws -> Int64? {
        try database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT floor FROM search_feed WHERE id = 1") }
    }

    func saveFeedFloor(_ floor: Int64) throws {
        try database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO search_feed (id, floor) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET floor = excluded.floor",
                arguments: [floor])
        }
    }
}
