import Foundation
import Prometheus
import Storage
import Synchronization

/// The scrub extension's findings on `/metrics`, from `RegistryEvent.scrubFinished`. zot has no scrub metrics,
/// so the names are zotd's own, in zot's namespace:
///
/// - `zot_scrub_problems{repo,kind}` (gauge): what the last pass found damaged or missing in the repository;
///   `kind` is `blob_corrupt` (wrong bytes or size), `blob_missing`, `manifest_corrupt` or
///   `manifest_missing_references` (manifests, not references, are counted). Every kind is present, at 0 when
///   clean, so `zot_scrub_problems > 0` alerts and resolves.
/// - `zot_scrub_blobs_checked{repo}` (gauge): blobs the repository links that the last pass re-hashed.
/// - `zot_scrub_last_run_timestamp_seconds`, `zot_scrub_last_run_duration_seconds` (gauges), and
///   `zot_scrub_runs_total` (counter): when the last pass finished, how long it took, how many finished.
///
/// - Important: Gauges describe the last pass only: a repository absent from it (deleted since) loses its
///   series. At most `repositoryCapacity` repositories get series, those with problems first, then by name, so
///   a store of many repositories cannot flood the page.
final class ScrubSeries: Sendable {
    static var problems: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "scrub", metricName: "problems", unitName: "",
            helpText: "Damaged or missing content found by the last scrub, per repository and kind"
        )
    }
    static var blobsChecked: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "scrub", metricName: "blobs_checked", unitName: "",
            helpText: "Blobs of the repository re-hashed by the last scrub"
        )
    }
    static var lastRun: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "scrub", metricName: "last_run_timestamp", unitName: "seconds",
            helpText: "When the last scrub finished, in seconds since the Unix epoch"
        )
    }
    static var lastDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "scrub", metricName: "last_run_duration", unitName: "seconds",
            helpText: "How long the last scrub took"
        )
    }
    static var runs: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", subsystem: "scrub", metricName: "runs", unitName: "total",
            helpText: "Total number of finished scrubs"
        )
    }

    /// The `kind` label values, with the figure each one reads.
    static let kinds: [(label: String, figure: @Sendable (ScrubReport.RepositoryFigures) -> Int)] = [
        ("blob_corrupt", { $0.blobsCorrupt }),
        ("blob_missing", { $0.blobsMissing }),
        ("manifest_corrupt", { $0.manifestsCorrupt }),
        ("manifest_missing_references", { $0.manifestsWithMissingReferences }),
    ]

    private struct SeriesKey: Hashable {
        var repository: String
        /// nil for `blobs_checked`.
        var kind: String?
    }

    let repositoryCapacity: Int
    private let registry: PrometheusCollectorRegistry
    // Lock order: this lock, then the registry's, as in `RepositorySeries`.
    private let perRepository = Mutex<[SeriesKey: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry, repositoryCapacity: Int = RepositorySeries.defaultCapacity) {
        self.registry = registry
        self.repositoryCapacity = repositoryCapacity
    }

    /// Replaces the per-repository series with the pass's figures. Series of the previous pass that the new
    /// one does not have are dropped after the new ones are set, so a scrape never sees a repository vanish and
    /// come back.
    func record(_ report: ScrubReport, seconds: Double, finishedAt: Date) {
        let figures = selected(report.byRepository)
        perRepository.withLock { current in
            var next: [SeriesKey: Gauge] = [:]
            for (repository, figure) in figures {
                let checked = SeriesKey(repository: repository, kind: nil)
                next[checked] =
                    current[checked]
                    ?? registry.makeGauge(descriptor: Self.blobsChecked, labels: [("repo", repository)])
                next[checked]!.set(to: Double(figure.blobsChecked))
                for (kind, read) in Self.kinds {
                    let key = SeriesKey(repository: repository, kind: kind)
                    next[key] =
                        current[key]
                        ?? registry.makeGauge(descriptor: Self.problems, labels: [("repo", repository), ("kind", kind)])
                    next[key]!.set(to: Double(read(figure)))
                }
            }
            for (key, gauge) in current where next[key] == nil { registry.unregisterGauge(gauge) }
            current = next
        }
        registry.makeGauge(descriptor: Self.lastRun).set(to: finishedAt.timeIntervalSince1970)
        registry.makeGauge(descriptor: Self.lastDuration).set(to: max(0, seconds))
        registry.makeCounter(descriptor: Self.runs).increment()
    }

    /// The repositories that get series: those with problems first, then by name, up to the capacity.
    private func selected(_ figures: [String: ScrubReport.RepositoryFigures]) -> [(String, ScrubReport.RepositoryFigures)] {
        guard figures.count > repositoryCapacity else { return figures.map { ($0.key, $0.value) } }
        let ordered = figures.sorted { lhs, rhs in
            lhs.value.hasProblems != rhs.value.hasProblems ? lhs.value.hasProblems : lhs.key < rhs.key
        }
        return ordered.prefix(repositoryCapacity).map { ($0.key, $0.value) }
    }
}
