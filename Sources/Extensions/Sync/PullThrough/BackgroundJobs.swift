/// Work that outlives the request that started it — a blob copy other pullers follow, storing a pulled
/// image — so that a client that disconnects cancels neither. Run as child tasks of the extension's `run()`,
/// so that shutdown cancels them (a cancelled copy leaves no staging file: `RegistryStore.copyIn` removes it,
/// and a kill's leftovers go at the next start).
final class BackgroundJobs: Sendable {
    typealias Job = @Sendable () async -> Void
    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation

    init() {
        (jobs, submissions) = AsyncStream.makeStream(of: Job.self)
    }

    func submit(_ job: @escaping Job) {
        submissions.yield(job)
    }

    /// Runs jobs until cancelled, then cancels the ones still running and waits for them.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask { await job() }
            }
            group.cancelAll()
        }
    }
}
