extension SyncConfig {
    /// Reads `extensions.sync`, refusing by name the keys zotd cannot honour yet.
    /// - Throws: `ConfigError` naming the key path that is wrong or unsupported.
    public init(section: JSONValue) throws(ConfigError) {
        var reader = try ConfigReader(section, at: ConfigKeyPath.root.appending("extensions").appending("sync"))
        _ = try reader.bool("enable")
        credentialsFile = try reader.string("credentialsFile")
        try Self.refuse(&reader, "downloadDir", "a download directory",
            "zotd stages fetched blobs in its own staging area under storage.rootDirectory/_zotd")
        registries = []
        for var entry in try reader.objects("registries", expected: "a list of registries") {
            registries.append(try SyncRegistryConfig(reading: &entry))
        }
    }

    static func refuse(_ reader: inout ConfigReader, _ key: String, _ feature: String, _ why: String)
        throws(ConfigError)
    {
        guard try reader.value(key) != nil else { return }
        throw .unsupported(keyPath: reader.path.appending(key).description, feature: feature, why: why)
    }
}

extension SyncRegistryConfig {
    init(reading reader: inout ConfigReader) throws(ConfigError) {
        guard let urls = try reader.strings("urls"), !urls.isEmpty else {
            throw .missing(keyPath: reader.path.appending("urls").description, expected: "one or more upstream URLs")
        }
        for (index, url) in urls.enumerated() where !Self.isRegistryURL(url) {
            throw .invalid(
                keyPath: reader.path.appending("urls").appending(index: index).description,
                expected: "an http:// or https:// URL with a host", got: "\"\(url)\"")
        }
        self.init(urls: urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
        onDemand = try reader.bool("onDemand") ?? false
        tlsVerify = try reader.bool("tlsVerify") ?? true
        certDir = try reader.string("certDir")
        maxRetries = try reader.integer("maxRetries", in: 0...1000) ?? maxRetries
        retryDelay = try reader.duration("retryDelay") ?? retryDelay
        maxRetryDelay = try reader.duration("maxRetryDelay") ?? max(maxRetryDelay, retryDelay)
        if let timeout = try reader.duration("syncTimeout"), timeout > .zero { syncTimeout = timeout }
        revalidateAfter = try reader.duration("revalidateAfter") ?? revalidateAfter
        // zotd never converts what it fetches, so digests are always preserved; HTTP/2 it does not speak.
        _ = try reader.bool("preserveDigest")
        _ = try reader.bool("disableHTTP2")
        _ = try reader.integer("maxIdleConnsPerHost", in: 0...100_000)
        if let poll = try reader.duration("pollInterval"), poll > .zero { pollInterval = poll }
        onlySigned = try reader.bool("onlySigned") ?? false
        for key in ["reqConcurrent", "reqPerSec"] {
            try SyncConfig.refuse(&reader, key, "limits on requests to the upstream",
                "zotd does not limit its requests to an upstream yet")
        }
        for var entry in try reader.objects("content", expected: "a list of content rules") {
            content.append(try SyncContentRule(reading: &entry))
        }
    }

    static func isRegistryURL(_ url: String) -> Bool {
        for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let host = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return !host.isEmpty && !host.contains(where: \.isWhitespace)
        }
        return false
    }
}

extension SyncContentRule {
    init(reading reader: inout ConfigReader) throws(ConfigError) {
        guard let prefix = try reader.string("prefix"), !prefix.isEmpty else {
            throw .missing(keyPath: reader.path.appending("prefix").description, expected: "a repository glob like \"library/**\"")
        }
        self.init(prefix: prefix)
        destination = try reader.string("destination")
        stripPrefix = try reader.bool("stripPrefix") ?? false
        if var tags = try reader.object("tags") {
            var filter = SyncTagFilter()
            for key in ["regex", "excludeRegex"] {
                guard let pattern = try tags.string(key) else { continue }
                guard (try? Regex(pattern)) != nil else {
                    throw .invalid(
                        keyPath: tags.path.appending(key).description, expected: "a regular expression",
                        got: "\"\(pattern)\"")
                }
                if key == "regex" { filter.regex = pattern } else { filter.excludeRegex = pattern }
            }
            filter.semver = try tags.bool("semver") ?? false
            self.tags = filter
        }
    }
}
