extension InMemoryBlobStore: BlobFileListing {
    /// Shards as the local backend's directories: per algorithm, then per first two hex digits, in that
    /// order, each listed when it is visited rather than all at once.
    public func forEachBlobFileShard(
        modifiedBefore cutoff: Double, _ visit: ([Digest]) async throws -> Void
    ) async throws {
        for algorithm in DigestAlgorithm.allCases {
            let shards = files.withLock { files in
                Set(files.blobs.keys.filter { $0.algorithm == algorithm }.map { String($0.encoded.prefix(2)) }).sorted()
            }
            for shard in shards {
                let digests = files.withLock { files in
                    files.blobs.keys.filter { digest in
                        guard digest.algorithm == algorithm, digest.encoded.hasPrefix(shard),
                            let modified = files.blob(digest)?.modifiedAt
                        else { return false }
                        return modified < cutoff
                    }.sorted()
                }
                if !digests.isEmpty { try await visit(digests) }
            }
        }
    }

    public func modificationTime(of digest: Digest) async throws -> Double? {
        files.withLock { $0.blob(digest)?.modifiedAt }
    }
}
