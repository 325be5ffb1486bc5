import Foundation
import Logging
import Registry

/// Keeps the index current: storage events through the feed (or, with metadata shared between replicas,
/// every replica's changes through the follower), pulls through the counter, all applied in the background,
/// and a way for a search to catch up with them first.
struct IndexUpdates: Sendable {
    let indexer: ImageIndexer
    let feed = IndexFeed()
    let downloads = DownloadCounts()
    /// With metadata shared between replicas: what indexes every replica's changes, this one's included, in
    /// place of this replica's events.
    let follower: SharedChangeFollower?
    let logger: Logger

    /// How long events may wait for others to join their batch; a search does not wait for it.
    static let gatherWindow: Duration = .milliseconds(100)
    /// Events that make a batch without waiting out the window.
    static let batchLimit = 10_000
    /// How often counted pulls are written to the index.
    static let downloadFlushInterval: Duration = .seconds(1)

    func take(_ event: RegistryEvent) {
        switch event {
        case .imagePulled(let repository, let reference):
            downloads.count(repository: repository, reference: reference, at: Date())
        case .manifestPushed, .manifestDeleted, .garbageCollected:
            if let follower { follower.wake() } else { feed.post(event) }
        default:
            break
        }
    }

    /// Applies events and pulls until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                if let follower { await follower.run() } else { await applyEvents() }
            }
            group.addTask { await flushDownloadsPeriodically() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once everything announced before the call is in the index: what a client pushed or pulled
    /// before it searches is in the answer.
    func catchUp() async {
        await indexIsCurrent()
        await flushDownloads()
        // With replicas, this replica's pulls reach its own index through the shared changes too.
        if follower != nil { await indexIsCurrent() }
    }

    private func indexIsCurrent() async {
        if let follower { await follower.catchUp() } else { await feed.waitUntilCurrent() }
    }

    /// The one consumer of the feed: applies what queued up, in order, a batch at a time. A failed batch is
    /// logged and skipped, so that searches waiting on the feed are never held up by it (`zotd reindex`
    /// repairs what it missed).
    private func applyEvents() async {
        await withTaskCancellationHandler {
            for await _ in feed.doorbell {
                // A batch costs one transaction and one refresh per repository it touches, whatever its
                // size: letting pushes gather for a moment spends less of the CPU they share with indexing.
                await feed.gather(window: Self.gatherWindow, batchLimit: Self.batchLimit)
                let batch = feed.takePending()
                guard !batch.isEmpty else { continue }
                do {
                    try await indexer.apply(batch)
                } catch {
                    logger.error("search: indexing failed", metadata: ["events": "\(batch.count)", "error": "\(error)"])
                }
                feed.markApplied(batch.count)
            }
        } onCancel: {
            feed.finish()
        }
    }

    private func flushDownloadsPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.downloadFlushInterval)
            await flushDownloads()
        }
    }

    /// Writes counted pulls once the pushes announced before them are indexed (a pull names a tag the index
    /// must already know).
    private func flushDownloads() async {
        let pulls = downloads.take()
        guard !pulls.isEmpty else { return }
        await indexIsCurrent()
        do {
            if let follower {
                try await follower.record(try indexer.tallies(pulls))
            } else {
                try indexer.applyDownloads(pulls)
            }
        } catch {
            logger.error("search: counting downloads failed", metadata: ["error": "\(error)"])
        }
    }
}
