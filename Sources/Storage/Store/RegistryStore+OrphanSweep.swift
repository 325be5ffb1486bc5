extension RegistryStore {
    /// Removes blob files that no metadata row knows and that were last modified before `cutoff` (seconds
    /// since the epoch); returns how many went.
    ///
    /// Such a file is left by a kill between a verified upload's rename into `blobs/` and the insert of its
    /// row: harmless, since nothing can reach it, but wasted space. A younger file may belong to a push in
    /// progress, so the cutoff is GC's delay. Each removal happens under the digest's lock, the one a commit
    /// holds across rename and insert, after asking the metadata again: a concurrent push of the same digest
    /// either committed before (a row now exists, the file stays) or commits after (its own rename puts the
    /// file back).
    /// - Returns: 0 when the blob store cannot list its files or the metadata cannot be listed.
    public func removeOrphanBlobFiles(modifiedBefore cutoff: Double) async throws -> Int {
        guard let listing = blobs as? any BlobFileListing, let inventory = metadata as? any MetadataInventory else {
            return 0
        }
        var removed = 0
        try await listing.forEachBlobFileShard(modifiedBefore: cutoff) { digests in
            let recorded = try await inventory.recordedBlobs(among: digests)
            for digest in digests where !recorded.contains(digest) {
                try Task.checkCancellation()
                let gone = try await withDigestLock(digest) {
                    guard try await metadata.blobSize(digest) == nil,
                        let modified = try await listing.modificationTime(of: digest), modified < cutoff
                    else { return false }
                    try await blobs.delete(digest)
                    return true
                }
                if gone { removed += 1 }
            }
        }
        return removed
    }
}
