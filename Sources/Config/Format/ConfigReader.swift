/// A cursor over one JSON object of the config that reads typed values by key and remembers which keys it
/// read, so that whatever is left over can be reported as unknown.
///
/// Keys match in any letter case because zot's loader (viper) folds keys to lower case: a config that says
/// `"gcdelay"` works with zot, so it works here. A JSON `null` counts as absent, as it does for zot.
struct ConfigReader {
    /// Where this object sits in the config.
    let path: ConfigKeyPath
    private let members: [String: JSONValue]
    private var consumed: Set<String> = []

    /// A reader over `value`, which must be an object.
    init(_ value: JSONValue, at path: ConfigKeyPath) throws(ConfigError) {
        guard case .object(let members) = value else {
            throw .invalid(keyPath: path.description, expected: "an object", got: value.summary)
        }
        self.path = path
        self.members = members
    }

    /// The spellings of every key, sorted.
    var keys: [String] { members.keys.sorted() }

    /// The value of `key`, marking it read; `nil` when absent or `null`.
    mutating func value(_ key: String) throws(ConfigError) -> JSONValue? {
        let folded = key.lowercased()
        let spellings = members.keys.filter { $0.lowercased() == folded }.sorted()
        guard let spelling = spellings.first else { return nil }
        if spellings.count > 1 {
            let written = spellings.map { "\"\($0)\"" }.joined(separator: " and ")
            throw .invalid(keyPath: path.appending(key).description, expected: "the key once", got: written)
        }
        consumed.insert(spelling)
        let value = members[spelling]
        return value == .null ? nil : value
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = try value(key) else { return nil }
        guard case .string(let string) = value else { throw mismatch(key, expected: "a string", got: value) }
        return string
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = try value(key) else { return nil }
        guard case .bool(let bool) = value else { throw mismatch(key, expected: "true or false", got: value) }
        return bool
    }

    /// A whole number within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = try value(key) else { return nil }
        let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard case .int(let number) = value, let int = Int(exactly: number), range.contains(int) else {
            throw mismatch(key, expected: expected, got: value)
        }
        return int
    }

    /// A duration in Go syntax (`"1h30m"`), or a whole number of nanoseconds as Go's JSON decoder takes it.
    /// Go allows a sign, but no setting of zot's means anything below zero.
    mutating func duration(_ key: String) throws(ConfigError) -> Duration? {
        guard let value = try value(key) else { return nil }
        let parsed: Duration? =
            switch value {
            case .string(let text): GoDuration.parse(text)
            case .int(let nanoseconds): .nanoseconds(nanoseconds)
            default: nil
            }
        guard let parsed else {
            throw mismatch(key, expected: "a duration like \"1h\" or \"30m\"", got: value)
        }
        guard parsed >= .zero else {
            throw mismatch(key, expected: "a duration of zero or more", got: value)
        }
        return parsed
    }

    /// An array of strings.
    mutating func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = try value(key) else { return nil }
        guard case .array(let elements) = value else {
            throw mismatch(key, expected: "an array of strings", got: value)
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                let elementPath = path.appending(key).appending(index: index).description
                throw .invalid(keyPath: elementPath, expected: "a string", got: element.summary)
            }
            strings.append(string)
        }
        return strings
    }

    /// The object at `key`, kept as written; `nil` when absent.
    mutating func rawObject(_ key: String) throws(ConfigError) -> JSONValue? {
        guard let value = try value(key) else { return nil }
        guard case .object = value else { throw mismatch(key, expected: "an object", got: value) }
        return value
    }

    /// A reader over the object at `key`; `nil` when absent.
    mutating func object(_ key: String) throws(ConfigError) -> ConfigReader? {
        guard let value = try value(key) else { return nil }
        return try ConfigReader(value, at: path.appending(key))
    }

    /// Readers over each object of the array at `key` (`registries[0]`, …); empty when absent.
    mutating func objects(_ key: String, expected: String) throws(ConfigError) -> [ConfigReader] {
        guard let value = try value(key) else { return [] }
        guard case .array(let items) = value else { throw mismatch(key, expected: expected, got: value) }
        var readers: [ConfigReader] = []
        for (index, item) in items.enumerated() {
            readers.append(try ConfigReader(item, at: path.appending(key).appending(index: index)))
        }
        return readers
    }

    /// A warning for every key that was never read, in key order.
    func unknownKeyWarnings() -> [ConfigWarning] {
        members.keys.filter { !consumed.contains($0) }.sorted().map {
            ConfigWarning(keyPath: path.appending($0).description, message: "unknown key, ignored")
        }
    }

    /// The error for `key` holding `value` where `expected` was wanted.
    func mismatch(_ key: String, expected: String, got value: JSONValue) -> ConfigError {
        .invalid(keyPath: path.appending(key).description, expected: expected, got: value.summary)
    }
}
