import Hummingbird
import Registry
import Storage

/// zot's metrics extension: Prometheus text at `extensions.metrics.prometheus.path` (default `/metrics`).
///
/// Counts every finished request (`observe`), image pushes and pulls (`handle`), GC, scrub and sync passes (`handle`),
/// and reads process figures when scraped. It advertises no `/v2/_zot/ext/` endpoint, as zot does not.
struct MetricsExtension: RegistryExtension {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let settings: MetricsSettings
    let metrics: RegistryMetrics
    /// Asked at scrape time for the bytes of repositories that changed (`zot_repo_storage_bytes`).
    let store: RegistryStore

    func addRoutes(to routes: GuardedRoutes) {
        let (metrics, store) = (self.metrics, self.store)
        // The page names every repository: only `accessControl.metrics` users read it once auth is on.
        routes.get(settings.path, access: .metrics) { _, _ in
            await metrics.storageUsage.refresh(from: store)
            let bytes = metrics.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: Self.contentType, .contentLength: String(bytes.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    /// Drops repository series untouched for a whole `repoLabelExpiry`, when the config sets one; otherwise only
    /// waits. Returns when cancelled (the server's shutdown), never before: the server's service group reads a
    /// service that finishes early as a failure.
    func run() async throws {
        do {
            while true {
                try await Task.sleep(for: settings.repoLabelExpiry ?? .seconds(3600))
                if settings.repoLabelExpiry != nil { metrics.repositories.sweepUntouched() }
            }
        } catch is CancellationError {
            return
        }
    }

    /// Called for every request: two short table lookups and a few atomic adds, no formatting.
    func observe(_ exchange: RequestExchange) {
        // zot leaves its own metrics page out of the request metrics.
        guard exchange.path != settings.path else { return }
        metrics.requests.record(method: exchange.method, status: exchange.status, seconds: exchange.seconds)
        metrics.repositories.observeLatency(repository: exchange.repository, seconds: exchange.seconds)
    }

    func handle(_ event: RegistryEvent) async {
        switch event {
        // zot counts an upload per manifest pushed (`PutImageManifest`), not per blob.
        case .manifestPushed(let push):
            metrics.repositories.countUpload(repository: push.repository)
            metrics.storageUsage.markChanged(push.repository)
        case .manifestDeleted(let repository, _):
            metrics.storageUsage.markChanged(repository)
        case .imagePulled(let repository, _):
            metrics.repositories.countDownload(repository: repository)
        case .garbageCollected(let report, let seconds, let failed):
            metrics.garbageCollection.record(report, seconds: seconds, failed: failed)
        case .scrubFinished(let report, let seconds, let finishedAt):
            metrics.scrub.record(report, seconds: seconds, finishedAt: finishedAt)
        case .syncCopied(let upstream, let periodic, let failed):
            metrics.sync.recordCopy(upstream: upstream, periodic: periodic, failed: failed)
        case .syncPassFinished(let upstream, let seconds, let finishedAt):
            metrics.sync.recordPass(upstream: upstream, seconds: seconds, finishedAt: finishedAt)
        default:
            break
        }
    }
}
