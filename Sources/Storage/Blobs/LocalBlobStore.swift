#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Blobs as files on local disk, in the layout `BlobLayout` documents.
///
/// Blob files are immutable once renamed into place, so reads take no lock. Blocking
/// syscalls run on the NIO thread pool.
public struct LocalBlobStore: BlobStore {
    public let layout: BlobLayout
    private let threadPool: NIOThreadPool
    /// Size of the chunks a read hands to its consumer: large enough that per-chunk costs vanish.
    private let readChunkLength: Int64 = 1 << 20

    public init(layout: BlobLayout, threadPool: NIOThreadPool = .singleton) throws(StorageError) {
        self.layout = layout
        self.threadPool = threadPool
        try POSIXFile.makeDirectories(layout.stateDirectory)
        try POSIXFile.makeDirectory(layout.blobsDirectory)
        try POSIXFile.makeDirectory(layout.uploadsDirectory)
        for algorithm in DigestAlgorithm.allCases {
            try POSIXFile.makeDirectory("\(layout.blobsDirectory)/\(algorithm.rawValue)")
        }
    }

    public func size(of digest: Digest) async throws -> Int64? {
        let path = layout.blobPath(digest)
        return try await blocking { () throws(StorageError) in try POSIXFile.size(path) }
    }

    public func read(
        _ digest: Digest,
        range: ClosedRange<Int64>,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        try await readFile(layout.blobPath(digest), range: range, into: consume)
    }

    public func openFile(_ digest: Digest) async throws -> OpenBlobFile? {
        let path = layout.blobPath(digest)
        return try await blocking { () throws(StorageError) in
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { return nil }
                throw POSIXFile.failure("open", path)
            }
            do throws(StorageError) {
                return OpenBlobFile(descriptor: fd, size: try POSIXFile.size(of: fd, path: path))
            } catch {
                Glibc.close(fd)
                throw error
            }
        }
    }

    public func delete(_ digest: Digest) async throws {
        let path = layout.blobPath(digest)
        try await blocking { () throws(StorageError) in try POSIXFile.remove(path) }
    }

    public func openUpload(_ id: String) async throws -> any UploadFile {
        let path = layout.uploadPath(id)
        let descriptors = try await blocking { () throws(StorageError) in
            let buffered = try POSIXFile.open(path, flags: O_WRONLY | O_CREAT)
            // Without direct I/O every write goes through the page cache.
            return LocalUploadFile.Descriptors(buffered: buffered, direct: POSIXFile.openDirect(path, flags: O_WRONLY))
        }
        return LocalUploadFile(descriptors, path: path, threadPool: threadPool)
    }

    public func stagedSize(ofUpload id: String) async throws -> Int64? {
        let path = layout.uploadPath(id)
        return try await blocking { () throws(StorageError) in try POSIXFile.size(path) }
    }

    public func readUpload(_ id: String, into consume: (ByteBuffer) async throws -> Void) async throws {
        let path = layout.uploadPath(id)
        guard let size = try await blocking({ () throws(StorageError) in try POSIXFile.size(path) }), size > 0 else {
            return
        }
        try await readFile(path, range: 0...(size - 1), into: consume)
    }

    public func readUpload(_ id: String, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    {
        try await readFile(layout.uploadPath(id), range: range, into: consume)
    }

    public func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws {
        let staged = layout.uploadPath(id)
        try await blocking { () throws(StorageError) in try commitStaged(staged, as: digest, durable: durable) }
    }

    /// Renames the staged file into place (blocking; see `commitUpload`).
    private func commitStaged(_ staged: String, as digest: Digest, durable: Bool) throws(StorageError) {
        let directory = layout.blobDirectory(digest)
        let destination = layout.blobPath(digest)
        if let existing = try POSIXFile.size(destination), existing == (try POSIXFile.size(staged) ?? 0) {
            // Already stored: content addressing makes the staged copy redundant. A stored file of
            // another size is a leftover of a crash and gets replaced below.
            try POSIXFile.remove(staged)
            return
        }
        let isNewDirectory = try POSIXFile.size(directory) == nil
        try POSIXFile.makeDirectory(directory)
        if durable, isNewDirectory {
            // The new directory's own entry must survive a power cut too.
            try POSIXFile.syncDirectory("\(layout.blobsDirectory)/\(digest.algorithm.rawValue)")
        }
        if durable {
            let fd = try POSIXFile.open(staged, flags: O_RDONLY)
            defer { close(fd) }
            try POSIXFile.sync(fd, path: staged)
        }
        try POSIXFile.rename(staged, destination)
        if durable {
            try POSIXFile.syncDirectory(directory)
            try POSIXFile.syncDirectory(layout.uploadsDirectory)
        }
    }

    /// One job on the thread pool from link to rename: with staging, reading, hashing and committing each a job
    /// of their own, adopting 20,000 small blob files took 4.9 s, mostly in thread hand-offs; as one, 3.9 s
    /// (bench/adoption.py).
    /// A hard link shares the file's bytes and leaves it as it was: zotd never writes to a blob in place (a
    /// commit renames the staging name; a delete unlinks zotd's own name). Where the file system cannot link,
    /// the bytes are copied.
    public func adoptLocalFile(at path: String, as digest: Digest, durable: Bool) async throws -> AdoptedFile {
        let id = RegistryStore.sessionlessUploadID()
        return try await blocking { () throws(StorageError) in
            let destination = layout.blobPath(digest)
            if let stored = try POSIXFile.size(destination), stored == (try POSIXFile.size(path)) {
                return AdoptedFile(size: stored, hashed: false)
            }
            let staged = layout.uploadPath(id)
            if try !POSIXFile.hardLink(path, staged) { try POSIXFile.copy(path, staged) }
            do throws(StorageError) {
                let fd = try POSIXFile.open(staged, flags: O_RDONLY)
                defer { Glibc.close(fd) }
                var hasher = ContentHasher(digest.algorithm)
                var size: Int64 = 0
                while true {
                    let chunk = try POSIXFile.read(fd, Int(readChunkLength), at: size, path: staged)
                    guard chunk.readableBytes > 0 else { break }
                    hasher.update(chunk)
                    size += Int64(chunk.readableBytes)
                }
                let actual = hasher.finalize()
                guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
                try commitStaged(staged, as: digest, durable: durable)
                return AdoptedFile(size: size, hashed: true)
            } catch {
                try? POSIXFile.remove(staged)
                throw error
            }
        }
    }

    public func deleteUpload(_ id: String) async throws {
        let path = layout.uploadPath(id)
        try await blocking { () throws(StorageError) in try POSIXFile.remove(path) }
    }

    public func stagedUploadIDs() async throws -> [String] {
        let directory = layout.uploadsDirectory
        return try await blocking { () throws(StorageError) in try POSIXFile.listDirectory(directory) }
    }

    /// One chunk at a time, each read only once the consumer took the previous one: a reader ahead of
    /// a slow consumer (a TLS connection, a client that stopped reading) would hold megabytes for nothing.
    private func readFile(
        _ path: String,
        range: ClosedRange<Int64>,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        let fd = try await blocking { () throws(StorageError) in
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { throw StorageError.io("\(path) vanished while being read") }
                throw POSIXFile.failure("open", path)
            }
            return fd
        }
        defer { Glibc.close(fd) }
        let end = range.upperBound + 1
        var offset = range.lowerBound
        while offset < end {
            let (length, at) = (Int(min(readChunkLength, end - offset)), offset)
            let chunk = try await blocking { () throws(StorageError) in try POSIXFile.read(fd, length, at: at, path: path) }
            // A file shorter than recorded is damage: fail the response rather than end it early.
            guard chunk.readableBytes > 0 else {
                throw StorageError.io("\(path) is shorter than recorded (\(offset - range.lowerBound) of \(end - range.lowerBound) bytes)")
            }
            offset += Int64(chunk.readableBytes)
            try await consume(chunk)
        }
    }

    /// Runs a blocking syscall on this store's I/O thread pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(StorageError) -> T) async throws -> T {
        try await threadPool.runIfActive { try body() }
    }
}

