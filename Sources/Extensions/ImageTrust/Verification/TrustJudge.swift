import Registry
import SearchExtension
import Storage

/// The trust extension's answer to `SignatureJudge`: the signatures of an image are found as clients find them
/// (cosign's tag, the referrers) and verified on the spot, not in the background queue, since the asker
/// (sync's `onlySigned`) waits on the verdict.
struct TrustJudge: SignatureJudge {
    let checker: SignatureChecker

    func hasTrustedSignature(_ digest: Digest, in repository: RepositoryName) async throws -> Bool {
        for signature in try await checker.signatures(of: digest, in: repository) {
            await checker.check(signature)
        }
        return try await !checker.verdicts.trustedTools(of: digest.description, in: repository.value).isEmpty
    }
}
