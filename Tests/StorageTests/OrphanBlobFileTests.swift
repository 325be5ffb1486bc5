import Foundation
import Testing

@testable import Storage

/// A kill between a verified upload's rename into `blobs/` and the insert of its row leaves a file no row
/// knows. GC removes such files once older than its delay, and never a file a row knows.
@Suite struct OrphanBlobFileTests {
    /// GC's delay in these tests: one hour, as zot's default.
    let delay: Double = 3600

    /// What the crash leaves: a verified blob file in place, and no row.
    func plantOrphan(_ store: RegistryStore, _ bytes: [UInt8], modifiedSecondsAgo seconds: Double) throws -> String {
        let layout = (store.blobs as! LocalBlobStore).layout
        let digest = sha256(bytes)
        try FileManager.default.createDirectory(atPath: layout.blobDirectory(digest), withIntermediateDirectories: true)
        let path = layout.blobPath(digest)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try age(path, seconds: seconds)
        return path
    }

    func age(_ path: String, seconds: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -seconds)], ofItemAtPath: path)
    }

    @Test func orphanOlderThanTheDelayIsRemoved() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let path = try plantOrphan(store, randomBytes(100), modifiedSecondsAgo: 2 * delay)
        let report = try await store.collectGarbage(delay: delay)
        #expect(report.orphanFilesDeleted == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A younger file may be a push in progress (or one that the metadata is about to record).
    @Test func orphanYoungerThanTheDelayIsKept() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let path = try plantOrphan(store, randomBytes(100), modifiedSecondsAgo: delay / 2)
        let report = try await store.collectGarbage(delay: delay)
        #expect(report.orphanFilesDeleted == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    /// Files the metadata records stay, however old: linked blobs of a tagged image (even with a delay that
    /// makes everything old enough), and a blob no repository links yet, whose removal is GC's ordinary job.
    @Test func recordedBlobsAreNeverRemovedAsOrphans() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let manifest = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(manifest, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let layout = (store.blobs as! LocalBlobStore).layout
        let blobs = try ParsedManifest(bytes: manifest, contentType: nil).blobs
        for blob in blobs { try age(layout.blobPath(blob), seconds: 2 * delay) }
        let unlinked = randomBytes(50)
        _ = try await store.storeBlob(sha256(unlinked), in: repo("b"), body: ChunkedBody(chunks: [unlinked]), declaredLength: nil)
        try await store.deleteBlob(sha256(unlinked), in: repo("b"))
        try age(layout.blobPath(sha256(unlinked)), seconds: 2 * delay)

        #expect(try await store.removeOrphanBlobFiles(modifiedBefore: RegistryStore.now + 60) == 0)
        let report = try await store.collectGarbage(delay: -1)
        #expect(report.orphanFilesDeleted == 0)
        for blob in blobs { #expect(try await store.blobs.size(of: blob) != nil) }
        // The unlinked blob went the ordinary way: its row first, then its file.
        #expect(report.blobsDeleted == 1)
    }

    /// Files that are not named like blobs are not the sweep's to remove.
    @Test func filesNotNamedLikeBlobsAreLeftAlone() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let layout = (store.blobs as! LocalBlobStore).layout
        let stray = "\(layout.blobsDirectory)/sha256/ab/not-a-digest"
        try FileManager.default.createDirectory(atPath: "\(layout.blobsDirectory)/sha256/ab", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: stray, contents: Data([1, 2, 3])))
        try age(stray, seconds: 2 * delay)
        #expect(try await store.collectGarbage(delay: delay).orphanFilesDeleted == 0)
        #expect(FileManager.default.fileExists(atPath: stray))
    }

    /// An old orphan whose digest is pushed again while the sweep runs: the push's commit keeps the file that is
    /// already there (same content, same size) and records it. Taking the digest's lock and asking the metadata
    /// again under it means the sweep never removes the file of an acknowledged push.
    @Test func sweepRacingAPushOfTheSameDigestKeepsThePushedBlob() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        for _ in 0..<25 {
            let bytes = randomBytes(2000)
            _ = try plantOrphan(store, bytes, modifiedSecondsAgo: 2 * delay)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await store.storeBlob(sha256(bytes), in: repo("a"), body: ChunkedBody(chunks: [bytes]), declaredLength: nil)
                }
                group.addTask { _ = try await store.removeOrphanBlobFiles(modifiedBefore: RegistryStore.now - self.delay) }
                try await group.waitForAll()
            }
            #expect(try await store.blob(sha256(bytes), in: repo("a")) != nil)
            #expect(try await store.blobs.size(of: sha256(bytes)) == 2000)
        }
    }
}
