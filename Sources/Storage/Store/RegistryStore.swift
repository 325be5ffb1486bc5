import Foundation
import NIOCore

/// The registry's storage as one API: blobs, uploads, manifests, tags, referrers and GC.
///
/// Every operation is atomic on its own, so callers (the HTTP layer) never lock. Shared
/// state is scoped: upload progress per upload, commit and deletion of a blob file per
/// digest, and metadata changes in one short database transaction each.
public struct RegistryStore: Sendable {
    /// Reached only through the store's own API, so that every operation stays atomic whatever the backend.
    let blobs: any BlobStore
    let metadata: any MetadataStore
    /// With `storage.commit`, data and directories are fsynced before a push is acknowledged.
    public let durable: Bool
    /// Every upload session's claim, progress, waiters and quota slot (see `UploadSessions`).
    let sessions = UploadSessions()
    /// Which requests stage through large buffers (see `StagingBufferSizes`).
    let stagingBufferSizes = StagingBufferSizes()
    /// Taken only through `withDigestLock`.
    private let digestLocks = KeyedLock<Digest>()

    public init(blobs: any BlobStore, metadata: any MetadataStore, durable: Bool) {
        self.blobs = blobs
        self.metadata = metadata
        self.durable = durable
    }

    /// Runs `body` holding `digest`'s lock: in this process, and across every process sharing the metadata.
    /// A blob's commit, its collection, the orphan sweep and adoption take it, so that none of them sees the
    /// blob's file and its metadata row disagree halfway through another.
    func withDigestLock<T: Sendable>(_ digest: Digest, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await digestLocks.withLock(digest) {
            guard let sharedMetadata else { return try await body() }
            return try await sharedMetadata.withLock("blob \(digest)", body)
        }
    }

    /// The metadata when several replicas share it, for the modules that keep their own tables beside it.
    public var sharedMetadata: (any SharedMetadata)? { metadata as? any SharedMetadata }

    /// The changes of metadata several replicas share, for what each derives from it; nil when alone.
    public var changeFeed: (any MetadataChangeFeed)? { metadata as? any MetadataChangeFeed }

    /// Runs a background pass that every replica schedules every `interval`: with metadata shared between
    /// replicas, only when no other replica runs it now or began it lately (`SharedMetadata.runOnce`); alone,
    /// always. nil when skipped.
    public func runOnceAcrossReplicas<T: Sendable>(
        _ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        guard let sharedMetadata else { return try await body() }
        return try await sharedMetadata.runOnce(name, every: interval, body)
    }

    /// Local disk for blobs and SQLite for metadata, both under `root/_zotd` (moved there first from where an
    /// older zotd kept them, see `moveLegacyLayout`).
    public static func local(root: String, durable: Bool) throws -> RegistryStore {
        let layout = BlobLayout(root: root)
        _ = try LegacyLayoutMove.run(layout)
        let blobs = try LocalBlobStore(layout: layout)
        let metadata = try SQLiteMetadataStore(path: layout.databasePath, durable: durable)
        return RegistryStore(blobs: blobs, metadata: metadata, durable: durable)
    }

    /// Moves the files an older zotd kept at the top of `root` into `_zotd/`, where they no longer take names
    /// a zot repository may have; `local` does it too, this says what moved, for the log.
    /// - Returns: the names moved; empty when there was nothing to move.
    public static func moveLegacyLayout(root: String) throws -> [String] {
        try LegacyLayoutMove.run(BlobLayout(root: root))
    }

    static var now: Double { Date().timeIntervalSince1970 }
}

/// Where a blob's bytes come from: a stored file, or a manifest's own bytes (manifests are
/// blobs too, and clients may fetch them through the blob endpoints).
public enum BlobSource: Sendable {
    case stored(size: Int64)
    case inline([UInt8])

    public var size: Int64 {
        switch self {
        case .stored(let size): size
        case .inline(let bytes): Int64(bytes.count)
        }
    }
}

extension RegistryStore {
    /// The blob as `repository` sees it, or nil when the repository has no such blob.
    public func blob(_ digest: Digest, in repository: RepositoryName) async throws -> BlobSource? {
        if let size = try await metadata.blobSize(digest, in: repository) {
            return .stored(size: size)
        }
        if let manifest = try await metadata.manifest(.digest(digest), in: repository) {
            return .inline(manifest.content)
        }
        return nil
    }

    /// Streams `range` of a stored blob.
    public func readBlob(
        _ digest: Digest,
        range: ClosedRange<Int64>,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        try await blobs.read(digest, range: range, into: consume)
    }

    /// Bytes `repository` holds: the blobs it sees plus its manifests.
    public func storageBytes(in repository: RepositoryName) async throws -> Int64 {
        try await metadata.storageBytes(in: repository)
    }

    /// Throws when the stored blob's bytes no longer have the size recorded when it was committed (a truncated
    /// or missing file): damage is to be reported before a response's headers go out, not served.
    public func checkStoredSize(of digest: Digest, recorded: Int64) async throws {
        guard try await blobs.size(of: digest) == recorded else {
            throw StorageError.io("blob \(digest) on disk does not have its recorded size \(recorded)")
        }
    }

    /// A stored blob's open file, when the blob store keeps local files (see `BlobStore.openFile`).
    public func openBlobFile(_ digest: Digest) async throws -> OpenBlobFile? {
        try await blobs.openFile(digest)
    }

    /// Cross-repository mount: no bytes move, the target repository gains a link.
    /// - Returns: false when `source` does not have the blob (the caller then starts an upload).
    /// The repositories that hold the blob.
    public func repositories(holding digest: Digest) async throws -> [RepositoryName] {
        try await metadata.repositoriesLinking(digest)
    }

    public func mountBlob(_ digest: Digest, from source: RepositoryName, to repository: RepositoryName) async throws
        -> Bool
    {
        try await metadata.mountBlob(digest, from: source, to: repository)
    }

    /// Removes the repository's link; the bytes go when GC finds no link left.
    public func deleteBlob(_ digest: Digest, in repository: RepositoryName) async throws {
        guard try await metadata.unlinkBlob(digest, from: repository) else { throw StorageError.blobUnknown(digest) }
    }
}
