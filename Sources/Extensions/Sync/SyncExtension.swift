import Registry

/// zot's sync extension: a pull-through cache of the `onDemand` registries (`PullThrough`) and periodic
/// mirroring of the ones with a `pollInterval` (`PeriodicSync`).
struct SyncExtension: RegistryExtension {
    let copier: ImageCopier
    let pullThrough: PullThrough
    let mirroring: [PeriodicSync]
    let upstreams: [UpstreamRegistry]

    var missingContent: (any MissingContentSource)? { pullThrough.upstreams.isEmpty ? nil : pullThrough }

    /// Runs the copies that outlive their requests and the mirroring loops; on shutdown cancels them and closes
    /// the upstream connections.
    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await copier.jobs.run() }
            for sync in mirroring {
                group.addTask { await sync.run() }
            }
        }
        for upstream in upstreams { await upstream.shutdown() }
    }
}
