/// A zot setting that zotd cannot honour yet, and the rule that decides whether a config asks for it.
///
/// Such configs are refused instead of loaded with the setting ignored, because ignoring it would change what
/// the registry does behind the user's back. `table` is the one list of them: delete an entry when zotd
/// learns the feature.
struct UnsupportedFeature: Sendable {
    /// The key, from the top of the config, e.g. `["storage", "storageDriver"]`.
    let keys: [String]
    /// Given the value written at `keys`, the refusal, or `nil` when the value asks for nothing zotd lacks
    /// (e.g. `"apikey": false`).
    let refusal: @Sendable (JSONValue) -> Refusal?

    /// What a config asks for that zotd does not do, and why that matters.
    struct Refusal: Sendable, Equatable {
        /// The feature, in a few words: `s3 storage driver`.
        let feature: String
        /// The sentence shown after the key path.
        let why: String
        /// The member of the value the refusal is about, when narrower than the entry's key.
        var member: String? = nil
    }

    init(_ keys: String..., refusal: @escaping @Sendable (JSONValue) -> Refusal?) {
        self.keys = keys
        self.refusal = refusal
    }

    /// Every setting zotd refuses, in the order they are checked; the first that applies is reported.
    static let table: [UnsupportedFeature] = [
        UnsupportedFeature("storage", "storageDriver") { driver in
            let name = driver["name"]?.stringValue ?? "unnamed"
            if ["local", "s3"].contains(name.lowercased()) { return nil }
            return Refusal(
                feature: "\(name) storage driver",
                why: "the \"\(name)\" storage driver is not supported (zotd stores blobs on local disk or in S3)")
        },
        UnsupportedFeature("storage", "cacheDriver") { driver in
            let name = driver["name"]?.stringValue ?? "unnamed"
            if ["boltdb", "postgresql"].contains(name.lowercased()) { return nil }
            return Refusal(
                feature: "\(name) cache driver",
                why: "the \"\(name)\" cache driver is not supported (zotd keeps its metadata in SQLite on local disk, "
                    + "or in PostgreSQL with {\"name\": \"postgresql\", \"url\": ...} and remoteCache true)")
        },
        // zot's remote caches are DynamoDB and Redis; zotd's is PostgreSQL, and asking for a remote cache
        // without naming it would leave each replica with metadata of its own.
        UnsupportedFeature("storage") { storage in
            guard storage["remoteCache"] == .bool(true),
                storage["cacheDriver"]?["name"]?.stringValue?.lowercased() != "postgresql"
            else { return nil }
            return Refusal(
                feature: "remote cache",
                why: "a remote cache needs cacheDriver {\"name\": \"postgresql\", \"url\": ...}, "
                    + "the only remote metadata store zotd has",
                member: "remoteCache")
        },
        UnsupportedFeature("storage", "retention") { retention in
            guard let policies = retention["policies"]?.arrayValue, !policies.isEmpty else { return nil }
            return Refusal(
                feature: "retention policies",
                why: "retention policies are not supported yet; zotd's garbage collection would not keep "
                    + "the images they protect nor delete the ones they expire")
        },
        UnsupportedFeature("storage", "subPaths") { subPaths in
            guard let entries = subPaths.objectValue, !entries.isEmpty else { return nil }
            return Refusal(
                feature: "storage sub-paths",
                why: "separate storage per route prefix is not supported yet (zotd keeps every repository "
                    + "under storage.rootDirectory)")
        },
        authentication("ldap"),
        authentication("openid"),
        UnsupportedFeature("http", "auth") { auth in
            // An auth method zotd has never heard of must not leave the registry open either.
            let harmless: Set<String> = ["faildelay", "sessionkeysfile", "sessiondriver", "securesession"]
            let known = harmless.union(["htpasswd", "ldap", "bearer", "openid", "mtls", "apikey"])
            guard let unknown = auth.objectValue?.keys.sorted().first(where: { !known.contains($0.lowercased()) })
            else { return nil }
            return Refusal(
                feature: "authentication (\(unknown))",
                why: "not an authentication setting zotd knows; refusing to start an open registry for a "
                    + "config that may ask for authentication",
                member: unknown)
        },
        UnsupportedFeature("cluster") { _ in
            Refusal(
                feature: "scale-out cluster",
                why: "scale-out clustering is not supported yet (zotd serves every repository itself)")
        },
    ]

    private static func authentication(_ method: String) -> UnsupportedFeature {
        UnsupportedFeature("http", "auth", method) { _ in authenticationRefusal(method) }
    }

    private static func authenticationRefusal(_ method: String) -> Refusal {
        Refusal(
            feature: "\(method) authentication",
            why: "\(method) authentication is not supported yet (zotd signs users in with htpasswd, API keys, "
                + "bearer tokens or client certificates); refusing to start an open registry for a config "
                + "that asks for it")
    }
}

extension UnsupportedFeature {
    /// Throws `ConfigError.unsupported` for the first entry of `features` that `document` asks for. Keys
    /// match in any letter case, as they do for zot; a `null` value counts as absent.
    static func check(_ document: JSONValue, against features: [UnsupportedFeature]) throws(ConfigError) {
        for feature in features {
            var value: JSONValue? = document
            var path = ConfigKeyPath.root
            for key in feature.keys {
                value = value?[key]
                path = path.appending(key)
            }
            guard let value, value != .null, let refusal = feature.refusal(value) else { continue }
            if let member = refusal.member { path = path.appending(member) }
            throw .unsupported(keyPath: path.description, feature: refusal.feature, why: refusal.why)
        }
    }
}
