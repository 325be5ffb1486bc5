/// What one garbage collection removed.
public struct GarbageReport: Sendable, Equatable {
    public var manifestsDeleted = 0
    public var linksDeleted = 0
    public var blobsDeleted = 0
    public var uploadsDeleted = 0
    /// Blob files no metadata row knew (a kill between rename and insert), removed by the orphan sweep.
    public var orphanFilesDeleted = 0

    public init(
        manifestsDeleted: Int = 0, linksDeleted: Int = 0, blobsDeleted: Int = 0, uploadsDeleted: Int = 0,
        orphanFilesDeleted: Int = 0
    ) {
        self.manifestsDeleted = manifestsDeleted
        self.linksDeleted = linksDeleted
        self.blobsDeleted = blobsDeleted
        self.uploadsDeleted = uploadsDeleted
        self.orphanFilesDeleted = orphanFilesDeleted
    }
}

extension RegistryStore {
    /// Removes what nothing live references and that is older than `delay` seconds: untagged
    /// manifests nothing points at, blob links no manifest uses, blobs no repository links,
    /// uploads idle for longer than `delay`, and blob files the metadata does not know at all
    /// (`removeOrphanBlobFiles`).
    ///
    /// Runs online: the decisions are made in one metadata transaction, and each file is
    /// removed under its digest's lock after re-checking that nothing linked it meanwhile.
    public func collectGarbage(delay: Double) async throws -> GarbageReport {
        let candidates = try await metadata.collectGarbage(olderThan: Self.now - delay)
        var report = GarbageReport(
            manifestsDeleted: candidates.manifestsDeleted,
            linksDeleted: candidates.linksDeleted
        )
        report.blobsDeleted = try await removeUnlinkedBlobs(candidates.unlinkedBlobs)
        for id in candidates.staleUploads {
            // An upload being written right now is not stale, whatever its timestamp says.
            let removed = try await sessions.removeIfIdle(id) {
                try await blobs.deleteUpload(id)
                try await metadata.deleteUpload(id: id)
            }
            if removed { report.uploadsDeleted += 1 }
        }
        report.orphanFilesDeleted = try await removeOrphanBlobFiles(modifiedBefore: Self.now - delay)
        return report
    }

    /// Blobs removed at once by a collection. Each removal waits on round trips (the blob's lock and the
    /// database with shared metadata, a DELETE with S3): one pass over 1,000 blobs in S3 (radosgw on loopback,
    /// PostgreSQL) took 12.2 s one at a time (4,900 a minute), 5.9 to 8.8 s eight at a time (6,800 to 10,100).
    static let blobRemovalsAtOnce = 8

    /// Removes each blob that is still unlinked once its lock is held; returns how many went.
    private func removeUnlinkedBlobs(_ digests: [Digest]) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var removed = 0
            var pending = digests.makeIterator()
            func addNext() -> Bool {
                guard let digest = pending.next() else { return false }
                group.addTask {
                    try await withDigestLock(digest) {
                        guard try await metadata.forgetBlobIfUnlinked(digest) else { return false }
                        try await blobs.delete(digest)
                        return true
                    }
                }
                return true
            }
            for _ in 0..<Self.blobRemovalsAtOnce where !addNext() { break }
            while let gone = try await group.next() {
                if gone { removed += 1 }
                _ = addNext()
            }
            return removed
        }
    }
}
