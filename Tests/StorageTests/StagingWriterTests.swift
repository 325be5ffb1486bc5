import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Storage

/// An upload file in memory whose `failAt`-th write fails, as a full disk would.
final class MemoryUploadFile: UploadFile {
    /// One write as the file saw it: where, how long, and how far its memory is from an aligned address.
    struct Write: Equatable {
        var offset: Int64
        var length: Int
        var misalignment: Int
    }

    let bytes = Mutex<[UInt8]>([])
    let writes = Mutex(0)
    let seen = Mutex<[Write]>([])
    /// The most writes that were in flight at once.
    let mostAtOnce = Mutex(0)
    private let atOnce = Mutex(0)
    let failAt: Int?
    /// How long each write takes, as a device would; the failing one takes `failAfter`.
    let delay: Duration
    let failAfter: Duration

    init(failAt: Int? = nil, delay: Duration = .zero, failAfter: Duration = .zero) {
        self.failAt = failAt
        self.delay = delay
        self.failAfter = failAfter
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) async throws {
        let count = writes.withLock { n in
            n += 1
            return n
        }
        let now = atOnce.withLock { n in
            n += 1
            return n
        }
        mostAtOnce.withLock { $0 = max($0, now) }
        defer { atOnce.withLock { $0 -= 1 } }
        if count == failAt {
            try await Task.sleep(for: failAfter)
            throw StorageError.io("no space left on device")
        }
        try await Task.sleep(for: delay)
        let address = buffer.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) }
        seen.withLock {
            $0.append(Write(offset: offset, length: buffer.readableBytes, misalignment: address % StagingWriter.alignment))
        }
        bytes.withLock { stored in
            let end = Int(offset) + buffer.readableBytes
            if stored.count < end { stored += [UInt8](repeating: 0, count: end - stored.count) }
            stored.replaceSubrange(Int(offset)..<end, with: buffer.readableBytesView)
        }
    }

    func truncate(to size: Int64) async throws {
        bytes.withLock { $0.removeSubrange(Int(size)...) }
    }

    func close() async throws {}
}

