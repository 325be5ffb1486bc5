import Config
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import MetricsExtension
@testable import Registry
@testable import Storage

// MARK: Helpers

/// Metrics as the extension builds them, with a small repository cap when a test needs one.
private func makeMetrics(capacity: Int = RepositorySeries.defaultCapacity) -> RegistryMetrics {
    RegistryMetrics(build: MetricsBuildInfo(version: "1.2.3", commit: "abc", labels: ["metrics"]),
        storageRoot: "/var/lib/zot", repositoryCapacity: capacity)
}

private func makeExtension(
    section: JSONValue = .object([:]), metrics: RegistryMetrics = makeMetrics()
) throws -> MetricsExtension {
    MetricsExtension(settings: try MetricsSettings(section: section), metrics: metrics, store: scratchStore)
}

private func exchange(
    _ method: String, _ path: String, status: Int, seconds: Double = 0.01
) -> RequestExchange {
    RequestExchange(
        method: method, path: path, repository: RegistryEndpoint(path: path)?.repositoryName, status: status,
        seconds: seconds
    )
}

private func page(_ metrics: RegistryMetrics) -> Page { Page(metrics.exposition()) }

private func section(_ json: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
}

// MARK: Request metrics

/// zot-behaviour.md: `zot_http_requests_total{method,code}` counts every request.
@Test func requestsAreCountedByMethodAndCode() throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    ext.observe(exchange("GET", "/v2/a/manifests/latest", status: 200))
    ext.observe(exchange("GET", "/v2/b/manifests/latest", status: 200))
    ext.observe(exchange("GET", "/v2/b/manifests/nope", status: 404))
    ext.observe(exchange("PUT", "/v2/a/manifests/v1", status: 201))

    let samples = page(metrics).samples
    #expect(samples[#"zot_http_requests_total{method="GET",code="200"}"#] == 2)
    #expect(samples[#"zot_http_requests_total{method="GET",code="404"}"#] == 1)
    #expect(samples[#"zot_http_requests_total{method="PUT",code="201"}"#] == 1)
}

/// Client-chosen methods must not add series: anything outside the standard set is `OTHER`.
@Test func unknownMethodsAreCountedAsOther() throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    for method in ["FOO", "BAR", "PROPFIND"] { ext.observe(exchange(method, "/v2/", status: 405)) }

    let page = page(metrics)
    #expect(page.samples[#"zot_http_requests_total{method="OTHER",code="405"}"#] == 3)
    #expect(page.series("zot_http_requests_total", containing: "FOO").isEmpty)
}

/// zot leaves the metrics page itself out of the request metrics.
@Test func scrapesAreNotCounted() throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    ext.observe(exchange("GET", "/metrics", status: 200))

    #expect(page(metrics).series("zot_http_requests_total", containing: "").isEmpty)
}

/// zot: `zot_http_method_latency_seconds{method}` is a histogram with buckets .05, .5, 1, 5, 30, 60, 600.
@Test func methodLatencyIsAHistogramWithZotsBuckets() throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    ext.observe(exchange("GET", "/v2/", status: 200, seconds: 0.2))
    ext.observe(exchange("GET", "/v2/", status: 200, seconds: 2))

    let page = page(metrics)
    #expect(page.types["zot_http_method_latency_seconds"] == "histogram")
    let buckets = page.series("zot_http_method_latency_seconds_bucket", containing: #"method="GET""#)
    #expect(buckets.count == RequestSeries.latencyBuckets.count + 1)  // and +Inf
    #expect(page.samples[#"zot_http_method_latency_seconds_bucket{method="GET",le="0.05"}"#] == 0)
    #expect(page.samples[#"zot_http_method_latency_seconds_bucket{method="GET",le="0.5"}"#] == 1)
    #expect(page.samples[#"zot_http_method_latency_seconds_bucket{method="GET",le="5.0"}"#] == 2)
    #expect(page.samples[#"zot_http_method_latency_seconds_bucket{method="GET",le="+Inf"}"#] == 2)
    #expect(page.samples[#"zot_http_method_latency_seconds_count{method="GET"}"#] == 2)
    #expect(page.samples[#"zot_http_method_latency_seconds_sum{method="GET"}"#] == 2.2)
}

