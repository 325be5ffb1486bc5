extension RegistryConfig {
    /// Reads a whole config document.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        let version = try reader.string("distSpecVersion") ?? Self.defaultDistSpecVersion
        guard Self.isSupportedDistSpecVersion(version) else {
            throw reader.mismatch(
                "distSpecVersion", expected: "a 1.x distribution-spec version like \"1.1.1\"", got: .string(version))
        }

        guard var storageReader = try reader.object("storage") else {
            throw .missing(keyPath: "storage.rootDirectory", expected: StorageConfig.rootDirectoryExpectation)
        }
        let storage = try StorageConfig(reading: &storageReader, isSubPath: false, warnings: &warnings)
        self.init(distSpecVersion: version, storage: storage)

        if var section = try reader.object("http") {
            http = try HTTPConfig(reading: &section, warnings: &warnings)
        }
        if var section = try reader.object("log") {
            log = try LogConfig(reading: &section, warnings: &warnings)
        }
        if var section = try reader.object("extensions") {
            extensions = try ExtensionsConfig(reading: &section, warnings: &warnings)
        }
        if var section = try reader.object("scheduler") {
            scheduler.numWorkers = try section.integer("numWorkers", in: 1...Int(Int32.max))
            warnings += section.unknownKeyWarnings()
        }
        cluster = try reader.rawObject("cluster")
        warnings += reader.unknownKeyWarnings()
    }

    /// Whether `version` reads as `1.<minor>` or `1.<minor>.<patch>`, optionally with a `-suffix`
    /// (`"1.1.0-dev"`): the versions zot's configs name.
    static func isSupportedDistSpecVersion(_ version: String) -> Bool {
        let core = version.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count) && parts[0] == "1"
            && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }
}
