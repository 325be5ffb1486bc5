/// zot's `storage` section: where images live and how they are kept tidy.
public struct StorageConfig: Sendable, Equatable {
    /// The directory holding every repository, as written; a relative path is resolved by the server.
    public var rootDirectory: String
    /// Whether identical blobs are stored once. zot's default: on.
    public var dedupe: Bool
    /// Whether garbage collection runs. zot's default: on.
    public var gc: Bool
    /// How old an unreferenced blob or untagged manifest must be before GC removes it, so that a push in
    /// progress never loses what it uploaded first. zot's default: one hour.
    public var gcDelay: Duration
    /// How often GC sweeps every repository; zero turns the periodic sweep off, as in zot. zot's default:
    /// one hour.
    public var gcInterval: Duration
    /// The daily window in which a periodic sweep may start; `nil` means any time.
    public var gcTimeWindow: GCTimeWindow?
    /// zot's `commit` flag: make every write durable on disk (fsync) before answering. Default: off.
    public var commit: Bool
    /// Whether metadata lives in a remote store: `true` only with the `postgresql` cache driver.
    public var remoteCache: Bool
    /// Separate storage for repositories under a route prefix, e.g. `"/a"`, keyed by that prefix. Parsed with
    /// zot's rules but refused for now (see `UnsupportedFeature`), so empty in every config zotd loads today.
    public var subPaths: [String: StorageConfig]
    /// Retention policies, kept as written for later work; refused for now (see `UnsupportedFeature`).
    public var retention: JSONValue?
    /// The storage driver section, kept as written; `local` and `s3` get past the refusal table.
    public var storageDriver: JSONValue?
    /// `storageDriver` read: where blobs live.
    public var driver: StorageDriverConfig = .local
    /// zotd's key: blob GETs answered with a 307 to a presigned URL of the blob in the bucket (S3 only), so
    /// that the bytes do not pass through zotd. Default off.
    public var redirectBlobURL = false
    /// The cache driver section, kept as written; `boltdb` and `postgresql` get past the refusal table.
    public var cacheDriver: JSONValue?
    /// `cacheDriver` read: where metadata lives.
    public var metadataDriver: MetadataDriverConfig = .embedded

    /// zot's default GC delay and interval: one hour each.
    public static let defaultGCPeriod: Duration = .seconds(3600)

    /// Creates a storage config with zot's defaults for the top-level `storage` section.
    public init(
        rootDirectory: String,
        dedupe: Bool = true,
        gc: Bool = true,
        gcDelay: Duration = StorageConfig.defaultGCPeriod,
        gcInterval: Duration = StorageConfig.defaultGCPeriod,
        gcTimeWindow: GCTimeWindow? = nil,
        commit: Bool = false,
        remoteCache: Bool = false,
        subPaths: [String: StorageConfig] = [:],
        retention: JSONValue? = nil,
        storageDriver: JSONValue? = nil,
        cacheDriver: JSONValue? = nil
    ) {
        self.rootDirectory = rootDirectory
        self.dedupe = dedupe
        self.gc = gc
        self.gcDelay = gcDelay
        self.gcInterval = gcInterval
        self.gcTimeWindow = gcTimeWindow
        self.commit = commit
        self.remoteCache = remoteCache
        self.subPaths = subPaths
        self.retention = retention
        self.storageDriver = storageDriver
        self.cacheDriver = cacheDriver
    }

    /// How often the server should start a GC sweep, or `nil` when it should not sweep periodically
    /// (GC off, or an interval of zero).
    public var periodicGCInterval: Duration? {
        gc && gcInterval > .zero ? gcInterval : nil
    }
}
