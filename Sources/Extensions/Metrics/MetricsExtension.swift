import Registry

/// Builds the metrics extension from its config section.
public struct MetricsExtensionFactory: RegistryExtensionFactory {
    public let label = "metrics"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        MetricsExtension()
    }
}

/// In progress: replaced by the real extension.
struct MetricsExtension: RegistryExtension {}
