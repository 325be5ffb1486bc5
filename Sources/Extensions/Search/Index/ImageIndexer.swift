import Foundation
import Logging
import NIOCore
import Registry
import Storage

/// Turns storage events into index changes: a push carries its manifest, and the config is read from storage
/// (or a cache).
struct ImageIndexer: Sendable {
    let store: RegistryStore
    let index: SearchIndex
    let logger: Logger

    /// Configs larger than this are described without their config (platform, history, labels): a real one is
    /// a few KiB, and nothing a client pushed may make indexing read without bound.
    static let configReadLimit: Int64 = 4 << 20
    /// Configs read lately, by digest, up to this size each: the tags and copies of one build share a config,
    /// and reading it from disk again cost each of them as much as the rest of their indexing.
    static let cachedConfigLimit = 64 << 10
    let configs = TextKeyedCache<[UInt8]>(capacity: 1024)

    /// Applies a batch of events in one transaction. An event whose content cannot be read is logged and
    /// left out; the others still apply.
    func apply(_ events: [RegistryEvent]) async throws {
        var changes: [IndexChange] = []
        for event in events {
            do {
                changes += try await self.changes(for: event)
            } catch {
                logger.error("search: cannot index", metadata: ["event": "\(Self.describe(event))", "error": "\(error)"])
            }
        }
        try index.apply(changes)
    }

    /// An event as the log names it: a push without its bytes.
    private static func describe(_ event: RegistryEvent) -> String {
        guard case .manifestPushed(let push) = event else { return "\(event)" }
        return "push of \(push.digest) to \(push.repository)"
    }

    func changes(for event: RegistryEvent) async throws -> [IndexChange] {
        switch event {
        case .manifestPushed(let push):
            guard let name = try? RepositoryName(parsing: push.repository) else { return [] }
            var (image, source) = try await indexedImage(
                push.digest, content: push.content, mediaType: push.mediaType, in: name, at: Date())
            image.pushedBy = push.pushedBy
            return [.record(image, source: source, tags: push.tags.filter { !$0.contains(":") }, at: Date())]
        case .manifestDeleted(let repository, let reference):
            return [reference.contains(":") ? .removeImage(reference, in: repository) : .removeTag(reference, in: repository)]
        case .garbageCollected(let report, _, _) where report.manifestsDeleted > 0:
            return try await collectedManifests()
        default:
            return []
        }
    }

    /// The entry of one manifest as storage holds it now; nil for a manifest already gone (deleted in between).
    func indexedImage(_ digest: Digest, in repository: String, at time: Date) async throws -> (IndexedImage, ImageSource)? {
        guard let name = try? RepositoryName(parsing: repository),
            let stored = try? await store.manifest(.digest(digest), in: name)
        else { return nil }
        return try await indexedImage(digest, content: stored.content, mediaType: stored.mediaType, in: name, at: time)
    }

    /// The entry of a stored manifest, from its bytes.
    private func indexedImage(
        _ digest: Digest, content: [UInt8], mediaType: String, in repository: RepositoryName, at time: Date
    ) async throws -> (IndexedImage, ImageSource) {
        let document = try JSONDecoder().decode(ManifestDocument.self, from: Data(content))
        var config: [UInt8]?
        if let descriptor = document.config, let configDigest = try? Digest(parsing: descriptor.digest) {
            config = try await readConfig(configDigest, in: repository)
        }
        let summary = config.flatMap { bytes in document.config.flatMap { index.configSummaries.summary(of: $0.digest, bytes: bytes) } }
        let image = IndexedImage(
            repository: repository.value, digest: digest.description, mediaType: mediaType,
            manifestSize: Int64(content.count), document: document, config: summary, pushedAt: time)
        return (image, ImageSource(mediaType: mediaType, manifest: content, config: config))
    }

    /// A config's bytes. Storage stores a manifest only when its config is in its repository, so a copy cached
    /// by digest (read through any repository) is what this one holds too; a config read from disk is read
    /// through the repository.
    private func readConfig(_ digest: Digest, in repository: RepositoryName) async throws -> [UInt8]? {
        if let cached = configs.cached(digest.description) { return cached }
        guard case .stored(let size)? = try await store.blob(digest, in: repository), size > 0, size <= Self.configReadLimit
        else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(size))
        try await store.readBlob(digest, range: 0...(size - 1)) { buffer in
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        if bytes.count <= Self.cachedConfigLimit { configs.insert(bytes, for: digest.description) }
        return bytes
    }

    /// After a collection deleted manifests: the entries of those storage no longer has.
    private func collectedManifests() async throws -> [IndexChange] {
        var changes: [IndexChange] = []
        for (repository, digest) in try index.allImages() {
            guard let name = try? RepositoryName(parsing: repository), let parsed = try? Digest(parsing: digest) else {
                continue
            }
            if (try? await store.manifest(.digest(parsed), in: name)) == nil {
                changes.append(.removeImage(digest, in: repository))
            }
        }
        return changes
    }

    /// Applies a batch of counted pulls, resolving tags through the index.
    func applyDownloads(_ pulls: [DownloadCounts.PulledReference: DownloadTally]) throws {
        try index.addDownloads(try tallies(pulls))
    }

    /// Counted pulls by image: tags resolved through the index (a pull of a tag it does not know is dropped).
    func tallies(_ pulls: [DownloadCounts.PulledReference: DownloadTally]) throws -> [DownloadKey: DownloadTally] {
        var tallies: [DownloadKey: DownloadTally] = [:]
        for (pulled, tally) in pulls {
            let digest =
                pulled.reference.contains(":")
                ? pulled.reference : try index.digest(ofTag: pulled.reference, in: pulled.repository)
            guard let digest else { continue }
            tallies.add(tally, to: DownloadKey(repository: pulled.repository, digest: digest))
        }
        return tallies
    }
}
