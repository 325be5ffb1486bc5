import PostgresNIO
import Storage

extension PostgresMetadataStore {
    public func linkBlob(_ digest: Digest, size: Int64, to repository: RepositoryName) async throws {
        let now = Self.now
        try await database.transaction { transaction in
            try await Self.insertLink(transaction, digest: digest, size: size, repository: repository, at: now)
        }
    }

    public func mountBlob(_ digest: Digest, from source: RepositoryName, to repository: RepositoryName) async throws
        -> Bool
    {
        let now = Self.now
        return try await database.transaction { transaction in
            let linked = try await transaction.run(
                "SELECT 1 FROM blob_link WHERE repository = \(source.value) AND digest = \(digest.description)")
            guard !linked.isEmpty else { return false }
            try await Self.upsertLink(transaction, digest: digest, repository: repository, at: now)
            return true
        }
    }

    public func repositoriesLinking(_ digest: Digest) async throws -> [RepositoryName] {
        try await database.run("SELECT repository FROM blob_link WHERE digest = \(digest.description) ORDER BY repository")
            .compactMap { try? RepositoryName(parsing: try $0.decode(String.self)) }
    }

    public func blobSize(_ digest: Digest, in repository: RepositoryName) async throws -> Int64? {
        try await database.execute(LinkedBlobSize(repository: repository.value, key: digest.description)).first
    }

    public func blobSize(_ digest: Digest) async throws -> Int64? {
        try await database.run("SELECT size FROM blob WHERE digest = \(digest.description)").first?.decode(Int64.self)
    }

    public func storageBytes(in repository: RepositoryName) async throws -> Int64 {
        try await database.run(
            """
            SELECT (SELECT COALESCE(SUM(b.size), 0) FROM blob_link l JOIN blob b ON b.digest = l.digest
                    WHERE l.repository = \(repository.value))::bigint
                 + (SELECT COALESCE(SUM(octet_length(content)), 0) FROM manifest WHERE repository = \(repository.value))::bigint
            """
        ).first?.decode(Int64.self) ?? 0
    }

    public func unlinkBlob(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await database.transaction { transaction in
            try await !transaction.run(
                """
                DELETE FROM blob_link WHERE repository = \(repository.value) AND digest = \(digest.description)
                RETURNING 1
                """
            ).isEmpty
        }
    }

    /// The first link records the blob's size and age; later ones only refresh the link.
    static func insertLink(
        _ transaction: SharedPostgresDatabase.Transaction, digest: Digest, size: Int64, repository: RepositoryName, at time: Double
    ) async throws {
        try await transaction.run(
            """
            INSERT INTO blob(digest, size, created_at) VALUES (\(digest.description), \(size), \(time))
            ON CONFLICT (digest) DO NOTHING
            """)
        try await upsertLink(transaction, digest: digest, repository: repository, at: time)
    }

    /// A fresh link time restarts the grace period that protects a blob pushed ahead of its manifest.
    static func upsertLink(_ transaction: SharedPostgresDatabase.Transaction, digest: Digest, repository: RepositoryName, at time: Double)
        async throws
    {
        try await transaction.run(
            """
            INSERT INTO blob_link(repository, digest, linked_at) VALUES (\(repository.value), \(digest.description), \(time))
            ON CONFLICT (repository, digest) DO UPDATE SET linked_at = excluded.linked_at
            """)
    }
}
