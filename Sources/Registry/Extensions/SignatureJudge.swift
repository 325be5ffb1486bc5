import Synchronization
import Storage

/// Whether an image has a signature the registry trusts, as the extension that verifies signatures judges it
/// (trust), for the extensions that must know before they act (sync's `onlySigned`).
public protocol SignatureJudge: Sendable {
    /// Verifies, now, the signatures of `digest` that `repository` holds (cosign's tag, referrers), and says
    /// whether one of them is trusted.
    func hasTrustedSignature(_ digest: Digest, in repository: RepositoryName) async throws -> Bool
}

/// Where the judging extension leaves its judge for the others, at startup. Extensions are built in a fixed
/// order, the judge's first, so one that needs a judge finds it (or its absence) when it is built.
public final class SignatureJudgeSlot: Sendable {
    private let judge = Mutex<(any SignatureJudge)?>(nil)

    public init() {}

    public func provide(_ judge: any SignatureJudge) {
        self.judge.withLock { $0 = judge }
    }

    public var current: (any SignatureJudge)? { judge.withLock { $0 } }
}
