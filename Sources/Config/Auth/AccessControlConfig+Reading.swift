
extension AccessControlConfig {
    /// Reads `http.accessControl`: `repositories`, `adminPolicy`, `groups`, `metrics`.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init()
        if var section = try reader.object("repositories") {
            for pattern in section.keys {
                guard var rules = try section.object(pattern) else { continue }
                do {
                    _ = try RepositoryGlob(pattern)
                } catch {
                    throw .invalid(keyPath: rules.path.description, expected: "a repository pattern", got: error.description)
                }
                repositories[pattern] = try RepositoryRules(reading: &rules, warnings: &warnings)
            }
            warnings += section.unknownKeyWarnings()
        }
        if var admin = try reader.object("adminPolicy") {
            adminPolicy = try AccessRule(reading: &admin, warnings: &warnings)
        }
        if var section = try reader.object("groups") {
            for name in section.keys {
                guard var group = try section.object(name) else { continue }
                groups[name] = try group.strings("users") ?? []
                warnings += group.unknownKeyWarnings()
            }
        }
        if var section = try reader.object("metrics") {
            let users = Set(try section.strings("users") ?? [])
            let anonymous = try Self.actions(&section, "anonymousPolicy", warnings: &warnings)
            metrics = MetricsRule(users: users, anonymous: anonymous.contains(.read))
            warnings += section.unknownKeyWarnings()
        }
        warnings += reader.unknownKeyWarnings()
    }

    /// A list of zot actions. `detectManifestCollision` is a zot behaviour switch, not a right: it is accepted
    /// with a warning.
    static func actions(
        _ reader: inout ConfigReader, _ key: String, warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> Set<RepositoryAction> {
        guard let names = try reader.strings(key) else { return [] }
        var actions: Set<RepositoryAction> = []
        for (index, name) in names.enumerated() {
            let path = reader.path.appending(key).appending(index: index)
            if let action = RepositoryAction(rawValue: name) {
                actions.insert(action)
            } else if name == "detectManifestCollision" {
                warnings.append(ConfigWarning(keyPath: path.description, message: "not supported, ignored"))
            } else {
                throw .invalid(keyPath: path.description, expected: "one of read, create, update, delete", got: "\"\(name)\"")
            }
        }
        return actions
    }
}

extension RepositoryRules {
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init()
        if let value = try reader.value("policies") {
            guard case .array(let elements) = value else {
                throw reader.mismatch("policies", expected: "an array of policies", got: value)
            }
            for (index, element) in elements.enumerated() {
                var policy = try ConfigReader(element, at: reader.path.appending("policies").appending(index: index))
                policies.append(try AccessRule(reading: &policy, warnings: &warnings))
            }
        }
        defaultPolicy = try AccessControlConfig.actions(&reader, "defaultPolicy", warnings: &warnings)
        anonymousPolicy = try AccessControlConfig.actions(&reader, "anonymousPolicy", warnings: &warnings)
        warnings += reader.unknownKeyWarnings()
    }
}

extension AccessRule {
    /// One `{users, groups, actions}` entry. zot's `conditions` (CEL expressions) restrict a grant; zotd cannot
    /// evaluate them, and granting without them would give more than the config says, so they are refused.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        if let conditions = try reader.value("conditions"), conditions != .array([]) {
            throw .unsupported(
                keyPath: reader.path.appending("conditions").description, feature: "policy conditions",
                why: "policy conditions (CEL expressions) are not supported yet; refusing to grant the policy's "
                    + "actions without them")
        }
        self.init(
            users: Set(try reader.strings("users") ?? []),
            groups: Set(try reader.strings("groups") ?? []),
            actions: try AccessControlConfig.actions(&reader, "actions", warnings: &warnings))
        warnings += reader.unknownKeyWarnings()
    }
}
