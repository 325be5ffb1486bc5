import Config
import Registry

/// Builds the scrub extension from `extensions.scrub`:
/// `{"enable": true, "interval": "24h", "rateMiBPerSecond": 64}` (zot's `interval`, default 24 h;
/// the throttle is zotd's, default 64 MiB/s, 0 for none).
public struct ScrubExtensionFactory: RegistryExtensionFactory {
    public let label = "scrub"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        var interval: Duration = .seconds(24 * 3600)
        if let text = section["interval"]?.stringValue {
            guard let parsed = GoDuration.parse(text), parsed > .zero else {
                throw ScrubConfigError(message: "extensions.scrub.interval: expected a positive duration like \"24h\", got \"\(text)\"")
            }
            interval = parsed
        }
        var rate: Int64 = 64
        if let value = section["rateMiBPerSecond"] {
            guard case .int(let number) = value, number >= 0 else {
                throw ScrubConfigError(message: "extensions.scrub.rateMiBPerSecond: expected a whole number >= 0")
            }
            rate = number
        }
        return ScrubExtension(
            store: context.store,
            root: context.config.storage.rootDirectory,
            interval: interval,
            bytesPerSecond: rate << 20,
            logger: context.logger,
            events: context.events
        )
    }
}

struct ScrubConfigError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
