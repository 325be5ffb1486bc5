import Testing

@testable import Storage

/// What every `BlobStore` must do, run on each backend: the suite a new backend passes before it serves.
/// Committed blobs here; staging files in `+Uploads`, file listing in `+Listing`.
@Suite struct BlobStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func unknownBlobHasNoSize(_ backend: Backend) async throws {
        let opened = try await backend.open()
        #expect(try await opened.blobs.size(of: sha256([1, 2, 3])) == nil)
    }

    @Test(arguments: Backend.allCases)
    func stagedBytesAreNoBlobUntilCommitted(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        try await opened.blobs.stage(bytes, as: "u1")
        #expect(try await opened.blobs.size(of: sha256(bytes)) == nil)
        await #expect(throws: StorageError.self) { try await opened.blobs.chunks(of: sha256(bytes), range: 0...99) }
    }

    @Test(arguments: Backend.allCases)
    func commitMovesTheStagedBytesIntoPlace(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        try await opened.blobs.stage(bytes, as: "u1")
        try await opened.blobs.commitUpload("u1", as: sha256(bytes), durable: false)
        #expect(try await opened.blobs.size(of: sha256(bytes)) == 100)
        #expect(try await opened.blobs.contents(of: sha256(bytes), range: 0...99) == bytes)
        #expect(try await opened.blobs.stagedSize(ofUpload: "u1") == nil)
        #expect(try await opened.blobs.stagedUploadIDs().isEmpty)
    }

    /// With `durable`, the local backend fsyncs; the outcome is the same blob.
    @Test(arguments: Backend.allCases)
    func durableCommitStoresTheSameBlob(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(100)
        try await opened.blobs.stage(bytes, as: "u1")
        try await opened.blobs.commitUpload("u1", as: sha256(bytes), durable: true)
        #expect(try await opened.blobs.contents(of: sha256(bytes), range: 0...99) == bytes)
    }

    /// Verifying is the caller's job (`RegistryStore` hashes while staging): the store takes the digest it is given.
    @Test(arguments: Backend.allCases)
    func commitStoresUnderTheDigestItIsGiven(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let (bytes, claimed) = (randomBytes(10), sha256([0]))
        try await opened.blobs.stage(bytes, as: "u1")
        try await opened.blobs.commitUpload("u1", as: claimed, durable: false)
        #expect(try await opened.blobs.contents(of: claimed, range: 0...9) == bytes)
        #expect(try await opened.blobs.size(of: sha256(bytes)) == nil)
    }

    /// Content addressing makes a second copy redundant: a stored blob of the staged size is kept as it is and
    /// the staged copy dropped (so concurrent pushes of one blob never replace a file being read).
    @Test(arguments: Backend.allCases)
    func commitOverAStoredBlobOfTheSameSizeKeepsTheStoredBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let stored = randomBytes(50)
        let digest = try await opened.blobs.storeVerified(stored)
        try await opened.blobs.stage(randomBytes(50), as: "again")
        try await opened.blobs.commitUpload("again", as: digest, durable: false)
        #expect(try await opened.blobs.contents(of: digest, range: 0...49) == stored)
        #expect(try await opened.blobs.stagedSize(ofUpload: "again") == nil)
    }

    /// A stored blob of another size than the staged bytes is a crash's leftover, and is replaced.
    @Test(arguments: Backend.allCases)
    func commitOverAStoredBlobOfAnotherSizeReplacesIt(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(50)
        try await opened.blobs.stage(Array(bytes.prefix(20)), as: "torn")
        try await opened.blobs.commitUpload("torn", as: sha256(bytes), durable: false)
        try await opened.blobs.stage(bytes, as: "whole")
        try await opened.blobs.commitUpload("whole", as: sha256(bytes), durable: false)
        #expect(try await opened.blobs.contents(of: sha256(bytes), range: 0...49) == bytes)
    }

    @Test(arguments: Backend.allCases)
    func commitOfAnUnknownUploadFailsAndStoresNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let digest = sha256([9])
        let error = await #expect(throws: StorageError.self) {
            try await opened.blobs.commitUpload("never-opened", as: digest, durable: false)
        }
        #expect(error?.isIO == true)
        #expect(try await opened.blobs.size(of: digest) == nil)
    }

    /// An upload that never received a byte commits as the empty blob (`RegistryStore` opens it first).
    @Test(arguments: Backend.allCases)
    func emptyUploadCommitsAsTheEmptyBlob(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.blobs.openUpload("empty").close()
        try await opened.blobs.commitUpload("empty", as: sha256([]), durable: false)
        #expect(try await opened.blobs.size(of: sha256([])) == 0)
    }

    /// Consumers hold one chunk at a time, so a large blob comes in many chunks of bounded size.
    @Test(arguments: Backend.allCases)
    func readStreamsTheWholeBlobInBoundedChunks(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try largeRandomBytes(3 << 20 + 5)
        let digest = try await opened.blobs.storeVerified(bytes)
        let chunks = try await opened.blobs.chunks(of: digest, range: 0...Int64(bytes.count - 1))
        #expect(chunks.count >= 4)
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= 1 << 20 })
        #expect(Array(chunks.joined()) == bytes)
    }

    @Test(arguments: Backend.allCases)
    func readOfARangeDeliversOnlyThoseBytes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(1000)
        let digest = try await opened.blobs.storeVerified(bytes)
        #expect(try await opened.blobs.contents(of: digest, range: 100...899) == Array(bytes[100...899]))
    }

    @Test(arguments: Backend.allCases)
    func readOfTheFirstOrLastByteDeliversOneByte(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = randomBytes(1000)
        let digest = try await opened.blobs.storeVerified(bytes)
        #expect(try await opened.blobs.chunks(of: digest, range: 0...0) == [[bytes[0]]])
        #expect(try await opened.blobs.chunks(of: digest, range: 999...999) == [[bytes[999]]])
    }

    /// A blob shorter than the range asked is damage: the read fails rather than end early, so a response
    /// is never silently short.
    @Test(arguments: Backend.allCases)
    func readPastTheEndFails(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let digest = try await opened.blobs.storeVerified(randomBytes(1000))
        let overlapping = await #expect(throws: StorageError.self) {
            try await opened.blobs.chunks(of: digest, range: 500...1000)
        }
        let beyond = await #expect(throws: StorageError.self) {
            try await opened.blobs.chunks(of: digest, range: 1000...1000)
        }
        #expect(overlapping?.isIO == true && beyond?.isIO == true)
    }

    @Test(arguments: Backend.allCases)
    func readOfAnUnknownBlobFails(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let error = await #expect(throws: StorageError.self) {
            try await opened.blobs.chunks(of: sha256([4, 2]), range: 0...0)
        }
        #expect(error?.isIO == true)
    }

    /// A reader sees the whole blob or nothing: one that started keeps its bytes when GC deletes the blob.
    @Test(arguments: Backend.allCases)
    func blobDeletedDuringAReadIsReadToTheEnd(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let bytes = try largeRandomBytes(3 << 20)
        let digest = try await opened.blobs.storeVerified(bytes)
        var received: [UInt8] = []
        try await opened.blobs.read(digest, range: 0...Int64(bytes.count - 1)) { chunk in
            if received.isEmpty { try await opened.blobs.delete(digest) }
            received.append(contentsOf: chunk.readableBytesView)
        }
        #expect(received == bytes)
        #expect(try await opened.blobs.size(of: digest) == nil)
    }

    @Test(arguments: Backend.allCases)
    func deleteRemovesOnlyThatBlob(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let gone = try await opened.blobs.storeVerified(randomBytes(10))
        let kept = try await opened.blobs.storeVerified(randomBytes(20))
        try await opened.blobs.delete(gone)
        #expect(try await opened.blobs.size(of: gone) == nil)
        #expect(try await opened.blobs.size(of: kept) == 20)
    }

    /// GC and a client may delete the same blob: the second delete, and one of a never-stored blob, succeed.
    @Test(arguments: Backend.allCases)
    func deletingAnAbsentBlobIsNotAnError(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let digest = try await opened.blobs.storeVerified(randomBytes(10))
        try await opened.blobs.delete(digest)
        try await opened.blobs.delete(digest)
        try await opened.blobs.delete(sha256([7, 7, 7]))
        #expect(try await opened.blobs.size(of: digest) == nil)
    }

    /// The local backend's files stay on disk, readable by descriptor; the in-memory one keeps none.
    @Test(arguments: Backend.allCases)
    func openFileIsNilForAnUnknownBlob(_ backend: Backend) async throws {
        let opened = try await backend.open()
        #expect(try await opened.blobs.openFile(sha256([5])) == nil)
    }
}
