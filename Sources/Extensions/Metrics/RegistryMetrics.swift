import Prometheus
import Synchronization

/// Every series zotd exposes, in one Prometheus registry owned by the metrics extension.
///
/// The registry is this instance's: nothing is bootstrapped into swift-metrics' global `MetricsSystem`, so two
/// servers in one process (tests) keep separate figures. Names and labels are zot's (`pkg/extensions/monitoring`)
/// so zot's dashboards and alerts keep working; process figures are Go's process collector's.
final class RegistryMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let requests: RequestSeries
    let repositories: RepositorySeries
    let storageUsage: StorageUsageSeries
    let garbageCollection: GarbageCollectionSeries
    let scrub: ScrubSeries
    let sync: SyncSeries

    static var info: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "info", unitName: "", helpText: "Server general information"
        )
    }
    static var storageLockLatency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "storage_lock_latency", unitName: "seconds",
            // zot's own help text here is a copy of zot_http_repo_latency_seconds'; dashboards read the name.
            helpText: "Time spent waiting for a storage lock"
        )
    }
    /// zot's `GetStorageLatencyBuckets`.
    static let storageLockBuckets: [Double] = [0.001, 0.01, 0.1, 1, 5, 10, 15, 30, 60]

    /// The process counter only grows, so each scrape adds what was used since the previous one.
    private let scrape = Mutex<Double>(0)

    /// - Parameters:
    ///   - build: what `zot_info` reports.
    ///   - storageRoot: `storageName` of `zot_storage_lock_latency_seconds`.
    ///   - repositoryCapacity: how many repositories may have series at once.
    init(build: MetricsBuildInfo, storageRoot: String, repositoryCapacity: Int = RepositorySeries.defaultCapacity) {
        requests = RequestSeries(registry: registry)
        repositories = RepositorySeries(registry: registry, capacity: repositoryCapacity)
        storageUsage = StorageUsageSeries(repositories: repositories)
        garbageCollection = GarbageCollectionSeries(registry: registry)
        scrub = ScrubSeries(registry: registry, repositoryCapacity: repositoryCapacity)
        sync = SyncSeries(registry: registry)
        // zot sets the info gauge to 0: the labels are the information.
        registry.makeGauge(
            descriptor: Self.info,
            labels: [
                ("commit", build.commit), ("binaryType", build.binaryType),
                ("goVersion", build.compilerVersion), ("version", build.version),
            ]
        ).set(to: 0)
        // zot times its store-wide lock here. zotd has no store-wide lock (one repository's push, pull or GC never
        // waits for another's), so the series are present for zot's dashboards and stay at zero.
        for lockType in ["RLock", "RWLock"] {
            _ = registry.makeValueHistogram(
                descriptor: Self.storageLockLatency,
                labels: [("storageName", storageRoot), ("lockType", lockType)],
                buckets: Self.storageLockBuckets
            )
        }
    }

    /// The whole page in Prometheus text format 0.0.4, with process figures read now.
    func exposition() -> [UInt8] {
        scrape.withLock { lastCPUSeconds in
            record(ProcessSample.current(), lastCPUSeconds: &lastCPUSeconds)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 * 1024)
            registry.emit(into: &bytes)
            var text = TextExposition(bytes: bytes)
            text.appendSummary(
                name: RepositorySeries.latencyName, help: RepositorySeries.latencyHelp,
                samples: repositories.latencySamples()
            )
            let gcDurations = garbageCollection.durationSamples()
            if !gcDurations.isEmpty {
                text.appendSummary(
                    name: GarbageCollectionSeries.durationName, help: GarbageCollectionSeries.durationHelp,
                    samples: gcDurations
                )
            }
            return text.bytes
        }
    }

    private func record(_ sample: ProcessSample, lastCPUSeconds: inout Double) {
        let gauges: [(String, String, Double?)] = [
            ("process_resident_memory_bytes", "Resident memory size in bytes.", sample.residentMemoryBytes),
            ("process_virtual_memory_bytes", "Virtual memory size in bytes.", sample.virtualMemoryBytes),
            ("process_open_fds", "Number of open file descriptors.", sample.openFileDescriptors),
            ("process_max_fds", "Maximum number of open file descriptors.", sample.maxFileDescriptors),
            (
                "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                sample.startTimeSeconds
            ),
        ]
        for (name, help, value) in gauges {
            guard let value else { continue }
            registry.makeGauge(descriptor: .init(metricName: name, unitName: "", helpText: help)).set(to: value)
        }
        if let cpu = sample.cpuSeconds {
            let counter = registry.makeCounter(
                descriptor: .init(metricName: "process_cpu_seconds", unitName: "total",
                    helpText: "Total user and system CPU time spent in seconds.")
            )
            if cpu > lastCPUSeconds {
                counter.increment(by: cpu - lastCPUSeconds)
                lastCPUSeconds = cpu
            }
        }
    }
}
