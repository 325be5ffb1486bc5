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
    /// Streams `range` of the bytes staged for upload `id`, for a reader following it as it is written.
    /// - Throws: `StorageError.io` when there is no such staging file (any more) or it is shorter.
    func readUpload(_ id: String, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    /// Moves the staged file into place as blob `digest`. When the blob is already stored
    /// the staged copy is dropped. With `durable`, data and directory are fsynced first.
    func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws
    /// Makes the local file at `path` blob `digest` once its bytes hash to it, sharing them where the backend
    /// can (a hard link on local disk) and never changing the file: how another registry's files are adopted.
    /// A blob already stored with the file's size is kept as it is, unhashed (it was verified when stored).
    /// - Throws: `StorageError.digestMismatch` when the content is not `digest`; nothing is then left behind.
    func adoptLocalFile(at path: String, as digest: Digest, durable: Bool) async throws -> AdoptedFile
    /// Discards the staging file of upload `id`.
    func deleteUpload(_ id: String) async throws
    /// Ids of every staging file, for garbage collection of abandoned uploads.
    func stagedUploadIDs() async throws -> [String]
}

/// What `BlobStore.adoptLocalFile` did with a file.
public struct AdoptedFile: Sendable, Equatable {
    public var size: Int64
    /// False when a verified copy was already stored and the file was not read.
    public var hashed: Bool
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
