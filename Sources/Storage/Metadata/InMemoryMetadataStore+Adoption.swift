extension InMemoryMetadataStore {
    /// All or nothing, as the SQLite transaction: the tables are changed on a copy that replaces them only
    /// when every manifest went in.
    public func adopt(_ adoption: RepositoryAdoption) async throws {
        let now = Self.now
        try tables.withLock { tables throws(StorageError) in
            var changed = tables
            for blob in adoption.blobs {
                changed.insertLink(blob.digest, size: blob.size, in: adoption.repository, at: now)
            }
            for entry in adoption.manifests {
                try changed.insertManifest(entry.manifest, tags: entry.tags)
            }
            if let layoutDigest = adoption.layoutDigest {
                changed.adoptedLayouts[adoption.repository] = layoutDigest
            }
            tables = changed
        }
    }

    public func adoptedLayouts() throws -> [RepositoryName: Digest] {
        tables.withLock { $0.adoptedLayouts }
    }
}