/// zot: `zot_http_repo_latency_seconds{repo}` is a summary (sum and count), `N/A` for requests outside a repository.
@Test func repositoryLatencyIsASummaryPerRepository() throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    ext.observe(exchange("GET", "/v2/team/app/blobs/sha256:00", status: 404, seconds: 0.5))
    ext.observe(exchange("HEAD", "/v2/team/app/manifests/v1", status: 200, seconds: 0.25))
    ext.observe(exchange("GET", "/v2/_catalog", status: 200, seconds: 1))

    let page = page(metrics)
    #expect(page.types["zot_http_repo_latency_seconds"] == "summary")
    #expect(page.samples[#"zot_http_repo_latency_seconds_sum{repo="team/app"}"#] == 0.75)
    #expect(page.samples[#"zot_http_repo_latency_seconds_count{repo="team/app"}"#] == 2)
    #expect(page.samples[#"zot_http_repo_latency_seconds_count{repo="N/A"}"#] == 1)
}

// MARK: Repository metrics

/// zot counts an upload per manifest pushed and a download per manifest pulled.
@Test func pushesAndPullsAreCountedPerRepository() async throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    let digest = try Digest(parsing: "sha256:" + String(repeating: "0", count: 64))
    await ext.handle(
        .manifestPushed(ManifestPush(repository: "a", digest: digest, tags: ["v1"], mediaType: "x", content: [], pushedBy: "")))
    await ext.handle(.imagePulled(repository: "a", reference: "v1"))
    await ext.handle(.imagePulled(repository: "a", reference: "v1"))
    await ext.handle(.blobPushed(repository: "a", digest: digest))

    let samples = page(metrics).samples
    #expect(samples[#"zot_repo_uploads_total{repo="a"}"#] == 1)
    #expect(samples[#"zot_repo_downloads_total{repo="a"}"#] == 2)
}

/// Repository-labelled series must not grow without bound: past the cap the least recently active repository's
/// series are removed from the registry.
@Test func repositoryCapEvictsTheLeastRecentlyActive() async throws {
    let metrics = makeMetrics(capacity: 3)
    let ext = try makeExtension(metrics: metrics)
    for name in ["a", "b", "c"] {
        await ext.handle(.imagePulled(repository: name, reference: "v1"))
        ext.observe(exchange("GET", "/v2/\(name)/manifests/v1", status: 200))
    }
    metrics.repositories.setStorageBytes(repository: "b", bytes: 1234)  // b is active again
    ext.observe(exchange("GET", "/v2/a/manifests/v1", status: 200))  // a is active again: c is now the oldest
    await ext.handle(.imagePulled(repository: "d", reference: "v1"))

    let page = page(metrics)
    #expect(metrics.repositories.repositories == ["d", "a", "b"])
    #expect(page.series("zot_repo_downloads_total", containing: #"repo="c""#).isEmpty)
    #expect(page.series("zot_http_repo_latency_seconds", containing: #"repo="c""#).isEmpty)
    #expect(page.samples[#"zot_repo_storage_bytes{repo="b"}"#] == 1234)
    #expect(page.samples[#"zot_repo_downloads_total{repo="a"}"#] == 1)
    #expect(page.samples[#"zot_repo_downloads_total{repo="d"}"#] == 1)
}

/// Thousands of distinct (even made-up) names leave at most `capacity` repositories' series.
@Test func repositorySeriesStayWithinTheCap() throws {
    let metrics = makeMetrics(capacity: 50)
    let ext = try makeExtension(metrics: metrics)
    for index in 0..<5000 { ext.observe(exchange("GET", "/v2/probe\(index)/manifests/x", status: 404)) }

    let latency = page(metrics).series("zot_http_repo_latency_seconds_count", containing: "probe")
    #expect(latency.count == 50)
    #expect(latency.contains(#"zot_http_repo_latency_seconds_count{repo="probe4999"}"#))
}

