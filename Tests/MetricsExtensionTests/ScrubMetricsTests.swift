import Config
import Foundation
import HummingbirdTesting
import Logging
import Testing

@testable import MetricsExtension
@testable import Registry
@testable import Storage

/// A finished scrub pass (`RegistryEvent.scrubFinished`, posted by the scrub extension) becomes `zot_scrub_*`
/// gauges on `/metrics`. zot has no scrub metrics; the names are zotd's (see `ScrubSeries`).
@Suite struct ScrubMetricsTests {
    func makeMetrics(capacity: Int = RepositorySeries.defaultCapacity) -> RegistryMetrics {
        RegistryMetrics(build: MetricsBuildInfo(labels: ["metrics", "scrub"]), storageRoot: "/data", repositoryCapacity: capacity)
    }

    /// Samples by series as written (`name{labels}`), and `# TYPE` by family.
    func samples(_ bytes: [UInt8]) -> (values: [String: Double], types: [String: String]) {
        let page = Page(bytes)
        return (page.samples, page.types)
    }

    func problem(_ kind: ScrubReport.Problem.Kind, _ repository: String, _ digest: String) -> ScrubReport.Problem {
        .init(kind: kind, repository: repository, digest: digest, detail: "test")
    }

    /// Repository `a`: one layer rewritten, its config truncated, one manifest missing two layers; `b`: one
    /// layer deleted; `c`: clean.
    func damagedReport() -> ScrubReport {
        var report = ScrubReport()
        report.blobsChecked = 6
        report.blobsCheckedByRepository = ["a": 3, "b": 2, "c": 1]
        report.manifestsChecked = 3
        report.problems = [
            problem(.blobCorrupt, "a", "sha256:1"), problem(.blobSizeMismatch, "a", "sha256:2"),
            problem(.referenceMissing, "a", "sha256:m"), problem(.referenceMissing, "a", "sha256:m"),
            problem(.blobMissing, "b", "sha256:3"),
        ]
        return report
    }

    @Test func scrubPassBecomesGaugesPerRepositoryAndKind() async throws {
        let metrics = makeMetrics()
        let ext = MetricsExtension(settings: MetricsSettings(), metrics: metrics, store: scratchStore)
        let finished = Date(timeIntervalSince1970: 1_700_000_000)
        await ext.handle(.scrubFinished(report: damagedReport(), seconds: 2.5, finishedAt: finished))

        let (values, types) = samples(metrics.exposition())
        #expect(values[#"zot_scrub_problems{repo="a",kind="blob_corrupt"}"#] == 2)
        #expect(values[#"zot_scrub_problems{repo="a",kind="blob_missing"}"#] == 0)
        #expect(values[#"zot_scrub_problems{repo="a",kind="manifest_missing_references"}"#] == 1)
        #expect(values[#"zot_scrub_problems{repo="b",kind="blob_missing"}"#] == 1)
        #expect(values[#"zot_scrub_problems{repo="c",kind="blob_corrupt"}"#] == 0)
        #expect(values[#"zot_scrub_blobs_checked{repo="a"}"#] == 3)
        #expect(values[#"zot_scrub_blobs_checked{repo="c"}"#] == 1)
        #expect(values["zot_scrub_last_run_timestamp_seconds"] == 1_700_000_000)
        #expect(values["zot_scrub_last_run_duration_seconds"] == 2.5)
        #expect(values["zot_scrub_runs_total"] == 1)
        #expect(types["zot_scrub_problems"] == "gauge" && types["zot_scrub_blobs_checked"] == "gauge")
        #expect(types["zot_scrub_runs_total"] == "counter")
    }

    /// Gauges describe the last pass: a repository it no longer saw (deleted since) loses its series, and
    /// repaired damage reads 0.
    @Test func nextPassReplacesTheFigures() async throws {
        let metrics = makeMetrics()
        let ext = MetricsExtension(settings: MetricsSettings(), metrics: metrics, store: scratchStore)
        await ext.handle(.scrubFinished(report: damagedReport(), seconds: 1, finishedAt: Date()))
        var clean = ScrubReport()
        clean.blobsCheckedByRepository = ["a": 3]
        await ext.handle(.scrubFinished(report: clean, seconds: 1, finishedAt: Date()))

        let values = samples(metrics.exposition()).values
        #expect(values[#"zot_scrub_problems{repo="a",kind="blob_corrupt"}"#] == 0)
        #expect(values.keys.filter { $0.contains(#"repo="b""#) || $0.contains(#"repo="c""#) }.isEmpty)
        #expect(values["zot_scrub_runs_total"] == 2)
    }

    /// Past the repository cap, repositories with problems keep their series first.
    @Test func repositoriesWithProblemsComeFirstPastTheCap() async throws {
        let metrics = makeMetrics(capacity: 1)
        let ext = MetricsExtension(settings: MetricsSettings(), metrics: metrics, store: scratchStore)
        var report = ScrubReport()
        report.blobsCheckedByRepository = ["a": 1, "z": 1]
        report.problems = [problem(.blobMissing, "z", "sha256:1")]
        await ext.handle(.scrubFinished(report: report, seconds: 1, finishedAt: Date()))

        let values = samples(metrics.exposition()).values
        #expect(values[#"zot_scrub_problems{repo="z",kind="blob_missing"}"#] == 1)
        #expect(values.keys.filter { $0.contains(#"repo="a""#) }.isEmpty)
    }

    /// The way the scrub extension posts: through the context's `ExtensionEvents`, which the `ExtensionSet`
    /// connects to every enabled extension; the figures then show on the page the real server stack serves.
    @Test func postedScrubEventShowsOnTheMetricsPage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-scrub-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try RegistryStore.local(root: root.path, durable: false)
        let config = RegistryConfig(
            storage: StorageConfig(rootDirectory: root.path), extensions: ExtensionsConfig(sections: ["metrics": .object([:])]))
        let logger = Logger(label: "test")
        let context = ExtensionContext(config: config, store: store, logger: logger)
        let extensions = try ExtensionSet(factories: [MetricsExtensionFactory()], context: context)
        let server = RegistryServer(
            options: .init(address: "127.0.0.1", port: 0, garbageCollection: false, gcDelay: .seconds(3600),
                gcInterval: .seconds(3600)),
            store: store, extensions: extensions, logger: logger
        )
        await context.events.post(.scrubFinished(report: damagedReport(), seconds: 1, finishedAt: Date()))
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let values = samples(Array(response.body.readableBytesView)).values
                #expect(values[#"zot_scrub_problems{repo="b",kind="blob_missing"}"#] == 1)
                #expect(values[#"zot_scrub_blobs_checked{repo="a"}"#] == 3)
            }
        }
    }
}
