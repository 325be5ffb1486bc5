import PostgresNIO
import Storage

extension PostgresMetadataStore {
    /// One transaction per repository, as in SQLite.
    public func adopt(_ adoption: RepositoryAdoption) async throws {
        let now = Self.now
        try await database.transaction(queue: Self.queue(adoption.repository)) { transaction in
            for blob in adoption.blobs {
                try await Self.insertLink(
                    transaction, digest: blob.digest, size: blob.size, repository: adoption.repository, at: now)
            }
            for entry in adoption.manifests {
                try await Self.insertManifest(transaction, entry.manifest, tags: entry.tags)
            }
            if let layoutDigest = adoption.layoutDigest {
                try await transaction.run(
                    """
                    INSERT INTO adopted_layout(repository, index_digest, adopted_at)
                    VALUES (\(adoption.repository.value), \(layoutDigest.description), \(now))
                    ON CONFLICT (repository) DO UPDATE SET index_digest = excluded.index_digest,
                        adopted_at = excluded.adopted_at
                    """)
            }
        }
    }

    public func adoptedLayouts() async throws -> [RepositoryName: Digest] {
        var layouts: [RepositoryName: Digest] = [:]
        for row in try await database.run("SELECT repository, index_digest FROM adopted_layout") {
            let (repository, digest) = try row.decode((String, String).self)
            layouts[try RepositoryName(parsing: repository)] = try Digest(parsing: digest)
        }
        return layouts
    }
}
