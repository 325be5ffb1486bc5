/// Why a config was refused. Every case that concerns a key names it by its path, e.g. `storage.gcDelay`, and
/// `description` is a sentence fit to print to the user as it is.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The bytes are not JSON.
    case malformedJSON(reason: String)
    /// The JSON is valid but holds none of a registry config's sections, e.g. a credentials file that a config
    /// refers to was given in its place.
    case notARegistryConfig(foundKeys: [String])
    /// A required key is absent or empty.
    case missing(keyPath: String, expected: String)
    /// A key holds a value of the wrong type or out of range.
    case invalid(keyPath: String, expected: String, got: String)
    /// A key asks for something zot does and zotd does not do yet. Refused rather than ignored, because
    /// ignoring it would change what the registry does behind the user's back (serve it open, store blobs
    /// elsewhere, keep or delete other images).
    case unsupported(keyPath: String, feature: String, why: String)

    /// The key path the error is about, when it is about one key.
    public var keyPath: String? {
        switch self {
        case .unreadable, .malformedJSON, .notARegistryConfig: nil
        case .missing(let keyPath, _), .invalid(let keyPath, _, _), .unsupported(let keyPath, _, _): keyPath
        }
    }

    /// Whether this refusal is about a feature zotd does not have yet, rather than a mistake in the config.
    public var isUnsupported: Bool {
        if case .unsupported = self { return true }
        return false
    }

    /// The message for the user: `<key path>: <what is wrong>`.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read config file \(path): \(reason)"
        case .malformedJSON(let reason):
            "the config is not valid JSON: \(reason)"
        case .notARegistryConfig(let foundKeys):
            "this is not a registry config: it has none of "
                + RegistryConfig.sectionNames.joined(separator: ", ")
                + " (its keys: \(foundKeys.joined(separator: ", "))); is it a file that a config refers to?"
        case .missing(let keyPath, let expected):
            "\(keyPath): required, expected \(expected)"
        case .invalid(let keyPath, let expected, let got):
            "\(keyPath): expected \(expected), got \(got)"
        case .unsupported(let keyPath, _, let why):
            "\(keyPath): \(why)"
        }
    }
}
