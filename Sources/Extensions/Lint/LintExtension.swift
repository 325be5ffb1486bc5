import Registry

/// Builds the lint extension from its config section.
public struct LintExtensionFactory: RegistryExtensionFactory {
    public let label = "lint"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        LintExtension()
    }
}

/// In progress: replaced by the real extension.
struct LintExtension: RegistryExtension {}
