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
        for digest in candidates.unlinkedBlobs {
            let removed = try await withDigestLock(digest) {
                guard try await metadata.forgetBlobIfUnlinked(digest) else { return false }
                try await blobs.delete(digest)
                return true
            }
            if removed { report.blobsDeleted += 1 }
        }
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
}
