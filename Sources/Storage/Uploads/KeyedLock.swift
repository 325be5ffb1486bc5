import Synchronization

/// An async mutual-exclusion lock per key (a digest, say), so that work on one key never
/// waits for work on another. Waiters are served in arrival order.
final class KeyedLock<Key: Hashable & Sendable>: Sendable {
    private let waiters = Mutex<[Key: [CheckedContinuation<Void, Never>]]>([:])

    func withLock<T>(_ key: Key, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: Key) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = waiters.withLock { state -> Bool in
                if state[key] == nil {
                    state[key] = []
                    return true
                }
                state[key]!.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func release(_ key: Key) {
        let next = waiters.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var queue = state[key], !queue.isEmpty else {
                state[key] = nil
                return nil
            }
            let next = queue.removeFirst()
            state[key] = queue
            return next
        }
        next?.resume()
    }
}
