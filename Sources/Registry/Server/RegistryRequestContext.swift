import Hummingbird

/// The per-request context every zotd route sees.
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