/// Requests observed from many tasks at once, while the cap evicts, are all counted.
@Test func concurrentRequestsAreAllCounted() async throws {
    let metrics = makeMetrics(capacity: 10)
    let ext = try makeExtension(metrics: metrics)
    await withTaskGroup(of: Void.self) { group in
        for task in 0..<8 {
            group.addTask {
                for index in 0..<1000 {
                    ext.observe(exchange("GET", "/v2/r\(task)-\(index % 40)/manifests/v1", status: 200))
                }
            }
        }
    }

    let page = page(metrics)
    #expect(page.samples[#"zot_http_requests_total{method="GET",code="200"}"#] == 8000)
    #expect(page.samples[#"zot_http_method_latency_seconds_count{method="GET"}"#] == 8000)
    #expect(metrics.repositories.repositories.count == 10)
}

/// zot's `repoLabelExpiry`: a repository untouched for a whole interval loses its series.
@Test func expirySweepDropsRepositoriesUntouchedForAnInterval() async throws {
    let metrics = makeMetrics()
    let ext = try makeExtension(metrics: metrics)
    await ext.handle(.imagePulled(repository: "old", reference: "v1"))
    await ext.handle(.imagePulled(repository: "busy", reference: "v1"))
    metrics.repositories.sweepUntouched()  // end of the first interval: both were touched
    await ext.handle(.imagePulled(repository: "busy", reference: "v1"))
    metrics.repositories.sweepUntouched()

    let samples = page(metrics).samples
    #expect(samples[#"zot_repo_downloads_total{repo="old"}"#] == nil)
    #expect(samples[#"zot_repo_downloads_total{repo="busy"}"#] == 2)
}

// MARK: Server-wide metrics

/// Go's process collector figures, read from `/proc/self` when scraped.
@Test func processMetricsArePresent() throws {
    let samples = page(makeMetrics()).samples
    let now = Date().timeIntervalSince1970
    #expect((samples["process_resident_memory_bytes"] ?? 0) > 1_000_000)
    #expect((samples["process_open_fds"] ?? 0) >= 3)
    #expect((samples["process_max_fds"] ?? 0) >= (samples["process_open_fds"] ?? .infinity))
    #expect((samples["process_cpu_seconds_total"] ?? 0) > 0)
    let start = try #require(samples["process_start_time_seconds"])
    #expect(start <= now && start > now - 86_400)
}

/// `zot_info` carries the build in its labels and the value 0, as zot sets it.
@Test func infoNamesTheBuild() throws {
    let samples = page(makeMetrics()).samples
    let series = #"zot_info{commit="abc",binaryType="-metrics",goVersion="\#(MetricsBuildInfo.compiler)",version="1.2.3"}"#
    #expect(samples[series] == 0)
}

/// zot's `binaryType` is `-` followed by the labels joined with `-`, or `minimal`.
@Test func binaryTypeJoinsLabelsAsZotDoes() {
    #expect(MetricsBuildInfo(labels: ["metrics", "mgmt"]).binaryType == "-metrics-mgmt")
    #expect(MetricsBuildInfo(labels: []).binaryType == "minimal")
}

#if metrics
/// The package's traits reach this target, so the default build info lists this very label.
@Test func compiledLabelsIncludeMetrics() {
    #expect(CompiledLabels.current.contains("metrics"))
}
#endif

/// zot PR #3863: `zot_gc_runs_total{error}`, `zot_gc_deleted_total{type}`, summary `zot_gc_duration_seconds`.
@Test func garbageCollectionRunsAreRecorded() {
    let metrics = makeMetrics()
    metrics.garbageCollection.record(seconds: 1.5, failed: false, removed: .init(manifests: 2, blobs: 3, uploads: 1))
    metrics.garbageCollection.record(seconds: 0.5, failed: true, removed: .init())

    let page = page(metrics)
    #expect(page.samples[#"zot_gc_runs_total{error="false"}"#] == 1)
    #expect(page.samples[#"zot_gc_runs_total{error="true"}"#] == 1)
    #expect(page.samples[#"zot_gc_deleted_total{type="manifest"}"#] == 2)
    #expect(page.samples[#"zot_gc_deleted_total{type="blob"}"#] == 3)
    #expect(page.samples[#"zot_gc_deleted_total{type="upload"}"#] == 1)
    #expect(page.types["zot_gc_duration_seconds"] == "summary")
    #expect(page.samples["zot_gc_duration_seconds_sum"] == 2)
    #expect(page.samples["zot_gc_duration_seconds_count"] == 2)
}

