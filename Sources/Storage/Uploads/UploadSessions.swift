import Foundation
import Synchronization

/// Every upload session's in-memory state, owned in one place: which request holds it (one at a time), how
/// far it has got (offset and running hash), who waits for it, and whose quota it counts against.
///
/// A hold is taken and given back only inside `withUpload` and `removeIfIdle`, whatever their bodies throw,
/// and a session's quota slot is freed only where the session is forgotten; no caller releases anything by
/// hand. The persisted state is the upload's database row and staged file: after a restart a session is
/// unknown here until a request claims it and its progress is rebuilt from the file.
///
/// - Important: One `Mutex` over small maps, never held across an `await`.
final class UploadSessions: Sendable {
    /// Bytes staged and the running hash over them.
    struct Progress: Sendable {
        var offset: Int64
        var hasher: ContentHasher

        static var empty: Progress { Progress(offset: 0, hasher: ContentHasher(.sha256)) }
    }

    /// What the request holding an upload may change: its progress, or that the session ended (completed,
    /// cancelled, discarded after a digest mismatch) and is to be forgotten when the hold is given back.
    struct Hold {
        var progress: Progress
        private(set) var ended = false

        mutating func end() { ended = true }
    }

    private enum Slot {
        /// Nobody holds it; nil progress means not known in memory (rebuilt from the file at the next claim).
        case idle(Progress?)
        /// A request holds it; status requests wait here to answer where it leaves the upload.
        case held(waiters: [UUID: CheckedContinuation<Void, Never>])
    }

    private struct Session {
        var slot: Slot
        /// The client it counts against; nil for sessions opened before a restart, which count against nobody.
        var owner: String?
    }

    private struct State {
        var sessions: [String: Session] = [:]
        /// Open sessions per owner, including those whose creation is under way.
        var openByOwner: [String: Int] = [:]
    }

    private let state = Mutex(State())

    // MARK: Opening

    /// Creates a session with `create` (which returns its id), counted against `owner`; refused with
    /// `tooManyUploadSessions` when `owner` already holds `limit` open ones. The slot is reserved before
    /// `create` runs, so concurrent opens cannot overshoot the limit.
    func open(owner: String?, limit: Int?, _ create: () async throws -> String) async throws -> String {
        if let owner, let limit {
            let reserved = state.withLock { state -> Bool in
                guard state.openByOwner[owner, default: 0] < limit else { return false }
                state.openByOwner[owner, default: 0] += 1
                return true
            }
            guard reserved else { throw StorageError.tooManyUploadSessions(owner: owner, limit: limit) }
        }
        let id: String
        do {
            id = try await create()
        } catch {
            if let owner, limit != nil { state.withLock { Self.uncount(owner, in: &$0) } }
            throw error
        }
        state.withLock { state in
            state.sessions[id] = Session(slot: .idle(.empty), owner: limit == nil ? nil : owner)
        }
        return id
    }

    /// Open sessions `owner` holds, those being created included.
    func openCount(for owner: String) -> Int {
        state.withLock { $0.openByOwner[owner] ?? 0 }
    }

    // MARK: Holding

    /// Runs `body` holding upload `id`: no other request may write it meanwhile (`uploadBusy`). The hold
    /// starts from the progress in memory, or from `rebuild` when there is none, and is given back with the
    /// progress `body` leaves, or the session forgotten if `body` ended it, whether `body` returns or throws.
    ///
    /// `isCurrent` says whether the progress in memory still describes the staged bytes; it is rebuilt when
    /// not (another replica appended to a staging file they share).
    func withUpload<T>(
        _ id: String, rebuild: () async throws -> Progress, isCurrent: (Progress) async throws -> Bool = { _ in true },
        _ body: (inout Hold) async throws -> T
    ) async throws -> T {
        let known = try claim(id)
        let progress: Progress
        do {
            if let known, try await isCurrent(known) { progress = known } else { progress = try await rebuild() }
        } catch {
            giveBack(id, progress: nil, ended: false)
            throw error
        }
        var hold = Hold(progress: progress)
        defer { giveBack(id, progress: hold.progress, ended: hold.ended) }
        return try await body(&hold)
    }

    /// For garbage collection: runs `remove` only when no request holds upload `id`, and forgets the session
    /// once `remove` succeeded. Returns whether it ran.
    func removeIfIdle(_ id: String, _ remove: () async throws -> Void) async throws -> Bool {
        let previous: Progress?
        do {
            previous = try claim(id)
        } catch {
            return false
        }
        var removed = false
        defer { giveBack(id, progress: previous, ended: removed) }
        try await remove()
        removed = true
        return true
    }

    // MARK: Status

    /// The offset in memory, once no request holds the upload: waits up to `timeout` for the holder to give
    /// it back (it is usually the client's own previous request, cut short and still writing what arrived),
    /// woken by the give-back itself. Nil when the progress is not in memory.
    func settledOffset(of id: String, waitingAtMost timeout: Duration) async -> Int64? {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitWhileHeld(id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { state in
            if case .idle(let progress)? = state.sessions[id]?.slot { return progress?.offset }
            return nil
        }
    }

    /// Whether a request holds upload `id` right now.
    func isHeld(_ id: String) -> Bool {
        state.withLock { state in
            if case .held? = state.sessions[id]?.slot { return true }
            return false
        }
    }

    // MARK: Internals

    /// Marks the upload held and returns its progress if known; a session unknown here (opened before a
    /// restart) is entered, held, with nobody to count against.
    private func claim(_ id: String) throws(StorageError) -> Progress? {
        try state.withLock { state throws(StorageError) -> Progress? in
            var session = state.sessions[id] ?? Session(slot: .idle(nil), owner: nil)
            guard case .idle(let progress) = session.slot else { throw .uploadBusy(id) }
            session.slot = .held(waiters: [:])
            state.sessions[id] = session
            return progress
        }
    }

    private func giveBack(_ id: String, progress: Progress?, ended: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard var session = state.sessions[id] else { return [] }
            var waiting: [CheckedContinuation<Void, Never>] = []
            if case .held(let waiters) = session.slot { waiting = Array(waiters.values) }
            if ended {
                state.sessions[id] = nil
                if let owner = session.owner { Self.uncount(owner, in: &state) }
            } else {
                session.slot = .idle(progress)
                state.sessions[id] = session
            }
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitWhileHeld(_ id: String) async {
        let token = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    // Checked under the lock that `onCancel` takes too, so a cancellation is never missed.
                    guard !Task.isCancelled, var session = state.sessions[id],
                        case .held(var waiters) = session.slot
                    else { return false }
                    waiters[token] = continuation
                    session.slot = .held(waiters: waiters)
                    state.sessions[id] = session
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard var session = state.sessions[id], case .held(var waiters) = session.slot,
                    let continuation = waiters.removeValue(forKey: token)
                else { return nil }
                session.slot = .held(waiters: waiters)
                state.sessions[id] = session
                return continuation
            }
            continuation?.resume()
        }
    }

    private static func uncount(_ owner: String, in state: inout State) {
        let count = (state.openByOwner[owner] ?? 1) - 1
        state.openByOwner[owner] = count > 0 ? count : nil
    }
}
