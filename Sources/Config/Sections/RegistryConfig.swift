/// A registry's configuration, read from zot's JSON config format (see `ConfigLoader`).
///
/// Defaults are zot's unless noted, so a zot config means the same thing to zotd.
public struct RegistryConfig: Sendable, Equatable {
    /// The OCI distribution-spec version the config was written for: `"1.0.1"`, `"1.1.0"`, `"1.1.1"` or
    /// another 1.x. zotd serves distribution-spec 1.1 whatever this says, as zot does.
    public var distSpecVersion: String
    /// Where and how images are stored.
    public var storage: StorageConfig
    /// What the HTTP server listens on and how it answers.
    public var http: HTTPConfig
    /// Where log lines go and how many.
    public var log: LogConfig
    /// The extension sections, kept as written.
    public var extensions: ExtensionsConfig
    /// Background task settings.
    public var scheduler: SchedulerConfig
    /// zot's scale-out cluster section, kept as written. zotd refuses configs that have one (see
    /// `UnsupportedFeature`), so this is `nil` in every config it loads today.
    public var cluster: JSONValue?

    /// The distribution-spec version assumed when a config does not name one.
    public static let defaultDistSpecVersion = "1.1.1"

    /// The top-level sections zot knows; a JSON object with none of them is not a registry config.
    public static let sectionNames = [
        "distSpecVersion", "storage", "http", "log", "extensions", "scheduler", "cluster",
    ]

    /// Creates a config; everything but the storage root has a default.
    public init(
        distSpecVersion: String = RegistryConfig.defaultDistSpecVersion,
        storage: StorageConfig,
        http: HTTPConfig = HTTPConfig(),
        log: LogConfig = LogConfig(),
        extensions: ExtensionsConfig = ExtensionsConfig(),
        scheduler: SchedulerConfig = SchedulerConfig(),
        cluster: JSONValue? = nil
    ) {
        self.distSpecVersion = distSpecVersion
        self.storage = storage
        self.http = http
        self.log = log
        self.extensions = extensions
        self.scheduler = scheduler
        self.cluster = cluster
    }
}

/// zot's `scheduler` section: how much background work (GC, scrub, sync) runs at once.
public struct SchedulerConfig: Sendable, Equatable {
    /// How many background tasks run at once; `nil` lets the server choose (zot uses four per CPU).
    public var numWorkers: Int?

    /// Creates a scheduler config.
    public init(numWorkers: Int? = nil) {
        self.numWorkers = numWorkers
    }
}
