import GRDB

extension SQLiteMetadataStore {
    public func linkBlob(_ digest: Digest, size: Int64, to repository: RepositoryName) async throws {
        let now = Self.now
        try await write { db in try Self.insertLink(db, digest: digest, size: size, repository: repository, at: now) }
    }

    public func mountBlob(_ digest: Digest, from source: RepositoryName, to repository: RepositoryName) async throws
        -> Bool
    {
        let now = Self.now
        return try await write { db in
            let linked = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM blob_link WHERE repository = ? AND digest = ?"),
                arguments: [source.value, digest.description]
            ) ?? false
            guard linked else { return false }
            try Self.upsertLink(db, digest: digest, repository: repository, at: now)
            return true
        }
    }

    public func repositoriesLinking(_ digest: Digest) throws -> [RepositoryName] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT repository FROM blob_link WHERE digest = ? ORDER BY repository"),
                arguments: [digest.description]
            ).compactMap { try? RepositoryName(parsing: $0) }
        }
    }

    public func blobSize(_ digest: Digest, in repository: RepositoryName) throws -> Int64? {
        try readStatement { db in
            try Int64.fetchOne(
                db.cachedStatement(
                    sql: "SELECT b.size FROM blob_link l JOIN blob b ON b.digest = l.digest WHERE l.repository = ? AND l.digest = ?"
                ),
                arguments: [repository.value, digest.description]
            )
        }
    }

    public func blobSize(_ digest: Digest) throws -> Int64? {
        try read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT size FROM blob WHERE digest = ?"),
                arguments: [digest.description]
            )
        }
    }

    public func storageBytes(in repository: RepositoryName) throws -> Int64 {
        try read { db in
            try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT (SELECT COALESCE(SUM(b.size), 0) FROM blob_link l JOIN blob b ON b.digest = l.digest
                                WHERE l.repository = ?1)
                             + (SELECT COALESCE(SUM(length(content)), 0) FROM manifest WHERE repository = ?1)
                        """
                ),
                arguments: [repository.value]
            ) ?? 0
        }
    }

    public func unlinkBlob(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM blob_link WHERE repository = ? AND digest = ?")
                .execute(arguments: [repository.value, digest.description])
            return db.changesCount > 0
        }
    }

    /// The first link records the blob's size and age; later ones only refresh the link.
    static func insertLink(_ db: Database, digest: Digest, size: Int64, repository: RepositoryName, at time: Double)
        throws
    {
        try db.cachedStatement(
            sql: "INSERT INTO blob(digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT(digest) DO NOTHING"
        ).execute(arguments: [digest.description, size, time])
        try upsertLink(db, digest: digest, repository: repository, at: time)
    }

    /// A fresh link time restarts the grace period that protects a blob pushed ahead of its manifest.
    static func upsertLink(_ db: Database, digest: Digest, repository: RepositoryName, at time: Double) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO blob_link(repository, digest, linked_at) VALUES (?, ?, ?)
                ON CONFLICT(repository, digest) DO UPDATE SET linked_at = excluded.linked_at
                """
        ).execute(arguments: [repository.value, digest.description, time])
    }
}
