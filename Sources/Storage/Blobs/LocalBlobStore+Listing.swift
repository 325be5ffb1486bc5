#if canImport(Glibc)
import Glibc
#endif

extension LocalBlobStore: BlobFileListing {
    public func forEachBlobFileShard(
        modifiedBefore cutoff: Double, _ visit: ([Digest]) async throws -> Void
    ) async throws {
        for algorithm in DigestAlgorithm.allCases {
            let algorithmDirectory = "\(layout.blobsDirectory)/\(algorithm.rawValue)"
            let shards = try await blocking { () throws(StorageError) in
                try POSIXFile.listDirectory(algorithmDirectory).sorted()
            }
            for shard in shards {
                let directory = "\(algorithmDirectory)/\(shard)"
                let digests = try await blocking { () throws(StorageError) in
                    var digests: [Digest] = []
                    for name in try POSIXFile.listDirectory(directory).sorted() {
                        // Only `<hex>` files in their own `<first two hex digits>` shard are blobs.
                        guard let digest = try? Digest(parsing: "\(algorithm.rawValue):\(name)"),
                            digest.encoded.hasPrefix(shard),
                            let modified = try Self.regularFileModificationTime("\(directory)/\(name)"),
                            modified < cutoff
                        else { continue }
                        digests.append(digest)
                    }
                    return digests
                }
                if !digests.isEmpty { try await visit(digests) }
            }
        }
    }

    public func modificationTime(of digest: Digest) async throws -> Double? {
        let path = layout.blobPath(digest)
        return try await blocking { () throws(StorageError) in try Self.regularFileModificationTime(path) }
    }

    /// `lstat`'s modification time of a regular file; nil when absent or not a regular file (a symlink or
    /// directory someone put there is not a blob).
    private static func regularFileModificationTime(_ path: String) throws(StorageError) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw POSIXFile.failure("lstat", path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }
}
