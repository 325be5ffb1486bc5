import Registry

/// Builds the debug extension from its config section.
public struct DebugExtensionFactory: RegistryExtensionFactory {
    public let label = "debug"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        DebugExtension()
    }
}

/// In progress: replaced by the real extension.
struct DebugExtension: RegistryExtension {}
