import NIOCore

/// Streams a request body into an upload's staging file while hashing it.
///
/// Bytes are gathered into large writes (one small write per network read halves the
/// speed), and the hash and the file advance together: after any failure both are rolled
/// back to the last write that succeeded, so the staged bytes and the hash always agree.
struct StagingWriter {
    static let writeSize = 1 << 20

    var progress: UploadProgressTable.Progress
    let file: any UploadFile
    private var pending: ByteBuffer

    init(progress: UploadProgressTable.Progress, file: any UploadFile) {
        self.progress = progress
        self.file = file
        self.pending = ByteBufferAllocator().buffer(capacity: Self.writeSize)
    }

    /// Appends all of `body`. Returns the number of bytes appended. If the body fails midway
    /// (a dropped connection), what arrived before is kept and the error is rethrown.
    mutating func append<Body: AsyncSequence>(_ body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        let start = progress.offset
        do {
            for try await chunk in body {
                if pending.readableBytes == 0, chunk.readableBytes >= Self.writeSize {
                    // A large chunk goes straight through without a copy.
                    try await write(chunk)
                    continue
                }
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= Self.writeSize { try await flush() }
            }
            try await flush()
        } catch {
            try? await flush()
            throw error
        }
        return progress.offset - start
    }

    private mutating func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        try await write(pending)
        pending.clear()
    }

    private mutating func write(_ buffer: ByteBuffer) async throws {
        let before = progress
        do {
            try await file.write(buffer, at: progress.offset)
        } catch {
            try? await file.truncate(to: before.offset)
            throw error
        }
        progress.hasher.update(buffer)
        progress.offset += Int64(buffer.readableBytes)
    }
}
