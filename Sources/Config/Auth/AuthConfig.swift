/// zot's `http.auth` section, as far as zotd supports it, plus the server settings that shape challenges.
public struct AuthConfig: Sendable, Equatable {
    /// `htpasswd.path`: the file of `user:bcrypt-hash` lines, re-read when it changes.
    public var htpasswdPath: String?
    /// `apikey`: whether users may create API keys and use them in place of their password.
    public var apiKeys: Bool
    /// `bearer`: tokens from an external docker token server.
    public var bearer: BearerConfig?
    /// `failDelay`: how long to wait before answering a failed login.
    public var failDelay: Duration
    /// `secureSession`: whether the session cookie is marked `Secure` even without TLS (behind a
    /// TLS-terminating proxy). With TLS it always is.
    public var secureSession: Bool

    public init(
        htpasswdPath: String? = nil, apiKeys: Bool = false, bearer: BearerConfig? = nil, failDelay: Duration = .zero,
        secureSession: Bool = false
    ) {
        self.htpasswdPath = htpasswdPath
        self.apiKeys = apiKeys
        self.bearer = bearer
        self.failDelay = failDelay
        self.secureSession = secureSession
    }

    /// Whether a user name and password (or API key) can sign a caller in.
    public var hasBasicAuthentication: Bool { htpasswdPath != nil || apiKeys }
}

/// zot's `http.auth.bearer`: where clients get tokens, and the certificate whose key signs them.
public struct BearerConfig: Sendable, Equatable {
    /// The token server's URL, sent in challenges.
    public var realm: String
    /// This registry's name at the token server; tokens must name it as their audience.
    public var service: String
    /// A PEM certificate (or public key) of the token server's signing key.
    public var certificatePath: String

    public init(realm: String, service: String, certificatePath: String) {
        self.realm = realm
        self.service = service
        self.certificatePath = certificatePath
    }
}
