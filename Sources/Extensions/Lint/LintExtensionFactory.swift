import Config
import Registry

/// Builds the lint extension from `extensions.lint`: `{"enable": true, "mandatoryAnnotations": [...]}`.
public struct LintExtensionFactory: RegistryExtensionFactory {
    public let label = "lint"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        try LintExtension(section: section)
    }
}
