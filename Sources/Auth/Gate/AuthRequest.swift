/// The parts of an HTTP request that can identify its sender, as the HTTP layer hands them over.
public struct AuthRequest: Sendable {
    /// Every `Authorization` header value.
    public var authorization: [String]
    /// Every `Cookie` header value.
    public var cookies: [String]
    /// The DER bytes of the TLS client certificate the server verified, fetched only when needed.
    public var clientCertificate: @Sendable () async -> [UInt8]?

    public init(
        authorization: [String], cookies: [String] = [],
        clientCertificate: @escaping @Sendable () async -> [UInt8]? = { nil }
    ) {
        self.authorization = authorization
        self.cookies = cookies
        self.clientCertificate = clientCertificate
    }
}

/// Who sent a request, before anything is decided about it.
public enum Identification: Sendable {
    /// Credentials that check out.
    case identified(Identity)
    /// No credentials at all.
    case anonymous
    /// Credentials that do not check out (wrong password, bad token, malformed header); the reason is for
    /// debug logs and never holds a secret.
    case failed(String)
    /// The credentials could not be checked (the database failed).
    case unavailable(String)
}

/// What a request needs in order to be served.
public enum Requirement: Sendable, Equatable {
    /// Any caller the server accepts: a signed-in one, or an anonymous one when anonymous access exists
    /// (`GET /v2/`, extensions).
    case anyCaller
    /// A signed-in caller, never an anonymous one (the API key endpoints).
    case signedIn
    /// Each of these actions.
    case permissions([Permission])
    /// `GET /v2/_catalog`: the list is filtered afterwards to what the caller may read; a bearer token needs
    /// a catalog grant.
    case catalog
    /// `/metrics` (`accessControl.metrics`).
    case metrics
    /// An administrator (`accessControl.adminPolicy`), where auth is on.
    case admin
    /// `POST /zot/auth/login`: a user name and password, nothing else.
    case passwordLogin
}

/// The answer to "who is this, and may they do this?".
public enum Verdict: Sendable {
    /// Serve the request for this caller.
    case allow(Caller)
    /// 401: no acceptable credentials. The challenge goes into `WWW-Authenticate`; `delay` is how long to wait
    /// before answering (`failDelay`, for failed logins only); `reason` is for debug logs.
    case challenge(header: String, delay: Duration, reason: String, identity: Identity?)
    /// 403: the caller is known and lacks the right.
    case deny(Caller, missing: Permission?)
    /// 500: the credentials could not be checked (the database failed).
    case failure(String)
}
