import NIOCore
import Synchronization

/// Blobs and staging files in memory: the backend tests run without a disk, and the second implementation the
/// blob store conformance suite holds `LocalBlobStore` to.
///
/// It answers as the local backend does, case by case, including on unknown ids (see each method). It keeps no
/// local files, so `openFile` is always nil and servers stream blobs through `read`. All state sits behind one
/// lock: this store is for tests and reference, never for serving a registry.
public final class InMemoryBlobStore: BlobStore {
    let files = Mutex(InMemoryFiles())
    /// The local backend's read size, so that consumers see the same chunking from both.
    private let readChunkLength: Int64 = 1 << 20

    public init() {}

    public func size(of digest: Digest) async throws -> Int64? {
        files.withLock { $0.blob(digest).map { Int64($0.bytes.count) } }
    }

    /// Reads what the blob held when the read began, as an open file does when the blob is deleted meanwhile.
    /// An unknown blob fails with `StorageError.io`, as a file that vanished does.
    public func read(
        _ digest: Digest,
        range: ClosedRange<Int64>,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        guard let bytes = files.withLock({ $0.blob(digest)?.bytes }) else {
            throw StorageError.io("blob \(digest) vanished while being read")
        }
        try await stream(bytes, range: range, name: "blob \(digest)", into: consume)
    }

    public func delete(_ digest: Digest) async throws {
        files.withLock { $0.removeBlob(digest) }
    }

    public func openUpload(_ id: String) async throws -> any UploadFile {
        InMemoryUploadFile(store: self, node: files.withLock { $0.openUpload(id) }, id: id)
    }

    public func stagedSize(ofUpload id: String) async throws -> Int64? {
        files.withLock { $0.upload(id).map { Int64($0.bytes.count) } }
    }

    /// An unknown upload streams nothing and is no error, like an empty one.
    public func readUpload(_ id: String, into consume: (ByteBuffer) async throws -> Void) async throws {
        guard let bytes = files.withLock({ $0.upload(id)?.bytes }), !bytes.isEmpty else { return }
        try await stream(bytes, range: 0...Int64(bytes.count - 1), name: "upload \(id)", into: consume)
    }

    /// An unknown upload fails with `StorageError.io`, as a vanished staging file does.
    public func readUpload(_ id: String, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    {
        guard let bytes = files.withLock({ $0.upload(id)?.bytes }) else {
            throw StorageError.io("upload \(id) vanished while being read")
        }
        try await stream(bytes, range: range, name: "upload \(id)", into: consume)
    }

    /// As the local backend: a stored blob of the staged size is kept and the staged copy dropped (content
    /// addressing makes it redundant; the size check is all the local one does), a stored blob of another size
    /// is replaced, and an unknown upload fails with `StorageError.io` unless an empty blob is already stored.
    /// `durable` changes nothing: there is nothing to flush.
    public func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws {
        try files.withLock { files throws(StorageError) in
            if let existing = files.blob(digest), existing.bytes.count == files.upload(id)?.bytes.count ?? 0 {
                files.removeUpload(id)
                return
            }
            guard files.moveUpload(id, toBlob: digest) else { throw .io("upload \(id) has no staged bytes to commit") }
        }
    }

    /// As the local backend, with the file's bytes read into memory rather than linked.
    public func adoptLocalFile(at path: String, as digest: Digest, durable: Bool) async throws -> AdoptedFile {
        let fileSize = try POSIXFile.size(path)
        if let stored = try await size(of: digest), stored == fileSize { return AdoptedFile(size: stored, hashed: false) }
        guard let bytes = try POSIXFile.readWhole(path, limit: .max) else { throw StorageError.io("\(path) does not exist") }
        var hasher = ContentHasher(digest.algorithm)
        hasher.update(bytes)
        let actual = hasher.finalize()
        guard actual == digest else { throw StorageError.digestMismatch(expected: digest, actual: actual) }
        let id = RegistryStore.sessionlessUploadID()
        try files.withLock { files throws(StorageError) in
            try files.write(ByteBuffer(bytes: bytes), at: 0, to: files.openUpload(id))
        }
        try await commitUpload(id, as: digest, durable: durable)
        return AdoptedFile(size: Int64(bytes.count), hashed: true)
    }

    public func deleteUpload(_ id: String) async throws {
        files.withLock { $0.removeUpload(id) }
    }

    /// In id order; the local backend lists them in directory order, which promises none.
    public func stagedUploadIDs() async throws -> [String] {
        files.withLock { $0.uploads.keys.sorted() }
    }

    /// One chunk at a time, each cut only once the consumer took the previous one, as the local backend reads.
    /// A range past the end fails with `StorageError.io` once the bytes before the end are consumed.
    private func stream(
        _ bytes: [UInt8],
        range: ClosedRange<Int64>,
        name: String,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        guard range.lowerBound >= 0 else { throw StorageError.io("\(name): read at negative offset \(range.lowerBound)") }
        let size = Int64(bytes.count)
        var offset = range.lowerBound
        // Inclusive bounds throughout, so that a range ending at Int64.max cannot overflow.
        while offset <= range.upperBound {
            let last = min(offset + min(range.upperBound - offset, readChunkLength - 1), size - 1)
            guard last >= offset else {
                throw StorageError.io("\(name) is shorter than recorded (\(size) bytes, read up to byte \(range.upperBound))")
            }
            try await consume(ByteBuffer(bytes: bytes[Int(offset)...Int(last)]))
            offset = last + 1
        }
    }
}
