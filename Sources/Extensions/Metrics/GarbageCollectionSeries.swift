import Prometheus
import Storage
import Synchronization

/// zot's GC metrics (zot PR #3863): `zot_gc_runs_total{error}`, `zot_gc_deleted_total{type}` and the summary
/// `zot_gc_duration_seconds`.
///
/// zot counts one run per repository pass; zotd collects the whole store in one pass, so one run here is one
/// pass over every repository. `type` is zot's: `manifest`, `blob` (blobs a repository stopped referencing, that
/// is blob links) and `upload`.
final class GarbageCollectionSeries: Sendable {
    static var runs: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "gc", metricName: "runs", unitName: "total",
            helpText: "Total number of garbage collection runs, by whether they failed"
        )
    }
    static var deleted: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "gc", metricName: "deleted", unitName: "total",
            helpText: "Total number of items garbage collection removed, by type"
        )
    }
    static let durationName = "zot_gc_duration_seconds"
    static let durationHelp = "Duration of garbage collection runs"

    /// What one run removed.
    struct Removed: Sendable, Equatable {
        var manifests = 0
        var blobs = 0
        var uploads = 0
    }

    private let registry: PrometheusCollectorRegistry
    private let duration = Mutex<(sum: Double, count: UInt64)>((0, 0))

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Records one finished run. Runs are rare, so series are looked up in the registry each time.
    func record(seconds: Double, failed: Bool, removed: Removed) {
        registry.makeCounter(descriptor: Self.runs, labels: [("error", failed ? "true" : "false")]).increment()
        for (type, count) in [("manifest", removed.manifests), ("blob", removed.blobs), ("upload", removed.uploads)] {
            // zot adds 0 too, so each type has a series from the first run on.
            registry.makeCounter(descriptor: Self.deleted, labels: [("type", type)]).increment(by: Int64(max(0, count)))
        }
        duration.withLock { $0 = ($0.sum + max(0, seconds), $0.count + 1) }
    }

    /// Records one finished pass of the store's GC. `blob` counts blob links removed from repositories, which is
    /// what zot counts per repository; blob files removed from the shared store are not a zot series.
    func record(_ report: GarbageReport, seconds: Double, failed: Bool) {
        record(
            seconds: seconds, failed: failed,
            removed: Removed(manifests: report.manifestsDeleted, blobs: report.linksDeleted, uploads: report.uploadsDeleted)
        )
    }

    /// The duration summary's single sample, once a run has been recorded.
    func durationSamples() -> [TextExposition.SummarySample] {
        let (sum, count) = duration.withLock { $0 }
        return count == 0 ? [] : [.init(label: nil, sum: sum, count: count)]
    }
}
