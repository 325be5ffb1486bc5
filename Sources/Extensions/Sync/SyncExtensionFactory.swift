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
        // The trust extension is built before this one and leaves its judge in the context when it is on.
        let judge = context.signatureJudge.current
        if judge == nil, let index = config.registries.firstIndex(where: \.onlySigned) {
            throw SyncSetupError(
                "extensions.sync.registries[\(index)].onlySigned: needs the trust extension (extensions.trust with "
                    + "cosign or notation) to verify signatures")
        }
        let upstreams = try config.registries.map { try UpstreamRegistry(config: $0, credentials: credentials) }
        let copier = ImageCopier(store: context.store, jobs: BackgroundJobs(), events: context.events)
        return SyncExtension(
            copier: copier,
            pullThrough: PullThrough(
                copier: copier, upstreams: upstreams.filter(\.config.onDemand), judge: judge, logger: context.logger),
            mirroring: upstreams.filter { $0.config.pollInterval != nil }.map {
                PeriodicSync(copier: copier, upstream: $0, judge: $0.config.onlySigned ? judge : nil, logger: context.logger)
            },
            upstreams: upstreams)
    }
}
