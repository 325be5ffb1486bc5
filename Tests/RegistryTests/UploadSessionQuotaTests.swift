import Synchronization
import Testing

@testable import Registry

/// Session ids storage still has, standing in for the metadata database.
private final class FakeSessions: Sendable {
    private let open = Mutex<Set<String>>([])
    private let next = Atomic<Int>(0)

    func start() -> String {
        let id = "s\(next.add(1, ordering: .relaxed).newValue)"
        open.withLock { _ = $0.insert(id) }
        return id
    }

    func end(_ id: String) { open.withLock { _ = $0.remove(id) } }
    func isOpen(_ id: String) -> Bool { open.withLock { $0.contains(id) } }
}

private func quota(limit: Int, _ storage: FakeSessions) -> UploadSessionQuota {
    UploadSessionQuota(limit: limit, pruneInterval: .zero) { storage.isOpen($0) }
}

private func isTooManyRequests(_ error: any Error) -> Bool {
    (error as? OCIError)?.code == .tooManyRequests
}

private let alice = UploadClient.user("alice")

@Test func sessionBeyondTheLimitIsRefusedWithTooManyRequests() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 2, storage)
    _ = try await sessions.open(for: alice) { storage.start() }
    _ = try await sessions.open(for: alice) { storage.start() }
    await #expect(throws: OCIError.self) { _ = try await sessions.open(for: alice) { storage.start() } }
    #expect(sessions.count(for: alice) == 2)
}

@Test func closingASessionFreesItsSlot() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 1, storage)
    let id = try await sessions.open(for: alice) { storage.start() }
    storage.end(id)
    sessions.close(id)
    _ = try await sessions.open(for: alice) { storage.start() }
}

/// A session that ended where this table did not see it (garbage collection expired it) is noticed
/// when the client reaches its limit.
@Test func sessionExpiredInStorageIsForgottenAtTheLimit() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 1, storage)
    storage.end(try await sessions.open(for: alice) { storage.start() })
    _ = try await sessions.open(for: alice) { storage.start() }
    #expect(sessions.count(for: alice) == 1)
}

@Test func clientsAreCountedApart() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 1, storage)
    _ = try await sessions.open(for: alice) { storage.start() }
    _ = try await sessions.open(for: .user("bob")) { storage.start() }
    _ = try await sessions.open(for: .address("alice")) { storage.start() }
}

/// A failed start opened nothing, so it leaves no slot taken.
@Test func failedStartReturnsItsReservation() async throws {
    struct Broken: Error {}
    let storage = FakeSessions()
    let sessions = quota(limit: 1, storage)
    await #expect(throws: Broken.self) { _ = try await sessions.open(for: alice) { throw Broken() } }
    #expect(sessions.count(for: alice) == 0)
    _ = try await sessions.open(for: alice) { storage.start() }
}

/// A failure that leaves the session resumable keeps it counted; one that discarded it does not.
@Test func failedRequestFreesTheSlotOnlyWhenTheSessionEnded() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 2, storage)
    let kept = try await sessions.open(for: alice) { storage.start() }
    let discarded = try await sessions.open(for: alice) { storage.start() }
    storage.end(discarded)
    sessions.closeIfEnded(kept)
    sessions.closeIfEnded(discarded)
    #expect(sessions.count(for: alice) == 1)
}

/// Concurrent `POST`s cannot overshoot the limit between the check and the session's creation.
@Test func concurrentOpensNeverExceedTheLimit() async throws {
    let storage = FakeSessions()
    let sessions = quota(limit: 5, storage)
    let opened = await withTaskGroup(of: Bool.self) { group in
        for _ in 0..<50 {
            group.addTask {
                do {
                    _ = try await sessions.open(for: alice) {
                        await Task.yield()
                        return storage.start()
                    }
                    return true
                } catch {
                    #expect(isTooManyRequests(error))
                    return false
                }
            }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(opened == 5)
}
