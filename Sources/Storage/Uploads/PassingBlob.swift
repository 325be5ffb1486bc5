import Synchronization

/// A blob being copied in from elsewhere (an upstream registry) that readers follow while it is written:
/// what it has staged so far, and how the copy ended.
///
/// Owned by the copy (`RegistryStore.copyIn`), which alone advances and finishes it; readers
/// (`RegistryStore.follow`) only wait on it. Readers never get the last byte before the digest is verified:
/// a client is sent a whole body only when it is the right one, and otherwise sees the response fail one
/// byte short, as a cut connection. A waiter is resumed by every advance, which comes once per staged
/// write (512 KiB or 2 MiB, see `StagingBufferSizes`), and by the end of the copy.
public final class PassingBlob: Sendable {
    public let digest: Digest
    /// The size the source announced; a copy of any other length fails.
    public let size: Int64
    let stagingID = RegistryStore.sessionlessUploadID()
    private let state: Mutex<State>

    fileprivate struct State {
        let size: Int64
        var written: Int64 = 0
        var outcome: Result<Void, StorageError>?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// How far a reader may read.
    enum Progress {
        /// Bytes before this offset are staged.
        case staged(Int64)
        /// The blob is verified and stored: read it from storage.
        case stored
    }

    public init(digest: Digest, size: Int64) {
        self.digest = digest
        self.size = size
        state = Mutex(State(size: size))
    }

    /// Whether the copy ended, and how: nil while it runs.
    public var outcome: Result<Void, StorageError>? { state.withLock { $0.outcome } }

    func advance(to written: Int64) {
        resume(state.withLock { state in
            state.written = written
            return state.takeWaiters()
        })
    }

    func finish(_ outcome: Result<Void, StorageError>) {
        resume(state.withLock { state in
            state.outcome = outcome
            return state.takeWaiters()
        })
    }

    /// Waits until bytes beyond `offset` are staged or the copy ended.
    /// - Throws: the copy's error when it failed.
    func progress(beyond offset: Int64) async throws(StorageError) -> Progress {
        while true {
            let now: Progress? = try state.withLock { state throws(StorageError) in try state.progress(beyond: offset) }
            if let now { return now }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    guard state.mustWait(beyond: offset) else { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// Waits for the copy to end.
    /// - Throws: its error when it failed.
    public func finished() async throws(StorageError) {
        while true {
            if case .some(let outcome) = outcome { return try outcome.get() }
            _ = try await progress(beyond: state.withLock { $0.written })
        }
    }

    private func resume(_ waiters: [CheckedContinuation<Void, Never>]) {
        for waiter in waiters { waiter.resume() }
    }
}

extension PassingBlob.State {
    mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
        defer { waiters = [] }
        return waiters
    }

    /// Staged bytes a reader may have before the copy ends: all but the last byte (see `PassingBlob`).
    var readable: Int64 { min(written, size - 1) }

    func mustWait(beyond offset: Int64) -> Bool { outcome == nil && readable <= offset }

    /// Where a reader at `offset` stands, or nil when it must wait.
    func progress(beyond offset: Int64) throws(StorageError) -> PassingBlob.Progress? {
        switch outcome {
        case .success: return .stored
        case .failure(let error): throw error
        case nil: return readable > offset ? .staged(readable) : nil
        }
    }
}
