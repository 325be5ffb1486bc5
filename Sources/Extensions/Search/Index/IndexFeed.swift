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
        /// The consumer, while it lets a batch build up.
        var gathering: (batchLimit: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    init() {
        (doorbell, ring) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func post(_ event: RegistryEvent) {
        let full = state.withLock { state in
            state.pending.append(event)
            state.posted += 1
            return state.pending.count >= (state.gathering?.batchLimit ?? .max) ? state.gathering.take() : nil
        }
        full?.continuation.resume()
        ring.yield()
    }

    /// Returns when a batch is worth applying: `window` after the call, or sooner once `batchLimit` events wait
    /// or a search waits for them.
    func gather(window: Duration, batchLimit: Int) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: window) }
            group.addTask { await self.untilBatchIsDue(batchLimit) }
            await group.next()
            group.cancelAll()
        }
    }

    private func untilBatchIsDue(_ batchLimit: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let due = state.withLock { state in
                    guard !Task.isCancelled, state.waiters.isEmpty, state.pending.count < batchLimit else { return true }
                    state.gathering = (batchLimit, continuation)
                    return false
                }
                if due { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.gathering.take() }?.continuation.resume()
        }
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
            let current = state.withLock { state -> Bool in
                guard state.applied < state.posted else { return true }
                state.waiters.append((state.posted, continuation))
                // The consumer stops gathering: a search is waiting.
                state.gathering.take()?.continuation.resume()
                return false
            }
            if current { continuation.resume() }
        }
    }

    func finish() { ring.finish() }
}
