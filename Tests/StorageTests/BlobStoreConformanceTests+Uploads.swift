import NIOCore
import Testing

@testable import Storage

/// Staging files: what an upload writes before it is verified and committed.
extension BlobStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func openingAnUploadCreatesAnEmptyStagingFile(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.blobs.openUpload("u1").close()
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == 0)
        #expect(try await opened.blobs.stagedUploadIDs() == ["u1"])
    }

    /// Each request of a chunked upload opens the staging file again: what earlier ones wrote stays.
    @Test(arguments: Backend.allCases)
    func reopeningAnUploadKeepsItsBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        try await opened.blobs.stage(bytes, as: "u1")
        try await opened.blobs.openUpload("u1").close()
        #expect(try await opened.blobs.stagedBytes(ofUpload: "u1") == bytes)
    }

    /// Writes are positional: one may overwrite, and one past the end leaves zeros in the gap.
    @Test(arguments: Backend.allCases)
    func writesLandAtTheirOffset(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let file = try await opened.blobs.openUpload("u1")
        try await file.write(ByteBuffer(bytes: [1, 2, 3, 4]), at: 0)
        try await file.write(ByteBuffer(bytes: [9]), at: 1)
        try await file.write(ByteBuffer(bytes: [7, 7]), at: 6)
        try await file.close()
        #expect(try await opened.blobs.stagedBytes(ofUpload: "u1") == [1, 9, 3, 4, 0, 0, 7, 7])
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == 8)
    }

    /// A failed chunk is rolled back by cutting the file to the last good offset.
    @Test(arguments: Backend.allCases)
    func truncateCutsTheStagedBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        let file = try await opened.blobs.openUpload("u1")
        try await file.write(ByteBuffer(bytes: bytes), at: 0)
        try await file.truncate(to: 40)
        try await file.write(ByteBuffer(bytes: [1]), at: 40)
        try await file.close()
        #expect(try await opened.blobs.stagedBytes(ofUpload: "u1") == Array(bytes.prefix(40)) + [1])
    }

    /// After a restart an upload's hash is rebuilt from its staged bytes, read from the start.
    @Test(arguments: Backend.allCases)
    func readUploadStreamsTheStagedBytesFromTheStart(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try largeRandomBytes(3 << 20 + 1)
        try await opened.blobs.stage(bytes, as: "u1")
        var chunkSizes: [Int] = []
        var received: [UInt8] = []
        try await opened.blobs.readUpload("u1") { chunk in
            chunkSizes.append(chunk.readableBytes)
            received.append(contentsOf: chunk.readableBytesView)
        }
        #expect(received == bytes)
        #expect(chunkSizes.count >= 4 && chunkSizes.allSatisfy { $0 <= 1 << 20 })
    }

    /// An upload id the metadata knows may have no staging file yet (no byte arrived before a restart).
    @Test(arguments: Backend.allCases)
    func readUploadOfAnEmptyOrUnknownUploadStreamsNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.blobs.openUpload("empty").close()
        var calls = 0
        try await opened.blobs.readUpload("empty") { _ in calls += 1 }
        try await opened.blobs.readUpload("unknown") { _ in calls += 1 }
        #expect(calls == 0)
    }

    @Test(arguments: Backend.allCases)
    func stagedSizeOfAnUnknownUploadIsNil(_ backend: Backend) async throws {
        let opened = try await backend.open()
        #expect(try await opened.blobs.stagedSize(ofUpload: "unknown") == nil)
    }

    /// Cancelling and GC may both discard an upload: the second time, and an unknown id, are no error.
    @Test(arguments: Backend.allCases)
    func deleteUploadDiscardsTheStagedBytesAndMayBeRepeated(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.blobs.stage(randomBytes(10), as: "u1")
        try await opened.blobs.deleteUpload("u1")
        try await opened.blobs.deleteUpload("u1")
        try await opened.blobs.deleteUpload("unknown")
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }

    /// GC lists staging files to find abandoned ones: every staging file, and nothing committed or discarded.
    @Test(arguments: Backend.allCases)
    func stagedUploadIDsListsStagingFilesOnly(_ backend: Backend) async throws {
        let opened = try await backend.open()
        for id in ["a", "b", "c", "d"] { try await opened.blobs.stage(randomBytes(10), as: id) }
        try await opened.blobs.commitUpload("b", as: sha256([1]), durable: false)
        try await opened.blobs.deleteUpload("c")
        try await opened.blobs.storeVerified(randomBytes(5))
        #expect(Set(try await opened.blobs.stagedUploadIDs()) == ["a", "d"])
    }

    @Test(arguments: Backend.allCases)
    func uploadsDoNotShareBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let (first, second) = (try await opened.blobs.openUpload("u1"), try await opened.blobs.openUpload("u2"))
        try await first.write(ByteBuffer(bytes: [1, 1]), at: 0)
        try await second.write(ByteBuffer(bytes: [2]), at: 0)
        try await first.close()
        try await second.close()
        #expect(try await opened.blobs.stagedBytes(ofUpload: "u1") == [1, 1])
        #expect(try await opened.blobs.stagedBytes(ofUpload: "u2") == [2])
    }

    /// A handle must not outlive its request: after `close` it refuses to write (the local backend's descriptor
    /// number may belong to another upload by then), and closing again is harmless.
    @Test(arguments: Backend.allCases)
    func closedUploadRefusesWritesAndClosesTwice(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let file = try await opened.blobs.openUpload("u1")
        try await file.close()
        try await file.close()
        let write = await #expect(throws: StorageError.self) { try await file.write(ByteBuffer(bytes: [1]), at: 0) }
        let truncate = await #expect(throws: StorageError.self) { try await file.truncate(to: 0) }
        #expect(write?.isIO == true && truncate?.isIO == true)
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == 0)
    }

    /// GC may discard an upload while a request still holds it open: the request's late writes (which may
    /// succeed, into nothing) never bring the upload back.
    @Test(arguments: Backend.allCases)
    func lateWriteAfterDeleteUploadDoesNotBringItBack(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let file = try await opened.blobs.openUpload("u1")
        try await opened.blobs.deleteUpload("u1")
        try? await file.write(ByteBuffer(bytes: randomBytes(10)), at: 0)
        try? await file.close()
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }
}
