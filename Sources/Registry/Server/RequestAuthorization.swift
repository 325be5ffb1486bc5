import Auth

/// Lets a route ask Auth for more than its operation declared, once it knows it needs more (a manifest push
/// that would move a tag needs `update`); refused exactly as `AuthResponder` refuses.
struct RequestAuthorization: Sendable {
    let authenticator: Authenticator
    let identification: Identification
    /// Whether a 401 names the challenge (`WebUIClient.wantsChallenge`).
    let challenges: Bool

    func require(_ permissions: [Permission]) throws(OCIError) {
        let verdict = authenticator.judge(identification, .permissions(permissions))
        if let refusal = OCIError(refusal: verdict, challenges: challenges) {
            throw refusal
        }
    }
}

extension OCIError {
    /// The answer to a request Auth refused (401 with the challenge clients log in by, 403, or 500 when the
    /// credentials could not be checked); nil when it was allowed. `challenges` false leaves the challenge
    /// out of a 401 (zui's requests: `WebUIClient`).
    init?(refusal verdict: Verdict, challenges: Bool) {
        switch verdict {
        case .allow:
            return nil
        case .challenge(let header, _, _, _):
            self.init(.unauthorized, headers: challenges ? [.wwwAuthenticate: header] : [:])
        case .deny(let caller, let missing):
            self.init(.denied, detail: missing.map { "\(caller.identity) may not \($0.action.rawValue) \($0.repository)" })
        case .failure:
            self.init(.unknown)
        }
    }
}
