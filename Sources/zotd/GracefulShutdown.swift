import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// How `zotd serve` ends: SIGTERM or SIGINT starts a graceful shutdown with a deadline.
///
/// Graceful shutdown closes the listener at once, lets requests in flight finish (a chunk being
/// PATCHed is written and acknowledged) and stops the background services (GC, extensions). A
/// request still running at the deadline is cancelled: an upload keeps the bytes staged so far and
/// resumes after the restart. The deadline stays under Kubernetes' default 30 s grace period.
enum GracefulShutdown {
    /// The deadline, unless `ZOTD_SHUTDOWN_GRACE_SECONDS` (a number of seconds) says otherwise.
    static let defaultGrace: Duration = .seconds(25)

    static func grace(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration {
        guard let text = environment["ZOTD_SHUTDOWN_GRACE_SECONDS"], let seconds = Double(text), seconds >= 0 else {
            return defaultGrace
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// Runs `app` until a signal ends it; returns normally (exit code 0) after a graceful shutdown.
    static func run(_ app: some Service, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [app],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = grace()
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
