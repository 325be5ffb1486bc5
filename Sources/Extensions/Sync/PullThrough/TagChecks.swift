import Storage
import Synchronization

/// When each pulled-through tag was last checked against its upstream, so that a busy tag costs the upstream
/// one `HEAD` per interval, whatever the number of pulls. Claimed synchronously, on the pull's own task: a
/// pull of a tag not due costs a dictionary lookup, not a background job. Kept in memory: after a restart, a
/// tag's first pull checks it.
final class TagChecks: Sendable {
    private let lastChecked = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Whether `tag` is due for a check, marking it checked now when it is.
    func claim(_ tag: Tag, in repository: RepositoryName, every interval: Duration) -> Bool {
        let key = "\(repository):\(tag)"
        let now = ContinuousClock.now
        return lastChecked.withLock { lastChecked in
            if let last = lastChecked[key], now - last < interval { return false }
            lastChecked[key] = now
            return true
        }
    }
}
