import Registry

/// Builds the mgmt extension from its config section.
public struct MgmtExtensionFactory: RegistryExtensionFactory {
    public let label = "mgmt"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        MgmtExtension()
    }
}

/// In progress: replaced by the real extension.
struct MgmtExtension: RegistryExtension {}
