import NIOCore
import Testing

@testable import Storage

@Suite struct BlobUploadTests {
    func contents(_ store: RegistryStore, _ digest: Digest, in repository: RepositoryName) async throws -> [UInt8] {
        guard let source = try await store.blob(digest, in: repository) else { return [] }
        var bytes: [UInt8] = []
        if source.size > 0 {
            try await store.readBlob(digest, range: 0...(source.size - 1)) { bytes.append(contentsOf: $0.readableBytesView) }
        }
        return bytes
    }

    @Test func monolithicBlobIsStoredAndReadBack() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(3 << 20)
        let size = try await store.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        #expect(size == Int64(bytes.count))
        #expect(try await contents(store, sha256(bytes), in: repo("a")) == bytes)
    }

    /// A digest mismatch stores nothing and leaves no staging file behind.
    @Test func wrongDigestStoresNothing() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(1000)
        let claimed = sha256([1, 2, 3])
        await #expect(throws: StorageError.self) {
            try await store.storeBlob(claimed, in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        }
        #expect(try await store.blob(claimed, in: repo("a")) == nil)
        #expect(try await store.blob(sha256(bytes), in: repo("a")) == nil)
        #expect(try await store.blobs.stagedUploadIDs().isEmpty)
    }

    /// A body shorter than its Content-Length is refused, nothing stored.
    @Test func shortBodyStoresNothing() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(1000)
        await #expect(throws: StorageError.self) {
            try await store.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: 2000)
        }
        #expect(try await store.blob(sha256(bytes), in: repo("a")) == nil)
    }

    /// Full buffers go to disk by direct I/O, the rest (a body's tail, the realigning write after an odd
    /// offset) through the page cache: both land in one file, in order.
    @Test func aChunkedUploadOfOddSizedChunksIsStoredWhole() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(7 << 20)
        let cuts = [0, (1 << 20) + 4091, (3 << 20) + 5, (6 << 20) - 1, bytes.count]
        let id = try await store.startUpload(in: repo("a"))
        for (start, end) in zip(cuts, cuts.dropFirst()) {
            let chunk = reads(bytes[start..<end], of: 65536 + 3)
            try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: chunk), start: Int64(start))
        }
        _ = try await store.completeUpload(id, in: repo("a"), digest: sha256(bytes))
        #expect(try await contents(store, sha256(bytes), in: repo("a")) == bytes)
    }

    @Test func chunkedUploadAssemblesChunksInOrder() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(5000)
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[0..<2000])]), start: 0)
        #expect(try await store.uploadOffset(id, in: repo("a")) == 2000)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[2000...])]), start: 2000)
        _ = try await store.completeUpload(id, in: repo("a"), digest: sha256(bytes))
        #expect(try await contents(store, sha256(bytes), in: repo("a")) == bytes)
    }

    /// Distribution spec: a chunk must start where the upload stands, else 416.
    /// A status asked while a request still writes the upload (typically the client's own, cut short)
    /// answers where that request leaves it, not a point the upload is about to pass.
    @Test func statusWaitsForTheRequestHoldingTheUpload() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"))
        let (body, source) = AsyncStream<ByteBuffer>.makeStream()
        source.yield(ByteBuffer(bytes: randomBytes(1000)))
        async let appended = store.appendToUpload(id, in: repo("a"), body: body)
        while !store.sessions.isHeld(id) { try await Task.sleep(for: .milliseconds(1)) }
        async let status = store.uploadOffset(id, in: repo("a"))
        try await Task.sleep(for: .milliseconds(100))
        source.yield(ByteBuffer(bytes: randomBytes(500)))
        source.finish()
        #expect(try await appended == 1500)
        #expect(try await status == 1500)
    }

    @Test func outOfOrderChunkIsRefused() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(100)]), start: 0)
        await #expect(throws: StorageError.uploadRangeInvalid(expectedOffset: 100, detail: "chunk starts at 50")) {
            try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]), start: 50)
        }
        #expect(try await store.uploadOffset(id, in: repo("a")) == 100)
    }

    /// An upload survives a restart: a new store on the same root reports the same offset
    /// and completes it with the right digest.
    @Test func uploadResumesAfterRestart() async throws {
        let root = TemporaryRoot()
        let bytes = randomBytes(3 << 20)
        let id: String
        do {
            let store = try root.open()
            id = try await store.startUpload(in: repo("a/b"))
            try await store.appendToUpload(id, in: repo("a/b"), body: ChunkedBody(chunks: [Array(bytes[..<(1 << 20)])]))
        }
        let store = try root.open()
        #expect(try await store.uploadOffset(id, in: repo("a/b")) == 1 << 20)
        try await store.appendToUpload(id, in: repo("a/b"), body: ChunkedBody(chunks: [Array(bytes[(1 << 20)...])]), start: 1 << 20)
        _ = try await store.completeUpload(id, in: repo("a/b"), digest: sha256(bytes))
        #expect(try await contents(store, sha256(bytes), in: repo("a/b")) == bytes)
    }

    /// A dropped connection keeps what arrived, and the hash stays in step with the file.
    @Test func droppedChunkKeepsReceivedBytes() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(4000)
        let id = try await store.startUpload(in: repo("a"))
        await #expect(throws: ChunkedBody.Dropped.self) {
            try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[..<1500])], failAtEnd: true))
        }
        #expect(try await store.uploadOffset(id, in: repo("a")) == 1500)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [Array(bytes[1500...])]), start: 1500)
        _ = try await store.completeUpload(id, in: repo("a"), digest: sha256(bytes))
        #expect(try await contents(store, sha256(bytes), in: repo("a")) == bytes)
    }

    @Test func sha512UploadCompletes() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(10_000)
        var hasher = ContentHasher(.sha512)
        hasher.update(bytes)
        let digest = hasher.finalize()
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [bytes]))
        _ = try await store.completeUpload(id, in: repo("a"), digest: digest)
        #expect(try await contents(store, digest, in: repo("a")) == bytes)
    }

    @Test func unknownUploadIsRefused() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        await #expect(throws: StorageError.uploadUnknown("../../etc/passwd")) {
            try await store.uploadOffset("../../etc/passwd", in: repo("a"))
        }
        let id = try await store.startUpload(in: repo("a"))
        await #expect(throws: StorageError.uploadUnknown(id)) { try await store.uploadOffset(id, in: repo("b")) }
    }

    /// Many clients pushing the same blob at once all succeed, and it is stored once.
    @Test func concurrentPushesOfOneBlob() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(2 << 20)
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try await store.storeBlob(sha256(bytes), in: repo("r\(index % 4)"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
                }
            }
            for try await size in group { #expect(size == Int64(bytes.count)) }
        }
        for index in 0..<4 {
            #expect(try await contents(store, sha256(bytes), in: repo("r\(index)")) == bytes)
        }
    }

    /// Cross-repository mount links without copying; a repository without the blob cannot be mounted from.
    @Test func mountLinksBlobIntoAnotherRepository() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(100)
        _ = try await store.storeBlob(sha256(bytes), in: repo("src"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        #expect(try await store.mountBlob(sha256(bytes), from: repo("src"), to: repo("dst")))
        #expect(try await store.blob(sha256(bytes), in: repo("dst"))?.size == 100)
        #expect(try await !store.mountBlob(sha256(bytes), from: repo("other"), to: repo("dst2")))
        #expect(try await store.blob(sha256(bytes), in: repo("dst2")) == nil)
    }

    @Test func deletedBlobIsGoneFromThatRepositoryOnly() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = randomBytes(100)
        _ = try await store.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
        _ = try await store.mountBlob(sha256(bytes), from: repo("a"), to: repo("b"))
        try await store.deleteBlob(sha256(bytes), in: repo("a"))
        #expect(try await store.blob(sha256(bytes), in: repo("a")) == nil)
        #expect(try await store.blob(sha256(bytes), in: repo("b")) != nil)
        await #expect(throws: StorageError.blobUnknown(sha256(bytes))) { try await store.deleteBlob(sha256(bytes), in: repo("a")) }
    }
}
