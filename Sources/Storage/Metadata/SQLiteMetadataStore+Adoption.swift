import GRDB

extension SQLiteMetadataStore {
    /// One transaction per repository: adopting 10,000 images one statement-transaction at a time would
    /// commit 30,000 times (and fsync each with `storage.commit`).
    public func adopt(_ adoption: RepositoryAdoption) async throws {
        let now = Self.now
        try await write { db in
            for blob in adoption.blobs {
                try Self.insertLink(db, digest: blob.digest, size: blob.size, repository: adoption.repository, at: now)
            }
            for entry in adoption.manifests {
                try Self.insertManifest(db, entry.manifest, tags: entry.tags)
            }
            if let layoutDigest = adoption.layoutDigest {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO adopted_layout(repository, index_digest, adopted_at) VALUES (?, ?, ?)
                        ON CONFLICT(repository) DO UPDATE SET index_digest = excluded.index_digest,
                            adopted_at = excluded.adopted_at
                        """
                ).execute(arguments: [adoption.repository.value, layoutDigest.description, now])
            }
        }
    }

    public func adoptedLayouts() throws -> [RepositoryName: Digest] {
        try read { db in
            var layouts: [RepositoryName: Digest] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT repository, index_digest FROM adopted_layout")
            while let row = try rows.next() {
                layouts[try RepositoryName(parsing: row[0] as String)] = try Digest(parsing: row[1] as String)
            }
            return layouts
        }
    }
}
