extension StorageConfig {
    /// What `storage.rootDirectory` must hold, for the error when it is missing.
    static let rootDirectoryExpectation = "the directory that holds the images, e.g. \"/var/lib/zotd\""

    /// Reads the `storage` section, or with `isSubPath` one entry of `storage.subPaths`.
    ///
    /// Sub-path entries start from Go's zero values, not the top-level defaults: zot decodes each into a fresh
    /// struct, so an entry that does not say `"gc": true` has GC off there.
    init(reading reader: inout ConfigReader, isSubPath: Bool, warnings: inout [ConfigWarning]) throws(ConfigError) {
        guard let root = try reader.string("rootDirectory"), !root.isEmpty else {
            throw .missing(
                keyPath: reader.path.appending("rootDirectory").description,
                expected: Self.rootDirectoryExpectation)
        }
        self =
            isSubPath
            ? StorageConfig(rootDirectory: root, dedupe: false, gc: false, gcDelay: .zero, gcInterval: .zero)
            : StorageConfig(rootDirectory: root)

        dedupe = try reader.bool("dedupe") ?? dedupe
        gc = try reader.bool("gc") ?? gc
        let writtenDelay = try reader.duration("gcDelay")
        let writtenInterval = try reader.duration("gcInterval")
        gcDelay = writtenDelay ?? gcDelay
        gcInterval = writtenInterval ?? gcInterval
        if let window = try reader.string("gcTimeWindow"), !window.isEmpty {
            guard let parsed = GCTimeWindow(parsing: window) else {
                throw reader.mismatch(
                    "gcTimeWindow", expected: "a daily UTC window like \"01:00-08:00\"", got: .string(window))
            }
            gcTimeWindow = parsed
        }
        commit = try reader.bool("commit") ?? commit
        remoteCache = try reader.bool("remoteCache") ?? remoteCache
        retention = try reader.rawObject("retention")
        storageDriver = try reader.rawObject("storageDriver")
        redirectBlobURL = try reader.bool("redirectBlobURL") ?? redirectBlobURL
        if let storageDriver {
            var driverReader = try ConfigReader(storageDriver, at: reader.path.appending("storageDriver"))
            driver = try StorageDriverConfig(reading: &driverReader, warnings: &warnings)
        }
        cacheDriver = try reader.rawObject("cacheDriver")
        if let cacheDriver {
            var driverReader = try ConfigReader(cacheDriver, at: reader.path.appending("cacheDriver"))
            metadataDriver = try MetadataDriverConfig(reading: &driverReader, warnings: &warnings)
            if case .postgresql = metadataDriver, !remoteCache {
                // zot would ignore the driver and keep a local cache; replicas would each keep their own metadata.
                throw .invalid(
                    keyPath: reader.path.appending("remoteCache").description,
                    expected: "true with the postgresql cache driver", got: "false")
            }
        }
        if !isSubPath, var entries = try reader.object("subPaths") {
            subPaths = try Self.subPaths(reading: &entries, mainRoot: root, warnings: &warnings)
        }

        if isSubPath && gc && gcDelay <= .zero {
            // zot refuses this too: a zero delay would let GC delete blobs of a push still in progress.
            throw .invalid(
                keyPath: reader.path.appending("gcDelay").description,
                expected: "a positive duration when gc is on", got: "\"\(GoDuration.format(gcDelay))\"")
        }
        if !gc {
            if writtenDelay != nil {
                warnings.append(ignoredWithoutGC(reader.path.appending("gcDelay")))
            }
            if writtenInterval != nil {
                warnings.append(ignoredWithoutGC(reader.path.appending("gcInterval")))
            }
        }
        warnings += reader.unknownKeyWarnings()
    }

    private static func subPaths(
        reading entries: inout ConfigReader, mainRoot: String, warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: StorageConfig] {
        var subPaths: [String: StorageConfig] = [:]
        for prefix in entries.keys {
            guard var entry = try entries.object(prefix) else { continue }
            let subPath = try StorageConfig(reading: &entry, isSubPath: true, warnings: &warnings)
            // Two stores over one directory would collect each other's blobs as garbage.
            if subPath.rootDirectory == mainRoot {
                throw .invalid(
                    keyPath: entry.path.appending("rootDirectory").description,
                    expected: "a directory other than storage.rootDirectory", got: "\"\(mainRoot)\"")
            }
            subPaths[prefix] = subPath
        }
        return subPaths
    }

    private func ignoredWithoutGC(_ path: ConfigKeyPath) -> ConfigWarning {
        ConfigWarning(keyPath: path.description, message: "ignored because gc is off")
    }
}
