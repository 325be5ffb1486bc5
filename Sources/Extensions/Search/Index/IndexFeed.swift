import Registry
import Synchronization

/// Storage events on their way into the index, in the order they happened.
///
/// The server announces an event before it answers the request, so indexing it there would add its cost to
/// every manifest push. The event is queued instead and applied in the background, all that queued up
/// meanwhile in one batch; a search first waits until everything announced before it has been applied, so a
/// client that pushed and then searches finds what it pushed.
final class IndexFeed: Sendable {
    /// Rings when events are waiting; rings coalesce, since one wake-up takes everything queued.
    let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    private struct State {
        var pending: [RegistryEvent] = []
        var posted = 0
        var applied = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    init() {
        (doorbell, ring) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func post(_ event: RegistryEvent) {
        state.withLock {
            $0.pending.append(event)
            $0.posted += 1
        }
        ring.yield()
    }

    /// Everything queued so far, in order, taken out; the one consumer calls `markApplied` with its count.
    func takePending() -> [RegistryEvent] {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }

    /// Called by the consumer after a batch, applied or failed.
    func markApplied(_ count: Int) {
        let ready = state.withLock { state in
            state.applied += count
            let applied = state.applied
            let ready = state.waiters.filter { $0.target <= applied }
            state.waiters.removeAll { $0.target <= applied }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Returns once every event posted before the call has been applied.
    func waitUntilCurrent() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let current = state.withLock { state in
                guard state.applied < state.posted else { return true }
                state.waiters.append((state.posted, continuation))
                return false
            }
            if current { continuation.resume() }
        }
    }

    func finish() { ring.finish() }
}