/// A staging file held open for the duration of one request's writes.
///
/// Aligned writes (every full buffer of a `StagingWriter`) go to the device by direct I/O, the rest through
/// the page cache. Through the page cache, the kernel's copy into freshly allocated cache pages was the
/// largest cost of a push: 44–49 % of zotd's CPU samples on this 2-core VM, where a first touch of a page
/// is slow, and from 0.2 to 1.9 CPU-s per GiB from one run to the next. Direct I/O hands the device the
/// buffer itself; a blob just pushed is read from disk by its first pull, which is what a registry's
/// pushes, pulled later and elsewhere, want of the page cache anyway.
///
/// Closing is idempotent: a second close must never hit a descriptor number that the
/// kernel has meanwhile handed to another upload.
final class LocalUploadFile: UploadFile {
    struct Descriptors: Sendable {
        var buffered: Int32
        var direct: Int32?
    }

    private let descriptors: Mutex<Descriptors?>
    let path: String
    let threadPool: NIOThreadPool

    init(_ descriptors: Descriptors, path: String, threadPool: NIOThreadPool) {
        self.descriptors = Mutex(descriptors)
        self.path = path
        self.threadPool = threadPool
    }

    private var open: Descriptors {
        get throws(StorageError) {
            guard let open = descriptors.withLock({ $0 }) else { throw .io("\(path) used after close") }
            return open
        }
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) async throws {
        let (open, path, lent) = (try open, path, Handover(buffer))
        try await threadPool.runIfActive {
            let buffer = lent.take()
            if let direct = open.direct, POSIXFile.suitsDirectIO(buffer, at: offset),
                try POSIXFile.writeAllDirect(direct, buffer, at: offset, path: path)
            {
                return
            }
            try POSIXFile.writeAll(open.buffered, buffer, at: offset, path: path)
        }
    }

    func truncate(to size: Int64) async throws {
        let (fd, path) = (try open.buffered, path)
        try await threadPool.runIfActive { try POSIXFile.truncate(fd, to: size, path: path) }
    }

    func close() async throws {
        let closing = descriptors.withLock { open in
            defer { open = nil }
            return open
        }
        guard let closing else { return }
        try await threadPool.runIfActive {
            _ = Glibc.close(closing.buffered)
            if let direct = closing.direct { _ = Glibc.close(direct) }
        }
    }
}
