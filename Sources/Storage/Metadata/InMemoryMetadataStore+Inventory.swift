extension InMemoryMetadataStore: MetadataInventory {
    public func allBlobs() throws -> [(digest: Digest, size: Int64)] {
        tables.withLock { tables in tables.blobs.map { ($0.key, $0.value.size) }.sorted { $0.digest < $1.digest } }
    }

    /// Each digest's repositories in name order, as the SQLite store lists them.
    public func blobLinks() throws -> [Digest: [String]] {
        tables.withLock { tables in
            var links: [Digest: [String]] = [:]
            for repository in tables.links.keys.sorted() {
                for (digest, _) in tables.links[repository] ?? [:] {
                    links[digest, default: []].append(repository.value)
                }
            }
            return links
        }
    }

    /// In repository, then digest order.
    public func allManifests() throws -> [(repository: String, digest: String, mediaType: String, content: [UInt8])] {
        tables.withLock { tables in
            tables.manifests.keys.sorted().flatMap { repository in
                (tables.manifests[repository] ?? [:]).sorted { $0.key < $1.key }.map { digest, manifest in
                    (repository.value, digest.description, manifest.mediaType, manifest.content)
                }
            }
        }
    }

    public func recordedBlobs(among digests: [Digest]) throws -> Set<Digest> {
        tables.withLock { tables in Set(digests.filter { tables.blobs[$0] != nil }) }
    }
}
