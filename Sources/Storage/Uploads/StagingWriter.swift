import NIOCore

/// Streams a request body into an upload's staging file while hashing it.
///
/// Bytes are gathered into large writes (one small write per network read halves the speed), and
/// the three costs of a push overlap: while one buffer is written on the I/O thread pool, the next
/// one is hashed and filled from the network. Done one after the other, each core idles much of the time.
///
/// Every full buffer is `writeSize` bytes at a file offset, and a memory address, that are multiples of
/// `alignment`, which lets the local store write it with direct I/O (see `LocalUploadFile`); only the last
/// buffer of a body, and the first after an upload resumed at an odd offset, are written through the
/// page cache.
///
/// `progress` (offset and hash) only ever covers bytes whose write succeeded; after a failed write
/// the file is truncated back to it, so the staged bytes and the hash always agree.
struct StagingWriter {
    /// Large enough that per-write costs vanish, small enough that 32 parallel pushes (two buffers each)
    /// stay within tens of MiB: 512 KiB pushes as fast as 1 MiB here, with 40 % less peak memory.
    static let writeSize = 1 << 19
    /// The block size direct I/O asks for on every device in use (512 or 4,096 bytes).
    static let alignment = 4096

    private(set) var progress: UploadSessions.Progress
    let file: any UploadFile
    /// `progress` plus the buffer whose write is in flight, when one is.
    private var issued: UploadSessions.Progress
    private var writing = false
    private var writeFailed = false
    private var spare: ByteBuffer?
    /// Hears the staged length after each write, for readers that follow the upload (`PassingBlob`).
    var onProgress: (@Sendable (Int64) -> Void)?

    init(progress: UploadSessions.Progress, file: any UploadFile) {
        self.progress = progress
        self.issued = progress
        self.file = file
    }

    /// Appends all of `body`. Returns the number of bytes appended. If the body fails midway
    /// (a dropped connection), what arrived before is kept and the error is rethrown.
    mutating func append<Body: AsyncSequence>(_ body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        let start = progress.offset
        try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            var pending = takeBuffer()
            var stop: (any Error)?
            do {
                for try await var chunk in body {
                    while chunk.readableBytes > 0 {
                        let room = fullLength - pending.readableBytes
                        guard chunk.readableBytes >= room else {
                            pending.writeBuffer(&chunk)
                            break
                        }
                        var filler = chunk.readSlice(length: room)!
                        pending.writeBuffer(&filler)
                        try await issue(pending, in: &group)
                        pending = takeBuffer()
                    }
                }
            } catch {
                stop = error
            }
            // What arrived is kept even when the body failed midway; after a failed write nothing more
            // is written, since the bytes after the failure point are gone.
            if !writeFailed {
                do {
                    if pending.readableBytes > 0 { try await issue(pending, in: &group) }
                    try await settle(&group)
                } catch {
                    stop = stop ?? error
                }
            }
            if let stop { throw stop }
        }
        return progress.offset - start
    }

    /// Hashes `buffer` while the previous write finishes, then starts writing it.
    private mutating func issue(_ buffer: ByteBuffer, in group: inout ThrowingTaskGroup<ByteBuffer, any Error>)
        async throws
    {
        var next = issued
        next.hasher.update(buffer)
        next.offset += Int64(buffer.readableBytes)
        try await settle(&group)
        let (file, offset) = (file, issued.offset)
        issued = next
        writing = true
        group.addTask {
            try await file.write(buffer, at: offset)
            return buffer
        }
    }

    /// Waits for the write in flight: on success its bytes join `progress`, on failure the file is
    /// cut back to `progress`.
    private mutating func settle(_ group: inout ThrowingTaskGroup<ByteBuffer, any Error>) async throws {
        guard writing else { return }
        writing = false
        do {
            if let written = try await group.next() { spare = written }
            progress = issued
            onProgress?(progress.offset)
        } catch {
            writeFailed = true
            issued = progress
            try? await file.truncate(to: progress.offset)
            throw error
        }
    }

    /// The length at which the buffer being filled is written: `writeSize`, or less to bring an upload that
    /// resumed at an odd offset back to aligned ones.
    private var fullLength: Int {
        Self.writeSize - Int(issued.offset % Int64(Self.alignment))
    }

    /// A written buffer is reused for the next one: fresh buffers cost page faults on every write. Its
    /// bytes start at an aligned address, with room for `writeSize` after it.
    private mutating func takeBuffer() -> ByteBuffer {
        var buffer = spare ?? ByteBufferAllocator().buffer(capacity: Self.writeSize + Self.alignment)
        spare = nil
        buffer.clear()
        let address = buffer.withVeryUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        let skip = (Self.alignment - address % Self.alignment) % Self.alignment
        buffer.moveWriterIndex(to: skip)
        buffer.moveReaderIndex(to: skip)
        return buffer
    }
}
