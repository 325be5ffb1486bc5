import Registry

/// zot's sync extension, on demand: a pull-through cache of upstream registries (see `PullThrough`).
struct SyncExtension: RegistryExtension {
    let pullThrough: PullThrough

    var missingContent: (any MissingContentSource)? { pullThrough }

    /// Runs the copies and image stores that outlive their requests; on shutdown cancels them and closes the
    /// upstream connections.
    func run() async throws {
        await pullThrough.jobs.run()
        for upstream in pullThrough.upstreams { await upstream.shutdown() }
    }
}
