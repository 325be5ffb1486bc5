import Foundation
import Logging
import Registry
import Storage
import Synchronization

/// Keeps this replica's index in step with metadata every replica shares, by following its changes
/// (`MetadataChangeFeed`) instead of this replica's own events: a push through any replica is found by a
/// search through any other. The index itself stays on each replica, derived as before; only the changes
/// travel.
///
/// The position followed up to is kept in the index (`search_feed`), so that a restart carries on from it. A
/// replica that never followed, or fell behind the changes kept (`retention`), indexes storage whole first.
final class SharedChangeFollower: Sendable {
    let feed: any MetadataChangeFeed
    let indexer: ImageIndexer
    let logger: Logger
    /// Rings when this replica changed something: its own pushes are indexed at once, not at the next poll.
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    /// Set once following has started; read by searches catching up.
    private let cursor = Mutex<ChangeCursor?>(nil)

    /// How often changes through other replicas are looked for.
    static let pollInterval: Duration = .milliseconds(250)
    /// Changes read and indexed in one batch (one transaction of the index).
    static let batchLimit = 1000
    /// How long changes are kept for replicas that were away; one that was away longer indexes storage whole.
    static let retention: Double = 7 * 24 * 3600
    /// How long a search waits for the index to catch up with the changes committed when it began, before it
    /// answers from the index as it is (the database may be out of reach).
    static let catchUpLimit: Duration = .seconds(10)

    init(feed: any MetadataChangeFeed, indexer: ImageIndexer, logger: Logger) {
        self.feed = feed
        self.indexer = indexer
        self.logger = logger
        (doorbell, ring) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the follower: this replica has just changed something.
    func wake() { ring.yield() }

    /// Follows the changes until cancelled.
    func run() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.follow() }
                group.addTask { await self.tick() }
                group.addTask { await self.pruneHourly() }
                await group.next()
                group.cancelAll()
            }
        } onCancel: {
            ring.finish()
        }
    }

    /// Returns once the index holds every change committed before the call, or after `catchUpLimit`.
    func catchUp() async {
        let deadline = ContinuousClock.now + Self.catchUpLimit
        guard let latest = try? await feed.changeBounds().latest else { return }
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let highest = cursor.withLock({ $0?.highest }), highest >= latest { return }
            wake()
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func follow() async {
        while !Task.isCancelled {
            do {
                try await start()
                break
            } catch {
                logger.error("search: cannot start following the replicas' changes", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        for await _ in doorbell {
            do {
                // A full batch means more are waiting: read on without pausing.
                while try await pollOnce() == Self.batchLimit {}
            } catch {
                logger.error("search: following the replicas' changes failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Rings every `pollInterval`, for the changes made through other replicas; rings coalesce.
    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.pollInterval)
            wake()
        }
    }

    /// Where following starts: where it stopped, or, for an index that never followed or fell behind what is
    /// kept, storage indexed whole and a little before the newest change: a change that commits late below it
    /// is read again, and applying a change again leaves the index as it was.
    private func start() async throws {
        let saved = try indexer.index.feedFloor()
        let (oldest, latest) = try await feed.changeBounds()
        if let saved, saved + 1 >= (oldest ?? saved + 1) {
            cursor.withLock { $0 = ChangeCursor(floor: saved) }
            return
        }
        let started = ContinuousClock.now
        let indexed = try await indexer.rebuild()
        let floor = max((oldest ?? 1) - 1, latest - Int64(Self.batchLimit), 0)
        try indexer.index.saveFeedFloor(floor)
        cursor.withLock { $0 = ChangeCursor(floor: floor) }
        logger.info(
            "search: indexed \(indexed) manifests from storage in \(ContinuousClock.now - started), following the replicas' changes from position \(floor)"
        )
    }

    /// Indexes the changes after the highest applied and those filling gaps; returns how many were read after
    /// the highest.
    private func pollOnce() async throws -> Int {
        guard let (highest, missing) = cursor.withLock({ cursor in cursor.map { ($0.highest, $0.missing) } }) else { return 0 }
        let late = try await feed.changes(at: missing)
        let next = try await feed.changes(after: highest, limit: Self.batchLimit)
        let changes = late + next
        if !changes.isEmpty {
            try await indexer.apply(await indexer.events(for: changes))
            try indexer.index.addDownloads(Self.downloads(in: changes))
        }
        let now = Date().timeIntervalSince1970
        let (before, after) = cursor.withLock { cursor -> (Int64, Int64) in
            let before = cursor?.floor ?? 0
            cursor?.markApplied(changes.map(\.position), at: now)
            return (before, cursor?.floor ?? 0)
        }
        if after != before { try indexer.index.saveFeedFloor(after) }
        return next.count
    }

    /// Records the pulls this replica counted, for every replica's index (this one's included).
    func record(_ tallies: [DownloadKey: DownloadTally]) async throws {
        var pulls: [ImagePulls] = []
        for (key, tally) in tallies {
            guard let digest = try? Digest(parsing: key.digest) else { continue }
            pulls.append(
                ImagePulls(repository: key.repository, digest: digest, count: tally.count, last: tally.last.timeIntervalSince1970))
        }
        try await feed.recordPulls(pulls)
        wake()
    }

    /// The pulls among `changes`, by image.
    static func downloads(in changes: [MetadataChange]) -> [DownloadKey: DownloadTally] {
        var tallies: [DownloadKey: DownloadTally] = [:]
        for change in changes {
            guard case .pulled(let digest, let count, let last) = change.kind else { continue }
            tallies.add(
                DownloadTally(count: count, last: Date(timeIntervalSince1970: last)),
                to: DownloadKey(repository: change.repository, digest: digest.description))
        }
        return tallies
    }

    /// Forgets changes older than `retention`, once an hour between all replicas.
    private func pruneHourly() async {
        while !Task.isCancelled {
            do {
                _ = try await indexer.store.runOnceAcrossReplicas("metadata change pruning", every: .seconds(3600)) {
                    [feed] in try await feed.pruneChanges(before: Date().timeIntervalSince1970 - Self.retention)
                }
            } catch {
                logger.warning("search: cannot prune the replicas' changes", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}

extension ImageIndexer {
    /// The storage events that bring an index in step with `changes`. A stored manifest is read back, with its
    /// bytes; one deleted since is left out (its deletion follows).
    func events(for changes: [MetadataChange]) async -> [RegistryEvent] {
        var events: [RegistryEvent] = []
        for change in changes {
            switch change.kind {
            case .stored(let digest, let tags, let pushedBy):
                guard let name = try? RepositoryName(parsing: change.repository),
                    let stored = try? await store.manifest(.digest(digest), in: name)
                else { continue }
                events.append(
                    .manifestPushed(
                        ManifestPush(
                            repository: change.repository, digest: digest, tags: tags, mediaType: stored.mediaType,
                            content: stored.content, pushedBy: pushedBy)))
            case .manifestDeleted(let digest):
                events.append(.manifestDeleted(repository: change.repository, reference: digest.description))
            case .tagDeleted(let tag):
                events.append(.manifestDeleted(repository: change.repository, reference: tag))
            case .collected:
                events.append(.garbageCollected(report: GarbageReport(manifestsDeleted: 1), seconds: 0, failed: false))
            case .pulled:
                continue  // counted apart (`downloads(in:)`)
            }
        }
        return events
    }
}
