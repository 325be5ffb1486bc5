import Hummingbird
import Logging
import Storage

/// The extensions that are compiled in and enabled, built once at startup.
public struct ExtensionSet: Sendable {
    public let extensions: [any RegistryExtension]
    /// The first extension's source of missing content (one pull-through cache serves a registry), found once:
    /// the manifest and blob routes ask for it on every pull.
    let missingContent: (any MissingContentSource)?
    /// The same extensions, as the target of `ExtensionEvents`, which holds it weakly.
    private let listeners: Listeners

    public init(extensions: [any RegistryExtension] = []) {
        self.extensions = extensions
        missingContent = extensions.lazy.compactMap(\.missingContent).first
        listeners = Listeners(extensions: extensions)
    }

    /// Builds each compiled-in factory whose section the config enables.
    public init(factories: [any RegistryExtensionFactory], context: ExtensionContext) throws {
        var built: [any RegistryExtension] = []
        for factory in factories where factory.isEnabled(by: context.config.extensions) {
            let section = context.config.extensions.section(factory.configKey) ?? .object([:])
            built.append(try factory.make(section: section, context: context))
        }
        self.init(extensions: built)
        context.events.connect(listeners)
    }

    /// Discover's endpoints: compiled in AND enabled, by construction.
    var endpoints: [String] { extensions.flatMap(\.endpoints) }

    func addRoutes(to routes: GuardedRoutes) {
        for item in extensions { item.addRoutes(to: routes) }
    }

    func observe(_ exchange: RequestExchange) {
        for item in extensions { item.observe(exchange) }
    }

    func publish(_ event: RegistryEvent) async {
        await listeners.publish(event)
    }

    func check(_ manifest: ManifestSubmission) async throws {
        for item in extensions { try await item.check(manifest) }
    }

    func checkPull(_ pull: ManifestPull) async throws {
        for item in extensions { try await item.checkPull(pull) }
    }

    var isEmpty: Bool { extensions.isEmpty }
}

extension ExtensionSet {
    /// What events are delivered to. A class so that `ExtensionEvents` can hold it weakly: extensions hold
    /// their `ExtensionEvents`, and a strong reference back would keep a stopped server's extensions alive.
    final class Listeners: Sendable {
        let extensions: [any RegistryExtension]

        init(extensions: [any RegistryExtension]) {
            self.extensions = extensions
        }

        func publish(_ event: RegistryEvent) async {
            for item in extensions { await item.handle(event) }
        }
    }
}
