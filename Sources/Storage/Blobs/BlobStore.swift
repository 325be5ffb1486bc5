import NIOCore

/// Where blob bytes live: content-addressed blobs plus a staging area for uploads.
///
/// The seam between zotd and a storage backend (local disk now, object storage later).
/// It stores bytes only; which repository may see which blob is the metadata store's job.
/// - Important: `commitUpload` is the only way a blob becomes visible, and it is atomic:
///   a reader sees the whole verified blob or nothing.
public protocol BlobStore: Sendable {
    /// The blob's size, or nil when it is not stored.
    func size(of digest: Digest) async throws -> Int64?
    /// Streams `range` of the blob to `consume`, in chunks of bounded size.
    func read(
        _ digest: Digest,
        range: ClosedRange<Int64>,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws
    /// The blob as an open local file, for servers that hand files to the kernel (`sendfile`);
    /// nil when the blob is not stored or the store keeps no local files.
    func openFile(_ digest: Digest) async throws -> OpenBlobFile?
    /// Removes the blob; removing one that is absent is not an error.
    func delete(_ digest: Digest) async throws

    /// Opens the staging file of upload `id`, creating it empty when absent.
    func openUpload(_ id: String) async throws -> any UploadFile
    /// Bytes staged for upload `id`, or nil when there is no such staging file.
    func stagedSize(ofUpload id: String) async throws -> Int64?
    /// Streams the staged bytes of upload `id` from the start, to re-hash them after a restart.
    func readUpload(_ id: String, into consume: (ByteBuffer) async throws -> Void) async throws
    /// Moves the staged file into place as blob `digest`. When the blob is already stored
    /// the staged copy is dropped. With `durable`, data and directory are fsynced first.
    func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws
    /// Stages the local file at `path` as upload `id`'s bytes, without copying them where the backend can (a
    /// hard link on local disk): how another registry's files are adopted. The file itself is never changed.
    func stageLocalFile(at path: String, asUpload id: String) async throws
    /// Discards the staging file of upload `id`.
    func deleteUpload(_ id: String) async throws
    /// Ids of every staging file, for garbage collection of abandoned uploads.
    func stagedUploadIDs() async throws -> [String]
}

/// A stored blob's file, opened for reading. The receiver owns `descriptor` and must close it.
public struct OpenBlobFile: Sendable {
    public let descriptor: Int32
    /// The size of the open file (fstat), which a reader of `descriptor` will find even if the
    /// blob is deleted meanwhile.
    public let size: Int64
}

extension BlobStore {
    public func openFile(_ digest: Digest) async throws -> OpenBlobFile? { nil }
}

/// An open staging file of one upload. Writes are positional so that a failed chunk can
/// be rolled back with `truncate`.
public protocol UploadFile: Sendable {
    func write(_ buffer: ByteBuffer, at offset: Int64) async throws
    func truncate(to size: Int64) async throws
    func close() async throws
}
