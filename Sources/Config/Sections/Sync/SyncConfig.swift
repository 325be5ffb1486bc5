/// `extensions.sync`, as zot writes it: the upstream registries zotd pulls through and mirrors.
public struct SyncConfig: Sendable, Equatable {
    /// A JSON file of credentials per upstream host (`{"host:port": {"username": …, "password": …}}`).
    public var credentialsFile: String?
    public var registries: [SyncRegistryConfig]

    public init(credentialsFile: String? = nil, registries: [SyncRegistryConfig] = []) {
        self.credentialsFile = credentialsFile
        self.registries = registries
    }
}

/// One entry of `extensions.sync.registries`: an upstream registry, by one or more URLs tried in order.
public struct SyncRegistryConfig: Sendable, Equatable {
    /// Base URLs (`https://host:port`), each a mirror of the others: the next is tried when one fails.
    public var urls: [String]
    /// Pull through on demand: an image zotd does not hold is fetched from here when a client asks for it.
    public var onDemand: Bool
    /// Mirror periodically: every interval, the repositories and tags `content` selects are copied.
    public var pollInterval: Duration?
    /// Verify the upstream's TLS certificate (zot's default: true).
    public var tlsVerify: Bool
    /// A directory with `ca.crt` (trusted roots) and optionally `client.cert` + `client.key` (mTLS), as zot
    /// and docker lay it out.
    public var certDir: String?
    /// Attempts after a failed one, and the delay before the first retry (doubled up to `maxRetryDelay`).
    public var maxRetries: Int
    public var retryDelay: Duration
    public var maxRetryDelay: Duration
    /// Only images with a signature the trust extension trusts are synced (it must be compiled in and on).
    public var onlySigned: Bool
    /// How long one fetch (a manifest, a whole blob) may take before it is abandoned.
    public var syncTimeout: Duration
    /// zotd's own key: a tag pulled through is served from storage, and the upstream asked (in the background,
    /// by a `HEAD`) whether it moved, at most once per this interval (`revalidateAfter`, default 5 minutes).
    public var revalidateAfter: Duration
    /// Which upstream repositories this registry serves, and under which local names.
    public var content: [SyncContentRule]

    public init(
        urls: [String], onDemand: Bool = false, pollInterval: Duration? = nil, tlsVerify: Bool = true, certDir: String? = nil, maxRetries: Int = 3,
        retryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(30), syncTimeout: Duration = .seconds(600),
        revalidateAfter: Duration = .seconds(300), content: [SyncContentRule] = []
    ) {
        self.urls = urls
        self.onDemand = onDemand
        self.pollInterval = pollInterval
        self.tlsVerify = tlsVerify
        self.certDir = certDir
        self.maxRetries = maxRetries
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.syncTimeout = syncTimeout
        self.revalidateAfter = revalidateAfter
        self.onlySigned = false
        self.content = content
    }
}

/// One entry of a registry's `content`: upstream repositories matching `prefix` (a glob: `*` within a path
/// component, `**` across them), optionally placed under `destination` locally.
public struct SyncContentRule: Sendable, Equatable {
    public var prefix: String
    public var tags: SyncTagFilter?
    /// The local name the matching repositories go under (`/repo` → `repo`).
    public var destination: String?
    /// With `destination`: drop the prefix's fixed leading part from the upstream name before appending it.
    public var stripPrefix: Bool

    public init(prefix: String, tags: SyncTagFilter? = nil, destination: String? = nil, stripPrefix: Bool = false) {
        self.prefix = prefix
        self.tags = tags
        self.destination = destination
        self.stripPrefix = stripPrefix
    }
}

/// Which tags of a repository are synced: those `regex` matches and `excludeRegex` does not, and with
/// `semver` only those that are semantic versions.
public struct SyncTagFilter: Sendable, Equatable {
    public var regex: String?
    public var excludeRegex: String?
    public var semver: Bool

    public init(regex: String? = nil, excludeRegex: String? = nil, semver: Bool = false) {
        self.regex = regex
        self.excludeRegex = excludeRegex
        self.semver = semver
    }
}
