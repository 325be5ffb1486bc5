
/// zot's `http` section: what the server listens on and how it answers.
public struct HTTPConfig: Sendable, Equatable {
    /// The address to listen on. Default: `"127.0.0.1"`, reachable from this machine only.
    public var address: String
    /// The TCP port, 0 to 65535; zot writes it as a string (`"8080"`), zotd also takes a number. Default: 8080.
    public var port: Int
    /// The realm named in `WWW-Authenticate` challenges.
    public var realm: String?
    /// The URL clients reach the registry at, when it differs from address and port (behind a proxy).
    public var externalURL: String?
    /// zot's `allowOrigin`: the CORS origins allowed, comma-separated as zot writes them.
    public var allowOrigin: String?
    /// Compatibility modes; zot knows `"docker2s2"` (accept Docker schema 2 manifests). zotd accepts those
    /// by default, so the setting changes nothing, but it is kept and checked.
    public var compat: [String]
    /// `readTimeout` as written: the longest a request may take to arrive, and a kept-alive connection
    /// may sit idle. `effectiveReadTimeout` is what the server uses.
    public var readTimeout: Duration?
    /// `writeTimeout` as written: how long a response may make no progress because the client stopped
    /// reading before the connection is closed. `effectiveWriteTimeout` is what the server uses.
    public var writeTimeout: Duration?
    /// zotd's own `maxUploadSessionsPerClient` (zot has no such key): how many resumable upload sessions one
    /// client (the authenticated user, else the IP address) may hold open. Default 1,000.
    public var maxUploadSessionsPerClient: Int
    /// The `auth` section as written (the mgmt extension reports it); `authConfig` is what zotd reads of it.
    public var auth: JSONValue?
    /// The `tls` section as written; `tlsConfig` is what zotd reads of it.
    public var tls: JSONValue?
    /// The `accessControl` section as written; `accessControlConfig` is what zotd reads of it.
    public var accessControl: JSONValue?
    /// `auth`, read: htpasswd, API keys, bearer tokens, `failDelay`.
    public var authConfig: AuthConfig?
    /// `tls`, read: the server's certificate and key, and the CA of client certificates.
    public var tlsConfig: TLSConfig?
    /// `accessControl`, read: who may do what to which repositories.
    public var accessControlConfig: AccessControlConfig?
    /// The `ratelimit` section as written; `rateLimitConfig` is what zotd reads of it.
    public var ratelimit: JSONValue?
    /// `ratelimit`, read: requests per second overall and per method.
    public var rateLimitConfig: RateLimitConfig?

    /// The compatibility modes zot knows.
    public static let knownCompatModes: Set<String> = ["docker2s2"]
    /// The read timeout when the config sets none, or `"0"`.
    public static let defaultReadTimeout: Duration = .seconds(60)
    /// The write timeout when the config sets none, or `"0"`.
    public static let defaultWriteTimeout: Duration = .seconds(60)
    /// Generous: a client pushing many layers in parallel opens a few dozen sessions at most.
    public static let defaultMaxUploadSessionsPerClient = 1000

    /// `readTimeout`, with absent and zero meaning the default: a zero idle timeout would close every
    /// connection at once, and none at all would let slowloris clients hold connections for ever.
    public var effectiveReadTimeout: Duration {
        guard let readTimeout, readTimeout > .zero else { return Self.defaultReadTimeout }
        return readTimeout
    }

    /// `writeTimeout`, with absent and zero meaning the default: a stalled download is never held for
    /// ever, whatever the config says.
    public var effectiveWriteTimeout: Duration {
        guard let writeTimeout, writeTimeout > .zero else { return Self.defaultWriteTimeout }
        return writeTimeout
    }

    /// Creates an HTTP config with zot's defaults.
    public init(
        address: String = "127.0.0.1",
        port: Int = 8080,
        realm: String? = nil,
        externalURL: String? = nil,
        allowOrigin: String? = nil,
        compat: [String] = [],
        readTimeout: Duration? = nil,
        writeTimeout: Duration? = nil,
        maxUploadSessionsPerClient: Int = HTTPConfig.defaultMaxUploadSessionsPerClient,
        auth: JSONValue? = nil,
        tls: JSONValue? = nil,
        accessControl: JSONValue? = nil,
        ratelimit: JSONValue? = nil,
        authConfig: AuthConfig? = nil,
        tlsConfig: TLSConfig? = nil,
        accessControlConfig: AccessControlConfig? = nil
    ) {
        self.address = address
        self.port = port
        self.realm = realm
        self.externalURL = externalURL
        self.allowOrigin = allowOrigin
        self.compat = compat
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.maxUploadSessionsPerClient = maxUploadSessionsPerClient
        self.auth = auth
        self.tls = tls
        self.accessControl = accessControl
        self.ratelimit = ratelimit
        self.authConfig = authConfig
        self.tlsConfig = tlsConfig
        self.accessControlConfig = accessControlConfig
    }
}
