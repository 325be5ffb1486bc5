import NIOCore
import NIOPosix

/// Streams a request body into an upload's staging file while hashing it.
///
/// Bytes are gathered into large writes (one small write per network read halves the speed), and
/// the three costs of a push overlap: while one buffer is hashed and written, each on its own thread, the
/// next one is filled from the network. Done one after the other, each core idles much of the time. A big
/// body's buffers are hashed on a thread of its own when one is free (`HashingThreads`).
///
/// Every full buffer is `bufferSize` bytes at a file offset, and a memory address, that are multiples of
/// `alignment`, which lets the local store write it with direct I/O (see `LocalUploadFile`); only the last
/// buffer of a body, and the first after an upload resumed at an odd offset, are written through the
/// page cache.
///
/// `progress` (offset and hash) only ever covers bytes that were hashed and whose write succeeded; after
/// a failed write the file is truncated back to it, so the staged bytes and the hash always agree.
struct StagingWriter {
    /// The standard buffer size; a few big bodies at once get larger ones (see `StagingBufferSizes`).
    static let writeSize = StagingBufferSizes.standard
    /// The block size direct I/O asks for on every device in use (512 or 4,096 bytes).
    static let alignment = 4096
    /// Two, so that a finished write is followed at once by the next, already waiting in the kernel. With
    /// one, each write also waited for its hand-off to the I/O pool and back: a 1 GiB push here spent
    /// 0.62 s waiting for writes, of which the writes themselves (one at a time: ext4 serializes writes
    /// that extend a file) took 0.7 s of 1.1, and pushed at 700–770 MiB/s instead of 900–1,000.
    static let writesInFlight = 2
    /// Buffers hashed or written while the next is filled. Hashing and writing a buffer run side by side,
    /// so the hash of one buffer goes on while the previous one's write finishes: with the hash done
    /// inline before each write, the same 1 GiB push spent 0.6 s of its 1.0 waiting on the hash and
    /// pushed at 900–950 MiB/s, against 935–1,040 side by side (with three buffers). In a later run two
    /// pushed as fast as three (670–736 MiB/s against 669–709, the machine slower then), and 32 parallel
    /// pushes of 32 MiB peaked at 119 MiB of RSS against 135.
    static let buffersInFlight = 2

    private(set) var progress: UploadSessions.Progress
    let file: any UploadFile
    /// How much each buffer holds: a multiple of `alignment`.
    let bufferSize: Int
    /// Where the buffers are hashed: a thread of this body's own (see `HashingThreads`), or the cooperative
    /// pool.
    let hashingThread: NIOThreadPool?
    /// Where the next buffer goes.
    private var issuedOffset: Int64
    /// The hash of every buffer hashed so far.
    private var hashed: ContentHasher
    /// Buffers being hashed or written, oldest first.
    private var inFlight: [InFlightBuffer] = []
    private var buffersIssued = 0
    private var writeFailed = false
    private var spares: [ByteBuffer] = []
    /// Hears the staged length after each write, for readers that follow the upload (`PassingBlob`).
    var onProgress: (@Sendable (Int64) -> Void)?

    private struct InFlightBuffer {
        enum Step { case waiting, running, done }
        let number: Int
        let buffer: ByteBuffer
        let offset: Int64
        var end: Int64 { offset + Int64(buffer.readableBytes) }
        var hashing = Step.waiting
        var writing = Step.waiting
        /// The hash up to `end`, once hashed.
        var hasher: ContentHasher?
    }

    private enum Completion: Sendable {
        case hashed(Int, ContentHasher)
        case written(Int)
    }

    init(
        progress: UploadSessions.Progress, file: any UploadFile, bufferSize: Int = writeSize,
        hashingThread: NIOThreadPool? = nil
    ) {
        precondition(bufferSize > 0 && bufferSize % Self.alignment == 0)
        self.progress = progress
        self.issuedOffset = progress.offset
        self.hashed = progress.hasher
        self.file = file
        self.bufferSize = bufferSize
        self.hashingThread = hashingThread
    }

