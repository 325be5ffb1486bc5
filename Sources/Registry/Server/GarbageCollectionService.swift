import Hummingbird
import Logging
import ServiceLifecycle
import Storage

/// Runs garbage collection every `interval` while the server runs.
struct GarbageCollectionService: Service {
    let store: RegistryStore
    let delay: Duration
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await collectOnce()
            }
        }
    }

    private func collectOnce() async {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        do {
            let report = try await store.collectGarbage(delay: seconds)
            if report != GarbageReport() {
                logger.info(
                    "garbage collected",
                    metadata: [
                        "manifests": "\(report.manifestsDeleted)", "links": "\(report.linksDeleted)",
                        "blobs": "\(report.blobsDeleted)", "uploads": "\(report.uploadsDeleted)",
                    ]
                )
            }
        } catch {
            logger.error("garbage collection failed", metadata: ["error": "\(error)"])
        }
    }
}
