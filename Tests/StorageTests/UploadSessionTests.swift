import Foundation
import Testing

@testable import Storage

/// An upload session's claim, progress and quota slot are owned by `UploadSessions` and given back in one
/// place: whatever a request or a garbage collection throws, the upload is never left held, and a session's
/// slot is freed exactly when the session ends.
@Suite struct UploadSessionTests {
    let alice = "user alice"

    @Test func aSessionBeyondTheLimitIsRefused() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        for _ in 0..<2 { _ = try await store.startUpload(in: repo("a"), owner: alice, limit: 2) }
        await #expect(throws: StorageError.tooManyUploadSessions(owner: alice, limit: 2)) {
            _ = try await store.startUpload(in: repo("a"), owner: alice, limit: 2)
        }
    }

    @Test func ownersAreCountedApart() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        _ = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        _ = try await store.startUpload(in: repo("a"), owner: "user bob", limit: 1)
        _ = try await store.startUpload(in: repo("a"), owner: "address alice", limit: 1)
        #expect(store.openUploadCount(for: alice) == 1)
    }

    @Test func completingASessionFreesItsSlot() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        let bytes = randomBytes(10)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [bytes]))
        _ = try await store.completeUpload(id, in: repo("a"), digest: sha256(bytes))
        #expect(store.openUploadCount(for: alice) == 0)
        _ = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
    }

    @Test func cancellingASessionFreesItsSlot() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        try await store.cancelUpload(id, in: repo("a"))
        #expect(store.openUploadCount(for: alice) == 0)
    }

    /// A digest mismatch discards the upload, and with it the slot.
    @Test func aDigestMismatchFreesTheSlot() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]))
        await #expect(throws: StorageError.self) { _ = try await store.completeUpload(id, in: repo("a"), digest: sha256([1])) }
        #expect(store.openUploadCount(for: alice) == 0)
    }

    /// A chunk that failed leaves the session resumable, so it still counts.
    @Test func aFailedChunkKeepsTheSlot() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        await #expect(throws: ChunkedBody.Dropped.self) {
            try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)], failAtEnd: true))
        }
        #expect(store.openUploadCount(for: alice) == 1)
        #expect(try await store.uploadOffset(id, in: repo("a")) == 10)
    }

    /// Sessions garbage collection expires free their slots at once, not when the client next asks.
    @Test func aSessionCollectedAsStaleFreesItsSlot() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        _ = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        #expect(try await store.collectGarbage(delay: -1).uploadsDeleted == 1)
        #expect(store.openUploadCount(for: alice) == 0)
    }

    /// The cancel that could not delete the staged file used to leave the upload held: "busy" until a restart.
    @Test func aCancelWhoseDiscardFailsLeavesTheUploadUsable() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"), owner: alice, limit: 1)
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]))
        let staged = BlobLayout(root: root.path).uploadPath(id)
        try makeUndeletable(staged)
        await #expect(throws: StorageError.self) { try await store.cancelUpload(id, in: repo("a")) }
        #expect(!store.sessions.isHeld(id))
        #expect(store.openUploadCount(for: alice) == 1)
        try FileManager.default.removeItem(atPath: staged)
        try await store.cancelUpload(id, in: repo("a"))
        #expect(store.openUploadCount(for: alice) == 0)
    }

    /// The same for the stale-upload pass of garbage collection.
    @Test func aCollectionWhoseDeleteFailsLeavesTheUploadUsable() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let id = try await store.startUpload(in: repo("a"))
        try await store.appendToUpload(id, in: repo("a"), body: ChunkedBody(chunks: [randomBytes(10)]))
        try makeUndeletable(BlobLayout(root: root.path).uploadPath(id))
        await #expect(throws: StorageError.self) { _ = try await store.collectGarbage(delay: -1) }
        #expect(!store.sessions.isHeld(id))
        #expect(try await store.uploadOffset(id, in: repo("a")) == 10)
    }

    /// A failed creation took no slot.
    @Test func aFailedOpenReturnsItsReservation() async throws {
        struct Broken: Error {}
        let sessions = UploadSessions()
        await #expect(throws: Broken.self) { _ = try await sessions.open(owner: alice, limit: 1) { throw Broken() } }
        #expect(sessions.openCount(for: alice) == 0)
        _ = try await sessions.open(owner: alice, limit: 1) { "s1" }
    }

    /// Concurrent opens cannot overshoot the limit between the check and the session's creation.
    @Test func concurrentOpensNeverExceedTheLimit() async throws {
        let sessions = UploadSessions()
        let opened = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    do {
                        _ = try await sessions.open(owner: alice, limit: 5) {
                            await Task.yield()
                            return "s\(index)"
                        }
                        return true
                    } catch {
                        #expect(error as? StorageError == .tooManyUploadSessions(owner: alice, limit: 5))
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 5)
    }

    /// Replaces the staged file with a non-empty directory of the same name: unlink then fails, as a real
    /// disk error would.
    private func makeUndeletable(_ path: String) throws {
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: path + "/keep", contents: Data([1]))
    }
}
