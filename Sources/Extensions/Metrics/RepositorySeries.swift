import Prometheus
import Synchronization

/// The repository-labelled series: `zot_http_repo_latency_seconds{repo}` (a summary, as in zot),
/// `zot_repo_uploads_total{repo}`, `zot_repo_downloads_total{repo}` and `zot_repo_storage_bytes{repo}`.
///
/// - Important: The number of repositories with series is capped at `capacity`. When a repository not yet
///   tracked becomes active and the cap is reached, the least recently active one is dropped: its counters and
///   gauge are unregistered from the Prometheus registry and its latency summary forgotten, so series do not grow without
///   bound as repositories come and go (or as clients probe names that do not exist). A dropped repository that
///   becomes active again starts from zero, which Prometheus reads as a counter reset. zot's optional
///   `repoLabelExpiry` drops, in addition, repositories untouched for a whole interval (`sweepUntouched`).
///
/// Requests that name no repository are summed under `repo="N/A"`, as zot does; that series is never dropped.
final class RepositorySeries: Sendable {
    static let defaultCapacity = 1000
    /// zot's label for requests outside any repository.
    static let unlabelled = "N/A"

    static let latencyName = "zot_http_repo_latency_seconds"
    static let latencyHelp = "Latency of serving HTTP requests"
    static var uploads: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "repo_uploads", unitName: "total",
            helpText: "Total number times an image was uploaded"
        )
    }
    static var downloads: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "repo_downloads", unitName: "total",
            helpText: "Total number times an image was downloaded"
        )
    }
    static var storage: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "repo_storage", unitName: "bytes", helpText: "Storage used per zot repo"
        )
    }

    private struct Entry {
        var lastUse: UInt64
        var touchedSinceSweep = true
        var latencySum = 0.0
        var latencyCount: UInt64 = 0
        var uploads: Counter?
        var downloads: Counter?
        var storage: Gauge?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Orders activity; bumped on every touch.
        var clock: UInt64 = 0
        var unlabelledSum = 0.0
        var unlabelledCount: UInt64 = 0
    }

    let capacity: Int
    private let registry: PrometheusCollectorRegistry
    // Lock order: this lock, then the registry's (series are created and unregistered while it is held, so that
    // a repository dropped and touched again at the same moment cannot end up holding an unregistered counter).
    private let state = Mutex(State())

    init(registry: PrometheusCollectorRegistry, capacity: Int = RepositorySeries.defaultCapacity) {
        precondition(capacity > 0, "capacity must be positive")
        self.registry = registry
        self.capacity = capacity
    }

    /// Adds one request's latency to its repository's summary, or to `N/A` when it named none.
    func observeLatency(repository: String?, seconds: Double) {
        let seconds = max(0, seconds)
        state.withLock { state in
            guard let repository else {
                state.unlabelledSum += seconds
                state.unlabelledCount += 1
                return
            }
            touch(repository, in: &state) { entry in
                entry.latencySum += seconds
                entry.latencyCount += 1
            }
        }
    }

    /// One more image pushed to `repository`.
    func countUpload(repository: String) {
        let counter = state.withLock { state in
            touch(repository, in: &state) { entry in
                if let counter = entry.uploads { return counter }
                let counter = registry.makeCounter(descriptor: Self.uploads, labels: [("repo", repository)])
                entry.uploads = counter
                return counter
            }
        }
        counter.increment()
    }

    /// One more image pulled from `repository`.
    func countDownload(repository: String) {
        let counter = state.withLock { state in
            touch(repository, in: &state) { entry in
                if let counter = entry.downloads { return counter }
                let counter = registry.makeCounter(descriptor: Self.downloads, labels: [("repo", repository)])
                entry.downloads = counter
                return counter
            }
        }
        counter.increment()
    }

    /// Sets the bytes `repository` holds, as zot does after each push.
    func setStorageBytes(repository: String, bytes: Int64) {
        let gauge = state.withLock { state in
            touch(repository, in: &state) { entry in
                if let gauge = entry.storage { return gauge }
                let gauge = registry.makeGauge(descriptor: Self.storage, labels: [("repo", repository)])
                entry.storage = gauge
                return gauge
            }
        }
        gauge.set(to: Double(bytes))
    }

    /// Drops every repository untouched since the previous sweep; returns how many were dropped.
    @discardableResult
    func sweepUntouched() -> Int {
        state.withLock { state in
            let stale = state.entries.filter { !$0.value.touchedSinceSweep }
            for (name, entry) in stale {
                drop(entry)
                state.entries.removeValue(forKey: name)
            }
            for index in state.entries.indices { state.entries.values[index].touchedSinceSweep = false }
            return stale.count
        }
    }

    /// The repositories that have series now, most recently active first.
    var repositories: [String] {
        state.withLock { state in
            state.entries.sorted { $0.value.lastUse > $1.value.lastUse }.map(\.key)
        }
    }

    /// The latency summary's samples, `N/A` first and then by repository name.
    func latencySamples() -> [TextExposition.SummarySample] {
        let (entries, sum, count) = state.withLock { state in
            (
                state.entries.compactMap { name, entry in
                    entry.latencyCount == 0 ? nil : (name, entry.latencySum, entry.latencyCount)
                },
                state.unlabelledSum, state.unlabelledCount
            )
        }
        var samples: [TextExposition.SummarySample] = []
        samples.reserveCapacity(entries.count + 1)
        if count > 0 {
            samples.append(.init(label: ("repo", Self.unlabelled), sum: sum, count: count))
        }
        for (name, entrySum, entryCount) in entries.sorted(by: { $0.0 < $1.0 }) {
            samples.append(.init(label: ("repo", name), sum: entrySum, count: entryCount))
        }
        return samples
    }

    // MARK: Inside the lock

    /// Marks `repository` active and lets `update` change its entry, creating the entry (and dropping the least
    /// recently active one when the cap is reached) if it is new.
    private func touch<Result>(
        _ repository: String,
        in state: inout State,
        _ update: (inout Entry) -> Result
    ) -> Result {
        state.clock &+= 1
        if let index = state.entries.index(forKey: repository) {
            // One hash per request: the entry is changed in place through its index.
            state.entries.values[index].lastUse = state.clock
            state.entries.values[index].touchedSinceSweep = true
            return update(&state.entries.values[index])
        }
        if state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            drop(oldest.value)
            state.entries.removeValue(forKey: oldest.key)
        }
        var entry = Entry(lastUse: state.clock)
        let result = update(&entry)
        state.entries[repository] = entry
        return result
    }

    private func drop(_ entry: Entry) {
        if let counter = entry.uploads { registry.unregisterCounter(counter) }
        if let counter = entry.downloads { registry.unregisterCounter(counter) }
        if let gauge = entry.storage { registry.unregisterGauge(gauge) }
    }
}