/// `data` as network reads of `size` bytes.
func reads(_ data: some Collection<UInt8>, of size: Int) -> [[UInt8]] {
    let bytes = Array(data)
    return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

@Suite struct StagingWriterTests {
    let data = (0..<(5 * StagingWriter.writeSize + 12345)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    func fresh(_ file: MemoryUploadFile) -> StagingWriter {
        StagingWriter(progress: .init(offset: 0, hasher: ContentHasher(.sha256)), file: file)
    }

    func sha256(_ bytes: some Sequence<UInt8>) -> Digest {
        var hasher = ContentHasher(.sha256)
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    @Test func aBodyInSmallReadsIsStagedWholeWithItsHash() async throws {
        let file = MemoryUploadFile()
        var writer = fresh(file)
        #expect(try await writer.append(ChunkedBody(chunks: reads(data, of: 65536))) == Int64(data.count))
        #expect(file.bytes.withLock { $0 } == data)
        #expect(writer.progress.hasher.finalize() == sha256(data))
    }

    @Test func aBodyInLargeReadsIsStagedWholeWithItsHash() async throws {
        let file = MemoryUploadFile()
        var writer = fresh(file)
        _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 3 * StagingWriter.writeSize)))
        #expect(file.bytes.withLock { $0 } == data)
        #expect(writer.progress.hasher.finalize() == sha256(data))
    }

    @Test func aFailedWriteLeavesFileAndHashAtTheLastSuccessfulWrite() async throws {
        let file = MemoryUploadFile(failAt: 3)
        var writer = fresh(file)
        await #expect(throws: StorageError.self) {
            _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536)))
        }
        let staged = file.bytes.withLock { $0 }
        #expect(staged.count == 2 * StagingWriter.writeSize)
        #expect(writer.progress.offset == Int64(staged.count))
        #expect(writer.progress.hasher.finalize() == sha256(staged))
        #expect(staged == Array(data.prefix(staged.count)))
    }

    /// A later write that lands before an earlier one fails is cut off with everything after the failure.
    @Test func aWriteFailingAfterALaterOneLandedLeavesNothingPastTheFailure() async throws {
        let file = MemoryUploadFile(failAt: 2, failAfter: .milliseconds(200))
        var writer = fresh(file)
        await #expect(throws: StorageError.self) {
            _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536)))
        }
        #expect(file.writes.withLock { $0 } > 2)
        let staged = file.bytes.withLock { $0 }
        #expect(staged == Array(data.prefix(StagingWriter.writeSize)))
        #expect(writer.progress.offset == Int64(StagingWriter.writeSize))
        #expect(writer.progress.hasher.finalize() == sha256(staged))
    }

    /// So that the device never waits for the next write to be handed to it.
    @Test func writesOverlapUpToTheLimit() async throws {
        let file = MemoryUploadFile(delay: .milliseconds(20))
        var writer = fresh(file)
        _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536)))
        #expect(file.mostAtOnce.withLock { $0 } == 2)
        #expect(file.bytes.withLock { $0 } == data)
        #expect(writer.progress.hasher.finalize() == sha256(data))
    }

    @Test func aDroppedConnectionKeepsEverythingThatArrived() async throws {
        let file = MemoryUploadFile()
        var writer = fresh(file)
        let arrived = 2 * StagingWriter.writeSize + 65536 * 3
        await #expect(throws: ChunkedBody.Dropped.self) {
            _ = try await writer.append(ChunkedBody(chunks: reads(data.prefix(arrived), of: 65536), failAtEnd: true))
        }
        #expect(file.bytes.withLock { $0 } == Array(data.prefix(arrived)))
        #expect(writer.progress.hasher.finalize() == sha256(data.prefix(arrived)))
    }

    @Test func appendingContinuesFromTheProgressItWasGiven() async throws {
        let file = MemoryUploadFile()
        var first = fresh(file)
        let cut = StagingWriter.writeSize + 7
        _ = try await first.append(ChunkedBody(chunks: reads(data.prefix(cut), of: 65536)))
        var second = StagingWriter(progress: first.progress, file: file)
        _ = try await second.append(ChunkedBody(chunks: reads(data.dropFirst(cut), of: 65536)))
        #expect(file.bytes.withLock { $0 } == data)
        #expect(second.progress.hasher.finalize() == sha256(data))
    }

    /// What lets the local store write them with direct I/O.
    @Test func everyFullBufferIsWrittenAtAnAlignedOffsetFromAnAlignedAddress() async throws {
        let file = MemoryUploadFile()
        var writer = fresh(file)
        _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536 + 17)))
        let writes = file.seen.withLock { $0 }
        #expect(writes.count == 6)
        for write in writes.dropLast() {
            #expect(write == .init(offset: write.offset, length: StagingWriter.writeSize, misalignment: 0))
            #expect(write.offset % Int64(StagingWriter.alignment) == 0)
        }
        #expect(writes.last?.length == 12345)
    }

    @Test func aWriterGivenLargeBuffersWritesThemFullAndAligned() async throws {
        let file = MemoryUploadFile()
        var writer = StagingWriter(
            progress: .init(offset: 0, hasher: ContentHasher(.sha256)), file: file, bufferSize: StagingBufferSizes.large)
        _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536 + 17)))
        let writes = file.seen.withLock { $0 }
        #expect(writes.map(\.length) == [StagingBufferSizes.large, data.count - StagingBufferSizes.large])
        #expect(writes.map(\.misalignment) == [0, 0])
        #expect(file.bytes.withLock { $0 } == data)
        #expect(writer.progress.hasher.finalize() == sha256(data))
    }

    @Test func aWriterHashingOnAThreadOfItsOwnHashesEveryBufferInOrder() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let file = MemoryUploadFile()
        var writer = StagingWriter(
            progress: .init(offset: 0, hasher: ContentHasher(.sha256)), file: file, hashingThread: thread)
        _ = try await writer.append(ChunkedBody(chunks: reads(data, of: 65536 + 17)))
        try await thread.shutdownGracefully()
        #expect(file.bytes.withLock { $0 } == data)
        #expect(writer.progress.hasher.finalize() == sha256(data))
    }

    @Test func anUploadResumedAtAnOddOffsetIsBackOnAlignedWritesAfterOneShorterWrite() async throws {
        let file = MemoryUploadFile()
        var first = fresh(file)
        let cut = 3 * StagingWriter.alignment + 5
        _ = try await first.append(ChunkedBody(chunks: reads(data.prefix(cut), of: 65536)))
        var second = StagingWriter(progress: first.progress, file: file)
        _ = try await second.append(ChunkedBody(chunks: reads(data.dropFirst(cut), of: 65536)))
        let resumed = file.seen.withLock { Array($0.dropFirst()) }
        #expect(resumed.first?.offset == Int64(cut))
        #expect(resumed.first?.length == StagingWriter.writeSize - 5)
        for write in resumed.dropFirst().dropLast() {
            #expect(write.offset % Int64(StagingWriter.alignment) == 0)
            #expect(write.length == StagingWriter.writeSize)
            #expect(write.misalignment == 0)
        }
        #expect(file.bytes.withLock { $0 } == data)
        #expect(second.progress.hasher.finalize() == sha256(data))
    }
}
