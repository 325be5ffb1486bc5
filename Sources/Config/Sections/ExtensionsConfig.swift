/// zot's `extensions` section: one section per extension, each kept as written for the extension that reads
/// it. Names are folded to lower case, as zot matches them.
public struct ExtensionsConfig: Sendable, Equatable {
    /// Each extension's section by lower-case name, exactly as written.
    public var sections: [String: JSONValue]

    /// The extensions zot knows. A section for any other name is kept but draws a warning.
    public static let knownNames: Set<String> = [
        "debug", "events", "imagetrust", "lint", "metrics", "mgmt", "scrub", "search", "sync", "trust", "ui", "userprefs",
    ]

    /// Creates an extensions config from sections keyed by name.
    public init(sections: [String: JSONValue] = [:]) {
        self.sections = Dictionary(sections.map { ($0.key.lowercased(), $0.value) }) { _, last in last }
    }

    /// The section of extension `name`, if the config has one.
    public func section(_ name: String) -> JSONValue? {
        sections[name.lowercased()]
    }

    /// Whether the config turns extension `name` on, by zot's rule: a section that is present turns it on,
    /// even an empty one (`"search": {}`), unless it says `"enable": false`; no section leaves it off.
    public func isEnabled(_ name: String) -> Bool {
        guard let section = section(name) else { return false }
        return section["enable"]?.boolValue ?? true
    }

    /// The names of the extensions the config turns on, sorted.
    public var enabledNames: [String] {
        sections.keys.filter(isEnabled).sorted()
    }
}

extension ExtensionsConfig {
    /// Reads the `extensions` section: each member must be an object whose `enable`, if present, is a boolean.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        var sections: [String: JSONValue] = [:]
        for name in reader.keys {
            guard var section = try reader.object(name) else { continue }
            _ = try section.bool("enable")
            sections[name.lowercased()] = try reader.value(name)
            if !Self.knownNames.contains(name.lowercased()) {
                warnings.append(
                    ConfigWarning(
                        keyPath: section.path.description, message: "unknown extension, ignored"))
            }
        }
        self.init(sections: sections)
    }
}
