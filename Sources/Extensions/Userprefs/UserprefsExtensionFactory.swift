import Config
import Registry
import SearchExtension

/// Builds the userprefs extension, which zot turns on when both `extensions.search` and `extensions.ui` are
/// on (there is no `userprefs` section).
public struct UserprefsExtensionFactory: RegistryExtensionFactory {
    public let label = "userprefs"

    public init() {}

    public func isEnabled(by extensions: ExtensionsConfig) -> Bool {
        extensions.isEnabled("search") && extensions.isEnabled("ui")
    }

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        UserprefsExtension(
            marks: try StarsAndBookmarks(rootDirectory: context.config.storage.rootDirectory, shared: context.store.sharedMetadata),
            store: context.store)
    }
}
