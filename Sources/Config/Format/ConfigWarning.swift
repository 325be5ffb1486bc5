/// Something in a config that zotd accepts but that the user probably did not mean, e.g. a misspelt key that
/// zotd therefore ignores.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The key the warning is about, e.g. `storage.gcDleay`.
    public let keyPath: String
    /// What zotd does about it.
    public let message: String

    /// Creates a warning about `keyPath`.
    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// `<key path>: <message>`.
    public var description: String { "\(keyPath): \(message)" }
}
