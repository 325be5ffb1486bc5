import Foundation
import Testing

@testable import Storage

/// `BlobFileListing`, the capability the orphan sweep needs: both backends offer it.
extension BlobStoreConformanceTests {
    func listing(_ opened: OpenedBackend) throws -> any BlobFileListing {
        try #require(opened.blobs as? any BlobFileListing)
    }

    func listedDigests(_ listing: any BlobFileListing, modifiedBefore cutoff: Double) async throws -> [[Digest]] {
        var shards: [[Digest]] = []
        try await listing.forEachBlobFileShard(modifiedBefore: cutoff) { shards.append($0) }
        return shards
    }

    /// Committed blobs of either algorithm are listed once each, in non-empty shards; staging files are not blobs.
    @Test(arguments: Backend.allCases)
    func listingHoldsEveryCommittedBlobOnce(_ backend: Backend) async throws {
        let opened = try await backend.open()
        var stored: Set<Digest> = []
        for _ in 0..<20 { stored.insert(try await opened.blobs.storeVerified(randomBytes(8))) }
        var sha512 = ContentHasher(.sha512)
        sha512.update([1, 2])
        try await opened.blobs.stage([1, 2], as: "long")
        try await opened.blobs.commitUpload("long", as: sha512.finalize(), durable: false)
        stored.insert(sha512.finalize())
        try await opened.blobs.stage(randomBytes(8), as: "still-staged")
        let shards = try await listedDigests(try listing(opened), modifiedBefore: Date().timeIntervalSince1970 + 60)
        #expect(shards.allSatisfy { !$0.isEmpty })
        #expect(shards.flatMap { $0 }.count == stored.count)
        #expect(Set(shards.flatMap { $0 }) == stored)
    }

    /// A blob modified since the cutoff may be a push in progress: it is not listed.
    @Test(arguments: Backend.allCases)
    func listingLeavesOutBlobsModifiedSinceTheCutoff(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.blobs.storeVerified(randomBytes(8))
        #expect(try await listedDigests(try listing(opened), modifiedBefore: Date().timeIntervalSince1970 - 60).isEmpty)
    }

    /// A blob's modification time is when its bytes were staged (a commit moves them, it does not write them);
    /// file systems stamp times at a coarse tick, hence the second of slack.
    @Test(arguments: Backend.allCases)
    func modificationTimeIsWhenTheBlobWasWritten(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let before = Date().timeIntervalSince1970
        let digest = try await opened.blobs.storeVerified(randomBytes(8))
        let after = Date().timeIntervalSince1970
        let modified = try #require(try await listing(opened).modificationTime(of: digest))
        #expect(modified >= before - 1 && modified <= after + 1)
        #expect(try await listing(opened).modificationTime(of: sha256([3])) == nil)
    }
}