    /// Appends all of `body`. Returns the number of bytes appended. If the body fails midway
    /// (a dropped connection), what arrived before is kept and the error is rethrown.
    mutating func append<Body: AsyncSequence>(_ body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        let start = progress.offset
        try await withThrowingTaskGroup(of: Completion.self) { group in
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
                    while !inFlight.isEmpty { try await settleOne(&group) }
                } catch {
                    stop = stop ?? error
                }
            }
            if let stop { throw stop }
        }
        return progress.offset - start
    }

    /// Queues `buffer` to be hashed and written, once fewer than `buffersInFlight` are.
    private mutating func issue(_ buffer: ByteBuffer, in group: inout ThrowingTaskGroup<Completion, any Error>)
        async throws
    {
        while inFlight.count >= Self.buffersInFlight { try await settleOne(&group) }
        inFlight.append(InFlightBuffer(number: buffersIssued, buffer: buffer, offset: issuedOffset))
        issuedOffset += Int64(buffer.readableBytes)
        buffersIssued += 1
        start(in: &group)
    }

    /// Starts the oldest waiting hash when none runs (hashes go in order), and the oldest waiting writes
    /// while fewer than `writesInFlight` run. Each runs in its own child task.
    private mutating func start(in group: inout ThrowingTaskGroup<Completion, any Error>) {
        if !inFlight.contains(where: { $0.hashing == .running }),
            let index = inFlight.firstIndex(where: { $0.hashing == .waiting })
        {
            inFlight[index].hashing = .running
            let (number, buffer, hasher, thread) = (inFlight[index].number, inFlight[index].buffer, hashed, hashingThread)
            group.addTask {
                guard let thread else { return .hashed(number, hasher.updated(with: buffer)) }
                // Lent, so that the pool's work item holds no reference once the hash is done (see `Handover`).
                let lent = Handover(buffer)
                return .hashed(number, try await thread.runIfActive { hasher.updated(with: lent.take()) })
            }
        }
        while inFlight.count(where: { $0.writing == .running }) < Self.writesInFlight,
            let index = inFlight.firstIndex(where: { $0.writing == .waiting })
        {
            inFlight[index].writing = .running
            let (file, write) = (file, inFlight[index])
            group.addTask {
                try await file.write(write.buffer, at: write.offset)
                return .written(write.number)
            }
        }
    }

    /// Waits for one hash or write to finish. `progress` moves over every buffer hashed and written, in
    /// order from the oldest; on a failed write, the other writes are waited for and the file is cut back
    /// to `progress`, so that no write lands past the cut.
    private mutating func settleOne(_ group: inout ThrowingTaskGroup<Completion, any Error>) async throws {
        do {
            guard let completion = try await group.next() else { return }
            switch completion {
            case .hashed(let number, let hasher):
                hashed = hasher
                let index = inFlight.firstIndex { $0.number == number }!
                inFlight[index].hashing = .done
                inFlight[index].hasher = hasher
            case .written(let number):
                inFlight[inFlight.firstIndex { $0.number == number }!].writing = .done
            }
            var moved = false
            while let oldest = inFlight.first, oldest.writing == .done, let hasher = oldest.hasher {
                inFlight.removeFirst()
                spares.append(oldest.buffer)
                progress = .init(offset: oldest.end, hasher: hasher)
                moved = true
            }
            if moved { onProgress?(progress.offset) }
            start(in: &group)
        } catch {
            writeFailed = true
            while true {
                do { guard try await group.next() != nil else { break } } catch {}
            }
            inFlight = []
            (issuedOffset, hashed) = (progress.offset, progress.hasher)
            try? await file.truncate(to: progress.offset)
            throw error
        }
    }

    /// The length at which the buffer being filled is written: `bufferSize`, or less to bring an upload that
    /// resumed at an odd offset back to aligned ones.
    private var fullLength: Int {
        bufferSize - Int(issuedOffset % Int64(Self.alignment))
    }

    /// A written buffer is reused for the next one: fresh buffers cost page faults on every write. Its
    /// bytes start at an aligned address, with room for `bufferSize` after it.
    private mutating func takeBuffer() -> ByteBuffer {
        var buffer = spares.popLast() ?? ByteBufferAllocator().buffer(capacity: bufferSize + Self.alignment)
        buffer.clear()
        let address = buffer.withVeryUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        let skip = (Self.alignment - address % Self.alignment) % Self.alignment
        buffer.moveWriterIndex(to: skip)
        buffer.moveReaderIndex(to: skip)
        return buffer
    }
}

extension ContentHasher {
    /// This hash followed by `buffer`'s bytes.
    fileprivate func updated(with buffer: ByteBuffer) -> ContentHasher {
        var next = self
        next.update(buffer)
        return next
    }
}
