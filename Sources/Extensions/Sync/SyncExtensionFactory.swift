import Config
import Registry

/// Builds the sync extension from `extensions.sync` (zot's keys; see `SyncConfig`): the registries with
/// `onDemand` are pulled through.
public struct SyncExtensionFactory: RegistryExtensionFactory {
    public let label = "sync"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        let config = try SyncConfig(section: section)
        let credentials = try config.credentialsFile.map { try UpstreamCredentials(file: $0) } ?? UpstreamCredentials()
        let upstreams = try config.registries.filter(\.onDemand).map {
            try UpstreamRegistry(config: $0, credentials: credentials)
        }
        return SyncExtension(
            pullThrough: PullThrough(
                store: context.store, upstreams: upstreams, jobs: BackgroundJobs(), events: context.events,
                logger: context.logger))
    }
}
