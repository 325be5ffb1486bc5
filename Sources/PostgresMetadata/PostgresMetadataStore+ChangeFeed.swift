import PostgresNIO
import Storage

extension PostgresMetadataStore: MetadataChangeFeed {
    /// Appends a change in the transaction that makes it, so that it commits (or rolls back) with it.
    static func recordChange(
        _ transaction: SharedPostgresDatabase.Transaction, _ kind: String, in repository: String, digest: String? = nil,
        tag: String? = nil, tags: [String] = [], pushedBy: String = ""
    ) async throws {
        try await transaction.run(
            """
            INSERT INTO metadata_change (changed_at, repository, kind, digest, tag, tags, pushed_by)
            VALUES (\(now), \(repository), \(kind), \(digest), \(tag), \(tags), \(pushedBy))
            """)
    }

    public func changes(after position: Int64, limit: Int) async throws -> [MetadataChange] {
        try await database.run(
            """
            SELECT position, repository, kind, digest, tag, tags, pushed_by, pulls, last_pull FROM metadata_change
            WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))
            """
        ).map(Self.change)
    }

    public func changes(at positions: [Int64]) async throws -> [MetadataChange] {
        guard !positions.isEmpty else { return [] }
        return try await database.run(
            """
            SELECT position, repository, kind, digest, tag, tags, pushed_by, pulls, last_pull FROM metadata_change
            WHERE position = ANY(\(positions)) ORDER BY position
            """
        ).map(Self.change)
    }

    /// A row of `SELECT position, repository, kind, digest, tag, tags, pushed_by, pulls, last_pull`.
    private static func change(_ row: PostgresRow) throws -> MetadataChange {
        let (position, repository, kind, digest, tag, tags, pushedBy, pulls, lastPull) = try row.decode(
            (Int64, String, String, String?, String?, [String], String, Int64?, Double?).self)
        let change: MetadataChange.Kind
        switch (kind, digest, tag) {
        case ("stored", let digest?, _): change = .stored(try Digest(parsing: digest), tags: tags, pushedBy: pushedBy)
        case ("manifestDeleted", let digest?, _): change = .manifestDeleted(try Digest(parsing: digest))
        case ("tagDeleted", _, let tag?): change = .tagDeleted(tag)
        case ("pulled", let digest?, _):
            change = .pulled(try Digest(parsing: digest), count: Int(pulls ?? 0), last: lastPull ?? 0)
        default: change = .collected
        }
        return MetadataChange(position: position, repository: repository, kind: change)
    }

    public func changeBounds() async throws -> (oldest: Int64?, latest: Int64) {
        guard let row = try await database.run("SELECT min(position), max(position) FROM metadata_change").first else {
            return (nil, 0)
        }
        let (oldest, latest) = try row.decode((Int64?, Int64?).self)
        return (oldest, latest ?? 0)
    }

    public func recordPulls(_ pulls: [ImagePulls]) async throws {
        guard !pulls.isEmpty else { return }
        try await database.run(
            """
            INSERT INTO metadata_change (changed_at, repository, kind, digest, pulls, last_pull)
            SELECT \(Self.now), repository, 'pulled', digest, pulls, last_pull
            FROM unnest(\(pulls.map(\.repository))::text[], \(pulls.map(\.digest.description))::text[],
                        \(pulls.map { Int64($0.count) })::bigint[], \(pulls.map(\.last))::double precision[])
                AS pulled(repository, digest, pulls, last_pull)
            """)
    }

    public func pruneChanges(before cutoff: Double) async throws {
        try await database.run("DELETE FROM metadata_change WHERE changed_at < \(cutoff)")
    }
}
