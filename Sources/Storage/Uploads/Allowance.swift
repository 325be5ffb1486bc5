import Synchronization

/// A number of things that may be had at once: claimed while some are left, given back by whoever
/// claimed one.
///
/// Big bodies take larger buffers than the rest, and only a few at once may: see `StagingBufferSizes`
/// and the server's body reads.
public final class Allowance: Sendable {
    let limit: Int
    private let inUse = Mutex(0)

    public init(_ limit: Int) {
        self.limit = limit
    }

    /// Runs `body` with whether one was claimed; it is given back when `body` returns or throws.
    public func withClaim<T>(if wanted: Bool = true, _ body: (Bool) async throws -> T) async rethrows -> T {
        let claimed = wanted && claim()
        defer { if claimed { giveBack() } }
        return try await body(claimed)
    }

    /// Claims one if some are left. For a claim that no scope bounds (a connection's, released by its
    /// channel handler); anything else uses `withClaim`.
    public func claim() -> Bool {
        inUse.withLock { inUse in
            guard inUse < limit else { return false }
            inUse += 1
            return true
        }
    }

    /// Gives back one that `claim` returned true for.
    public func giveBack() {
        inUse.withLock { inUse in
            precondition(inUse > 0, "an allowance given back more often than claimed")
            inUse -= 1
        }
    }
}
