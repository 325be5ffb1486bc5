import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Registry
import Storage
import Synchronization

/// zot's `scrub` extension: re-hashes every blob and checks every manifest's references every
/// `interval`, throttled, logging damage per repository.
///
/// `GET /v2/_zot/ext/scrub` answers the last run's figures in Prometheus text format
/// (`zot_scrub_problems{repo}`, `zot_scrub_last_run_timestamp_seconds`, ...), so a scraper can alert
/// on damage whether or not the metrics extension is compiled in. Each finished pass is also posted as
/// `RegistryEvent.scrubFinished`, which the metrics extension turns into gauges on `/metrics`.
struct ScrubExtension: RegistryExtension {
    static let path = "/v2/_zot/ext/scrub"

    let store: RegistryStore
    let root: String
    let interval: Duration
    let bytesPerSecond: Int64
    let logger: Logger
    let events: ExtensionEvents
    let state = ScrubState()

    var endpoints: [String] { [Self.path] }

    /// Returns when cancelled (shutdown): a cancelled sleep is the loop's normal end, not a failure,
    /// and must not reach the service group, which would turn it into a non-zero exit.
    func run() async throws {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await scrubOnce()
        }
    }

    func scrubOnce() async {
        let started = ContinuousClock.now
        do {
            // Replicas sharing storage take turns: each blob is hashed once per interval, not once per replica.
            guard
                let report = try await store.runOnceAcrossReplicas("scrub", every: interval, {
                    [store, bytesPerSecond] in try await store.scrub(bytesPerSecond: bytesPerSecond)
                })
            else { return }
            for problem in report.problems {
                logger.error("scrub found damaged content", metadata: [
                    "repository": "\(problem.repository)", "kind": "\(problem.kind.rawValue)",
                    "digest": "\(problem.digest)", "detail": "\(problem.detail)",
                ])
            }
            logger.info("\(ScrubSummary.line(report, root: root))")
            let outcome = ScrubOutcome(report: report, finishedAt: Date(), seconds: (ContinuousClock.now - started).inSeconds)
            state.last.withLock { $0 = outcome }
            await events.post(.scrubFinished(report: report, seconds: outcome.seconds, finishedAt: outcome.finishedAt))
        } catch is CancellationError {
            return
        } catch {
            logger.error("scrub failed", metadata: ["error": "\(error)"])
        }
    }

    /// Each caller sees only the repositories it may read, and the problem total over those: naming a
    /// repository the caller may not read would leak it. The pass's own figures (blobs and bytes hashed,
    /// duration, time) name nothing and are shown to all.
    func addRoutes(to routes: GuardedRoutes) {
        routes.get(Self.path, access: .anyCaller) { _, context in
            let last = state.last.withLock { $0 }
            let text = last.map { $0.exposition(visibleTo: context.mayRead) } ?? "# no scrub has finished yet\n"
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4", .contentLength: String(text.utf8.count)],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }
}

/// The last finished scrub, shared between the background loop and the endpoint.
final class ScrubState: Sendable {
    let last = Mutex<ScrubOutcome?>(nil)
}

/// A finished scrub, as the endpoint shows it.
struct ScrubOutcome: Sendable {
    let report: ScrubReport
    let finishedAt: Date
    let seconds: Double

    /// The page as a caller sees it who may read the repositories `mayRead` accepts.
    func exposition(visibleTo mayRead: (String) -> Bool) -> String {
        var visible = report
        visible.problems = report.problems.filter { mayRead($0.repository) }
        var lines = [
            "# HELP zot_scrub_problems Damaged or missing content found by the last scrub, per repository.",
            "# TYPE zot_scrub_problems gauge",
        ]
        for (repository, count) in visible.problemsByRepository.sorted(by: { $0.key < $1.key }) {
            let escaped = repository.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            lines.append("zot_scrub_problems{repo=\"\(escaped)\"} \(count)")
        }
        lines += [
            "# TYPE zot_scrub_problems_total gauge", "zot_scrub_problems_total \(visible.problems.count)",
            "# TYPE zot_scrub_blobs_checked gauge", "zot_scrub_blobs_checked \(report.blobsChecked)",
            "# TYPE zot_scrub_bytes_hashed gauge", "zot_scrub_bytes_hashed \(report.bytesHashed)",
            "# TYPE zot_scrub_manifests_checked gauge", "zot_scrub_manifests_checked \(report.manifestsChecked)",
            "# TYPE zot_scrub_duration_seconds gauge", "zot_scrub_duration_seconds \(seconds)",
            "# TYPE zot_scrub_last_run_timestamp_seconds gauge",
            "zot_scrub_last_run_timestamp_seconds \(finishedAt.timeIntervalSince1970)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
