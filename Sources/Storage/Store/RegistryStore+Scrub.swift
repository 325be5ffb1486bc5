import Foundation
import NIOCore
import Synchronization

/// What one scrub found: every blob re-hashed, every manifest re-hashed and its references checked.
public struct ScrubReport: Sendable, Equatable {
    /// One piece of damaged or missing content.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The metadata lists the blob but its file is gone.
            case blobMissing = "blob missing"
            /// The file's size differs from the size recorded at commit.
            case blobSizeMismatch = "blob size mismatch"
            /// The file's bytes no longer hash to its digest.
            case blobCorrupt = "blob corrupt"
            /// The stored manifest's bytes no longer hash to its digest, or no longer parse.
            case manifestCorrupt = "manifest corrupt"
            /// A manifest references a blob or manifest its repository does not have.
            case referenceMissing = "reference missing"
        }

        public var kind: Kind
        /// The repository that sees the damage; blob damage is reported once per linking repository.
        public var repository: String
        public var digest: String
        public var detail: String

        public var description: String { "\(repository): \(kind.rawValue) \(digest): \(detail)" }
    }

    public var blobsChecked = 0
    /// Blobs re-hashed, counted once for each repository that links them (`byRepository` reads it).
    public var blobsCheckedByRepository: [String: Int] = [:]
    public var bytesHashed: Int64 = 0
    public var manifestsChecked = 0
    public var problems: [Problem] = []

    public init() {}

    /// Problems per repository, for logs and metrics.
    public var problemsByRepository: [String: Int] {
        problems.reduce(into: [:]) { $0[$1.repository, default: 0] += 1 }
    }

    public var isClean: Bool { problems.isEmpty }
}

extension RegistryStore {
    /// Re-hashes every blob and every manifest and checks each manifest's references.
    ///
    /// Read-only and online: it takes no lock, so content deleted by GC while the scrub runs may show
    /// as missing; `scrub` re-checks each problem once before reporting it.
    /// - Parameter bytesPerSecond: throttle for re-hashing (nil: as fast as the disk goes).
    public func scrub(bytesPerSecond: Int64? = nil) async throws -> ScrubReport {
        guard let inventory = metadata as? any MetadataInventory else {
            throw StorageError.io("this metadata backend cannot list its content for a scrub")
        }
        var report = ScrubReport()
        let links = try await inventory.blobLinks()
        let throttle = ScrubThrottle(bytesPerSecond: bytesPerSecond)
        for (digest, size) in try await inventory.allBlobs() {
            try Task.checkCancellation()
            report.blobsChecked += 1
            for repository in links[digest] ?? [] { report.blobsCheckedByRepository[repository, default: 0] += 1 }
            guard let problem = try await checkBlob(digest, size: size, report: &report, throttle: throttle) else {
                continue
            }
            // Re-check: GC may have removed the blob since the listing.
            guard try await metadata.blobSize(digest) != nil else { continue }
            for repository in links[digest] ?? ["(no repository)"] {
                report.problems.append(.init(kind: problem.0, repository: repository, digest: digest.description, detail: problem.1))
            }
        }
        for manifest in try await inventory.allManifests() {
            try Task.checkCancellation()
            report.manifestsChecked += 1
            for (kind, digest, detail) in try await checkManifest(manifest, links: links) {
                report.problems.append(.init(kind: kind, repository: manifest.repository, digest: digest, detail: detail))
            }
        }
        return report
    }

    private func checkBlob(
        _ digest: Digest,
        size: Int64,
        report: inout ScrubReport,
        throttle: ScrubThrottle
    ) async throws -> (ScrubReport.Problem.Kind, String)? {
        guard let actual = try await blobs.size(of: digest) else { return (.blobMissing, "no file") }
        guard actual == size else { return (.blobSizeMismatch, "file has \(actual) bytes, \(size) recorded") }
        var hasher = ContentHasher(digest.algorithm)
        var hashed: Int64 = 0
        if size > 0 {
            do {
                try await blobs.read(digest, range: 0...(size - 1)) { chunk in
                    hasher.update(chunk)
                    hashed += Int64(chunk.readableBytes)
                    try await throttle.pace(Int64(chunk.readableBytes))
                }
            } catch let error as StorageError {
                return (.blobMissing, "unreadable: \(error)")
            }
        }
        report.bytesHashed += hashed
        guard hashed == size else { return (.blobSizeMismatch, "read \(hashed) bytes, \(size) recorded") }
        let found = hasher.finalize()
        return found == digest ? nil : (.blobCorrupt, "content hashes to \(found)")
    }

    private func checkManifest(
        _ manifest: (repository: String, digest: String, mediaType: String, content: [UInt8]),
        links: [Digest: [String]]
    ) async throws -> [(ScrubReport.Problem.Kind, String, String)] {
        guard let digest = try? Digest(parsing: manifest.digest) else {
            return [(.manifestCorrupt, manifest.digest, "stored under a malformed digest")]
        }
        var hasher = ContentHasher(digest.algorithm)
        hasher.update(manifest.content)
        let found = hasher.finalize()
        guard found == digest else { return [(.manifestCorrupt, manifest.digest, "content hashes to \(found)")] }
        let parsed: ParsedManifest
        do {
            parsed = try ParsedManifest(bytes: manifest.content, contentType: manifest.mediaType)
        } catch {
            return [(.manifestCorrupt, manifest.digest, "no longer parses: \(error)")]
        }
        let repository = try RepositoryName(parsing: manifest.repository)
        var problems: [(ScrubReport.Problem.Kind, String, String)] = []
        for blob in parsed.blobs where !(links[blob]?.contains(manifest.repository) ?? false) {
            problems.append((.referenceMissing, manifest.digest, "references blob \(blob), not linked in the repository"))
        }
        for child in parsed.manifests where try await metadata.manifest(.digest(child), in: repository) == nil {
            problems.append((.referenceMissing, manifest.digest, "lists manifest \(child), not in the repository"))
        }
        return problems
    }
}

/// Paces re-hashing to a byte rate so that a scrub does not starve requests of disk bandwidth.
final class ScrubThrottle: Sendable {
    let bytesPerSecond: Int64?
    private let start = ContinuousClock.now
    private let done = Mutex<Int64>(0)

    init(bytesPerSecond: Int64?) {
        self.bytesPerSecond = bytesPerSecond.flatMap { $0 > 0 ? $0 : nil }
    }

    func pace(_ bytes: Int64) async throws {
        guard let rate = bytesPerSecond else { return }
        let total = done.withLock { value in
            value += bytes
            return value
        }
        let due = Duration.seconds(Double(total) / Double(rate))
        let elapsed = ContinuousClock.now - start
        if due > elapsed { try await Task.sleep(for: due - elapsed) }
    }
}
