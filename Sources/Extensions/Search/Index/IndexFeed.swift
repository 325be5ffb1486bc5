import Registry
import Synchronization

/// Storage events on their way into the index, in the order they happened.
///
/// The server announces an event before it answers the request, so indexing it there would add its cost to
/// every manifest push. The event is queued instead and applied in the background; a search first waits
/// until everything announced before it has been applied, so a client that pushed and then searches finds
/// what it pushed.
final class IndexFeed: Sendable {
    let events: AsyncStream<RegistryEvent>
    private let continuation: AsyncStream<RegistryEvent>.Continuation
    private let progress = Mutex(Progress())

    private struct Progress {
        var posted = 0
        var applied = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    init() {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    func post(_ event: RegistryEvent) {
        progress.withLock { $0.posted += 1 }
        continuation.yield(event)
    }

    /// Called by the one consumer of `events` after each event, applied or failed.
    func markApplied() {
        let ready = progress.withLock { progress in
            progress.applied += 1
            let applied = progress.applied
            let ready = progress.waiters.filter { $0.target <= applied }
            progress.waiters.removeAll { $0.target <= applied }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Returns once every event posted before the call has been applied.
    func waitUntilCurrent() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let current = progress.withLock { progress in
                guard progress.applied < progress.posted else { return true }
                progress.waiters.append((progress.posted, continuation))
                return false
            }
            if current { continuation.resume() }
        }
    }

    func finish() { continuation.finish() }
}
