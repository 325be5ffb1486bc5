import Config

/// Who sent a request, as established by one of the authentication methods.
///
/// An identity never carries the secret that proved it: passwords, keys and tokens stay in `Authenticator`.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    /// How the caller proved who they are.
    public enum Method: String, Sendable, Hashable {
        /// No credentials: only what `anonymousPolicy` grants.
        case anonymous
        /// A user and password from the htpasswd file, in HTTP Basic auth.
        case password
        /// An API key (`zak_…`) in place of the password in HTTP Basic auth.
        case apiKey
        /// A session cookie from `POST /zot/auth/login`.
        case session
        /// A bearer token from the configured token server.
        case bearer
        /// A TLS client certificate verified against `http.tls.cacert`; its CommonName is the name.
        case certificate
    }

    /// The user name; empty for an anonymous caller.
    public let name: String
    /// The groups of `accessControl.groups` the user belongs to, sorted.
    public let groups: [String]
    public let method: Method
    /// For an API key with scopes: the repository globs it is limited to. `nil` means no limit beyond the
    /// user's own.
    public let scopes: [RepositoryGlob]?
    /// For a bearer token: what its `access` claim grants.
    public let grants: TokenGrants?

    public init(
        name: String, groups: [String] = [], method: Method, scopes: [RepositoryGlob]? = nil,
        grants: TokenGrants? = nil
    ) {
        self.name = name
        self.groups = groups.sorted()
        self.method = method
        self.scopes = scopes
        self.grants = grants
    }

    /// The caller with no credentials.
    public static let anonymous = Identity(name: "", method: .anonymous)

    public var isAnonymous: Bool { method == .anonymous }

    /// The name for logs: the user name, or `anonymous`.
    public var description: String { isAnonymous ? "anonymous" : name }
}
