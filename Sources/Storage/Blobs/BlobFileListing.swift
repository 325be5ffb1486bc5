/// Lists the blob files a backend holds, whatever the metadata says about them: the orphan sweep compares
/// the two. A capability apart from `BlobStore`, as `MetadataInventory` is apart from `MetadataStore`: a
/// backend that cannot list cheaply need not offer it, and then has no orphan sweep.
public protocol BlobFileListing: Sendable {
    /// Calls `visit` with the blob files last modified before `cutoff` (seconds since the epoch), one shard
    /// (a directory of blobs) at a time, so that a store of millions of blobs is never listed whole in memory.
    /// Files whose name is not a digest are not listed: the sweep removes nothing it cannot name.
    func forEachBlobFileShard(modifiedBefore cutoff: Double, _ visit: ([Digest]) async throws -> Void) async throws
    /// When blob `digest`'s file was last modified (seconds since the epoch); nil when there is no file.
    func modificationTime(of digest: Digest) async throws -> Double?
}
