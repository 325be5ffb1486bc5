extension InMemoryMetadataStore {
    /// The first link records the blob's size and age; later ones only refresh the link (`ON CONFLICT(digest)
    /// DO NOTHING`).
    public func linkBlob(_ digest: Digest, size: Int64, to repository: RepositoryName) async throws {
        let now = Self.now
        tables.withLock { $0.insertLink(digest, size: size, in: repository, at: now) }
    }

    public func repositoriesLinking(_ digest: Digest) throws -> [RepositoryName] {
        tables.withLock { tables in
            tables.links.filter { $0.value[digest] != nil }.map(\.key).sorted { $0.value < $1.value }
        }
    }

    public func mountBlob(_ digest: Digest, from source: RepositoryName, to repository: RepositoryName) async throws
        -> Bool
    {
        let now = Self.now
        return tables.withLock { tables in
            guard tables.links[source]?[digest] != nil else { return false }
            tables.upsertLink(digest, in: repository, at: now)
            return true
        }
    }

    public func blobSize(_ digest: Digest, in repository: RepositoryName) throws -> Int64? {
        tables.withLock { tables in
            guard tables.links[repository]?[digest] != nil else { return nil }
            return tables.blobs[digest]?.size
        }
    }

    public func blobSize(_ digest: Digest) throws -> Int64? {
        tables.withLock { $0.blobs[digest]?.size }
    }

    public func storageBytes(in repository: RepositoryName) throws -> Int64 {
        tables.withLock { tables in
            let blobs = (tables.links[repository] ?? [:]).keys.reduce(Int64(0)) { $0 + (tables.blobs[$1]?.size ?? 0) }
            let manifests = (tables.manifests[repository] ?? [:]).values.reduce(Int64(0)) { $0 + Int64($1.content.count) }
            return blobs + manifests
        }
    }

    public func unlinkBlob(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        tables.withLock { $0.removeLink(digest, from: repository) }
    }
}
