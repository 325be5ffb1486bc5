import Hummingbird
import Logging
import ServiceLifecycle
import Storage

/// Runs garbage collection every `interval` while the server runs.
struct GarbageCollectionService: Service {
    let store: RegistryStore
    let delay: Duration
    let interval: Duration
    let extensions: ExtensionSet
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the sleep; that is the loop's normal end, not a failure.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await collectOnce()
            }
        }
    }

    private func collectOnce() async {
        let start = ContinuousClock.now
        do {
            // Replicas sharing metadata take turns: one pass per interval between them, not one each.
            guard
                let report = try await store.runOnceAcrossReplicas("garbage collection", every: interval, {
                    [store, delay] in try await store.collectGarbage(delay: delay.inSeconds)
                })
            else { return }
            await extensions.publish(
                .garbageCollected(report: report, seconds: (ContinuousClock.now - start).inSeconds, failed: false)
            )
            if report != GarbageReport() {
                logger.info(
                    "garbage collected",
                    metadata: [
                        "manifests": "\(report.manifestsDeleted)", "links": "\(report.linksDeleted)",
                        "blobs": "\(report.blobsDeleted)", "uploads": "\(report.uploadsDeleted)",
                        "orphanFiles": "\(report.orphanFilesDeleted)",
                    ]
                )
            }
        } catch {
            await extensions.publish(
                .garbageCollected(report: GarbageReport(), seconds: (ContinuousClock.now - start).inSeconds, failed: true)
            )
            logger.error("garbage collection failed", metadata: ["error": "\(error)"])
        }
    }
}