/// A pass of the store's GC maps onto zot's types: manifests, blob links (zot's per-repository `blob`), uploads.
@Test func garbageReportMapsOntoZotsTypes() {
    let metrics = makeMetrics()
    metrics.garbageCollection.record(
        GarbageReport(manifestsDeleted: 1, linksDeleted: 4, blobsDeleted: 2, uploadsDeleted: 3), seconds: 0.5,
        failed: false
    )

    let samples = page(metrics).samples
    #expect(samples[#"zot_gc_deleted_total{type="manifest"}"#] == 1)
    #expect(samples[#"zot_gc_deleted_total{type="blob"}"#] == 4)
    #expect(samples[#"zot_gc_deleted_total{type="upload"}"#] == 3)
}

/// zot times its store-wide lock; zotd has none, so the series exist for dashboards and stay at zero.
@Test func storageLockLatencyIsPresentAndZero() {
    let samples = page(makeMetrics()).samples
    let count = #"zot_storage_lock_latency_seconds_count{storageName="/var/lib/zot",lockType="RWLock"}"#
    #expect(samples[count] == 0)
}

// MARK: Config and route

/// zot's default: `extensions.metrics.prometheus.path` is `/metrics` when absent or empty.
@Test(arguments: [#"{}"#, #"{"prometheus": {}}"#, #"{"prometheus": {"path": ""}}"#, #"{"enable": true}"#])
func pathDefaultsToMetrics(json: String) throws {
    #expect(try MetricsSettings(section: section(json)).path == "/metrics")
}

/// A path the router cannot own (relative, or one the OCI endpoints claim) is refused at startup.
@Test(arguments: ["metrics", "/v2/", "/v2/a/manifests/b", #"/m?x=1"#])
func unservablePathsAreRefused(path: String) throws {
    #expect(throws: ConfigError.self) {
        try MetricsSettings(section: section(#"{"prometheus": {"path": "\#(path)"}}"#))
    }
}

/// zot accepts `repoLabelExpiry` of 0 (off) or at least a minute.
@Test func repoLabelExpiryFollowsZotsRule() throws {
    #expect(try MetricsSettings(section: section(#"{"repoLabelExpiry": "10m"}"#)).repoLabelExpiry == .seconds(600))
    #expect(try MetricsSettings(section: section(#"{"repoLabelExpiry": "0"}"#)).repoLabelExpiry == nil)
    #expect(throws: ConfigError.self) { try MetricsSettings(section: section(#"{"repoLabelExpiry": "30s"}"#)) }
}

/// The configured path serves the page with the Prometheus text content type, through the real server stack;
/// requests served before it are counted, and the default path is not served.
@Test func configuredPathServesThePage() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-metrics-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let store = try RegistryStore.local(root: root.path, durable: false)
    let config = RegistryConfig(
        storage: StorageConfig(rootDirectory: root.path),
        extensions: ExtensionsConfig(sections: ["metrics": try section(#"{"prometheus": {"path": "/custom/metrics"}}"#)])
    )
    let logger = Logger(label: "test")
    let extensions = try ExtensionSet(
        factories: [MetricsExtensionFactory()],
        context: ExtensionContext(config: config, store: store, logger: logger)
    )
    let server = RegistryServer(
        options: .init(address: "127.0.0.1", port: 0, garbageCollection: false, gcDelay: .seconds(3600),
            gcInterval: .seconds(3600)),
        store: store, extensions: extensions, logger: logger
    )
    try await server.makeApplication().test(.router) { client in
        try await client.execute(uri: "/v2/", method: .get) { #expect($0.status == .ok) }
        try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        try await client.execute(uri: "/custom/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let page = Page(Array(response.body.readableBytesView))
            #expect(page.samples[#"zot_http_requests_total{method="GET",code="200"}"#] == 1)
        }
    }
}
