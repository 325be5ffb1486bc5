import PostgresMetadata
import PostgresNIO

/// Stars and bookmarks in the PostgreSQL database replicas share: one table of marks, a row per user,
/// repository and kind of mark.
struct PostgresUserPreferences: UserPreferences {
    let tables: PostgresTables

    init(database: SharedPostgresDatabase) {
        tables = PostgresTables(database, migrations: Self.migrations)
    }

    static let migrations = [
        PostgresMigration(
            "search.marks.v1",
            [
                """
                CREATE TABLE search_mark (
                    "user" text NOT NULL,
                    repository text COLLATE "C" NOT NULL,
                    mark text NOT NULL CHECK (mark IN ('star', 'bookmark')),
                    PRIMARY KEY ("user", mark, repository)
                )
                """,
                "CREATE INDEX search_mark_by_repository ON search_mark(repository) WHERE mark = 'star'",
            ]
        )
    ]

    func toggle(_ mark: UserMark, user: String, repository: String) async throws -> Bool {
        try await tables.ready().transaction { transaction in
            let cleared = try await transaction.run(
                """
                DELETE FROM search_mark WHERE "user" = \(user) AND mark = \(mark.rawValue) AND repository = \(repository)
                RETURNING 1
                """)
            guard cleared.isEmpty else { return false }
            try await transaction.run(
                #"INSERT INTO search_mark ("user", repository, mark) VALUES (\#(user), \#(repository), \#(mark.rawValue))"#)
            return true
        }
    }

    func repositories(_ mark: UserMark, user: String) async throws -> Set<String> {
        var marked = Set<String>()
        for row in try await tables.ready().run(
            #"SELECT repository FROM search_mark WHERE "user" = \#(user) AND mark = \#(mark.rawValue)"#)
        {
            marked.insert(try row.decode(String.self))
        }
        return marked
    }

    func starCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await tables.ready().run(
            "SELECT repository, count(*) FROM search_mark WHERE mark = 'star' GROUP BY repository")
        {
            let (repository, stars) = try row.decode((String, Int64).self)
            counts[repository] = Int(stars)
        }
        return counts
    }
}
