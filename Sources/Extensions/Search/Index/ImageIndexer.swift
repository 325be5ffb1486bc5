import Foundation
import Logging
import NIOCore
import Registry
import Storage

/// Turns storage events into index changes, reading what it needs (the manifest, its config) from storage.
struct ImageIndexer: Sendable {
    let store: RegistryStore
    let index: SearchIndex
    let logger: Logger

    /// Configs larger than this are described without their config (platform, history, labels): a real one is
    /// a few KiB, and nothing a client pushed may make indexing read without bound.
    static let configReadLimit: Int64 = 4 << 20

    func apply(_ event: RegistryEvent) async throws {
        switch event {
        case .manifestPushed(let repository, let digest, let tags, _):
            try await indexManifest(digest, in: repository, tags: tags.filter { !$0.contains(":") }, at: Date())
        case .manifestDeleted(let repository, let reference):
            if reference.contains(":") {
                try index.removeImage(reference, in: repository)
            } else {
                try index.removeTag(reference, in: repository)
            }
        case .garbageCollected(let report, _, _) where report.manifestsDeleted > 0:
            try forgetCollectedManifests()
        default:
            break
        }
    }

    /// Indexes one manifest as storage holds it now; a manifest already gone (deleted in between) is skipped.
    func indexManifest(_ digest: Digest, in repository: String, tags: [String], at time: Date) async throws {
        guard let name = try? RepositoryName(parsing: repository),
            let stored = try? store.manifest(.digest(digest), in: name)
        else { return }
        let document = try? JSONDecoder().decode(ManifestDocument.self, from: Data(stored.content))
        var config: [UInt8]?
        if let descriptor = document?.config, let configDigest = try? Digest(parsing: descriptor.digest) {
            config = try await readConfig(configDigest, in: name)
        }
        let image = try IndexedImage(
            repository: repository, digest: digest.description, mediaType: stored.mediaType, manifest: stored.content,
            config: config, pushedAt: time)
        try index.record(image, tags: tags, at: time)
    }

    private func readConfig(_ digest: Digest, in repository: RepositoryName) async throws -> [UInt8]? {
        guard case .stored(let size)? = try store.blob(digest, in: repository), size > 0, size <= Self.configReadLimit
        else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(size))
        try await store.readBlob(digest, range: 0...(size - 1)) { buffer in
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// After a collection deleted manifests: drops the entries of those storage no longer has.
    private func forgetCollectedManifests() throws {
        for (repository, digest) in try index.allImages() {
            guard let name = try? RepositoryName(parsing: repository), let parsed = try? Digest(parsing: digest) else {
                continue
            }
            if (try? store.manifest(.digest(parsed), in: name)) == nil {
                try index.removeImage(digest, in: repository)
            }
        }
    }

    /// Applies a batch of counted pulls, resolving tags through the index.
    func applyDownloads(_ pulls: [DownloadCounts.PulledReference: DownloadTally]) throws {
        var tallies: [DownloadKey: DownloadTally] = [:]
        for (pulled, tally) in pulls {
            let digest =
                pulled.reference.contains(":")
                ? pulled.reference : try index.digest(ofTag: pulled.reference, in: pulled.repository)
            guard let digest else { continue }
            let key = DownloadKey(repository: pulled.repository, digest: digest)
            let previous = tallies[key]
            tallies[key] = DownloadTally(count: (previous?.count ?? 0) + tally.count, last: max(previous?.last ?? tally.last, tally.last))
        }
        try index.addDownloads(tallies)
    }
}
