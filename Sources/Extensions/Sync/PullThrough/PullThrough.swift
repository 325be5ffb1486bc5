import Config
import Hummingbird
import Logging
import NIOCore
import Registry
import Storage

/// zot's on-demand sync, streaming: a manifest zotd lacks is fetched from the first upstream that has it and
/// answered at once; its blobs stream to the client as they are copied in and verified, one upstream fetch
/// per blob whoever asks; in the background the image is stored (blobs, then the manifest and its tag), so the
/// next pull is local. A blob any repository already holds is linked, never fetched again.
final class PullThrough: MissingContentSource {
    let store: RegistryStore
    let upstreams: [UpstreamRegistry]
    let jobs: BackgroundJobs
    let events: ExtensionEvents
    let logger: Logger
    private let inFlight = InFlightBlobs()
    private let tagChecks = TagChecks()

    /// zot nests indexes a level or two; deeper is a loop or an attack.
    private static let maximumDepth = 8

    init(store: RegistryStore, upstreams: [UpstreamRegistry], jobs: BackgroundJobs, events: ExtensionEvents, logger: Logger) {
        self.store = store
        self.upstreams = upstreams
        self.jobs = jobs
        self.events = events
        self.logger = logger
    }

    /// The upstreams whose content rules cover `repository`, with its name there, in configuration order.
    private func sources(for repository: RepositoryName) -> [(upstream: UpstreamRegistry, name: String)] {
        upstreams.compactMap { upstream in
            upstream.mapping.upstreamName(forLocal: repository.value).map { (upstream, $0) }
        }
    }

    // MARK: Manifests

    func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest? {
        for (upstream, name) in sources(for: repository) {
            do {
                guard let manifest = try await fetchManifest(reference, name: name, from: upstream) else { continue }
                let tag: Tag? = if case .tag(let tag) = reference { tag } else { nil }
                jobs.submit { [self] in
                    await storeImage(manifest, tag: tag, in: repository, name: name, from: upstream)
                }
                return manifest
            } catch {
                // An upstream that is down must not turn a pull into an error: the next one is tried, and
                // with none left the image is unknown (404), quickly.
                logger.warning("sync: \(repository):\(reference) from \(upstream.config.urls.joined(separator: ", ")): \(error)")
            }
        }
        return nil
    }

    /// A pull of a stored tag answers at local speed; the upstream is asked afterwards, by `HEAD`, at most every
    /// `revalidateAfter`, and a tag it moved is stored anew (blobs first) for the pulls after.
    func tagServed(_ tag: Tag, in repository: RepositoryName) {
        guard let (upstream, name) = sources(for: repository).first else { return }
        jobs.submit { [self] in
            guard await tagChecks.claim(tag, in: repository, every: upstream.config.revalidateAfter) else { return }
            do {
                guard let current = try await upstream.manifestDigest(name, tag.value),
                    current != (try? store.manifest(.tag(tag), in: repository))?.digest,
                    let manifest = try await fetchManifest(.tag(tag), name: name, from: upstream)
                else { return }
                logger.info("sync: \(repository):\(tag) moved upstream to \(manifest.digest)")
                await storeImage(manifest, tag: tag, in: repository, name: name, from: upstream)
            } catch {
                logger.warning("sync: checking \(repository):\(tag) upstream: \(error)")
            }
        }
    }

    /// The upstream's manifest, checked: its bytes hash to the digest asked for (or announced), and it parses.
    private func fetchManifest(_ reference: Reference, name: String, from upstream: UpstreamRegistry) async throws
        -> StoredManifest?
    {
        guard let fetched = try await upstream.manifest(name, reference.description) else { return nil }
        let algorithm: DigestAlgorithm = if case .digest(let asked) = reference { asked.algorithm } else { .sha256 }
        var hasher = ContentHasher(algorithm)
        hasher.update(fetched.bytes)
        let digest = hasher.finalize()
        if case .digest(let asked) = reference, asked != digest {
            throw StorageError.digestMismatch(expected: asked, actual: digest)
        }
        let parsed = try ParsedManifest(bytes: fetched.bytes, contentType: fetched.contentType)
        return StoredManifest(digest: digest, mediaType: parsed.mediaType.rawValue, content: fetched.bytes)
    }

    /// Stores a pulled image: its platform manifests, its blobs (following copies already under way), then the
    /// manifest under its tag. Failures are logged; the next pull tries again.
    private func storeImage(
        _ manifest: StoredManifest, tag: Tag?, in repository: RepositoryName, name: String, from upstream: UpstreamRegistry
    ) async {
        do {
            try await store(manifest, tag: tag, in: repository, name: name, from: upstream, depth: 0)
            logger.info("sync: stored \(repository):\(tag?.value ?? manifest.digest.description) from \(upstream.config.urls[0])")
        } catch is CancellationError {
        } catch {
            logger.warning("sync: could not store \(repository)@\(manifest.digest): \(error)")
        }
    }

    private func store(
        _ manifest: StoredManifest, tag: Tag?, in repository: RepositoryName, name: String, from upstream: UpstreamRegistry,
        depth: Int
    ) async throws {
        guard depth <= Self.maximumDepth else { throw StorageError.manifestInvalid("indexes nested too deep") }
        let parsed = try ParsedManifest(bytes: manifest.content, contentType: manifest.mediaType)
        for child in parsed.manifests where (try? store.manifest(.digest(child), in: repository)) == nil {
            guard let fetched = try await fetchManifest(.digest(child), name: name, from: upstream) else {
                throw StorageError.manifestBlobUnknown(child)
            }
            try await store(fetched, tag: nil, in: repository, name: name, from: upstream, depth: depth + 1)
        }
        for blob in parsed.blobs {
            try await ensureBlob(blob, in: repository)
        }
        _ = try await store.putManifest(
            manifest.content, contentType: manifest.mediaType, reference: tag.map(Reference.tag) ?? .digest(manifest.digest),
            in: repository)
        await events.post(
            .manifestPushed(
                ManifestPush(
                    repository: repository.value, digest: manifest.digest, tags: tag.map { [$0.value] } ?? [],
                    mediaType: manifest.mediaType, content: manifest.content, pushedBy: "")))
    }

    /// The blob is in `repository` afterwards: linked from a repository that holds it, or copied in.
    private func ensureBlob(_ digest: Digest, in repository: RepositoryName) async throws {
        if try store.blob(digest, in: repository) != nil { return }
        if try await linkFromAnyRepository(digest, into: repository) { return }
        guard let copy = try await inFlight.copy(of: digest, open: { [self] in try await startCopy(digest, into: repository) })
        else { throw StorageError.blobUnknown(digest) }
        try await copy.finished()
        if try store.blob(digest, in: repository) == nil, try await !linkFromAnyRepository(digest, into: repository) {
            throw StorageError.blobUnknown(digest)
        }
    }

    // MARK: Blobs

    func blob(_ digest: Digest, in repository: RepositoryName) async throws -> MissingBlob? {
        if try await linkFromAnyRepository(digest, into: repository) { return .stored }
        guard !sources(for: repository).isEmpty,
            let copy = try await inFlight.copy(of: digest, open: { [self] in try await startCopy(digest, into: repository) })
        else { return nil }
        let store = store
        return .passing(
            size: copy.size,
            body: ResponseBody(contentLength: Int(copy.size)) { writer in
                try await store.follow(copy) { chunk in try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }

    /// A shared base layer is fetched once: any repository holding it lends it.
    private func linkFromAnyRepository(_ digest: Digest, into repository: RepositoryName) async throws -> Bool {
        for holder in try store.repositories(holding: digest) where holder != repository {
            if try await store.mountBlob(digest, from: holder, to: repository) { return true }
        }
        return false
    }

    /// Starts the upstream `GET` of the blob and, once its headers are in, the copy that others follow.
    private func startCopy(_ digest: Digest, into repository: RepositoryName) async throws -> PassingBlob? {
        for (upstream, name) in sources(for: repository) {
            let response: HTTPClientResponseHead
            do {
                guard let answer = try await upstream.blob(name, digest) else { continue }
                guard let length = answer.headers.first(name: "Content-Length").flatMap(Int64.init), length >= 0 else {
                    throw UpstreamError.noLength("blob \(digest)")
                }
                response = HTTPClientResponseHead(size: length, body: answer.body)
            } catch {
                logger.warning("sync: blob \(digest) of \(repository) from \(upstream.config.urls.joined(separator: ", ")): \(error)")
                continue
            }
            let copy = PassingBlob(digest: digest, size: response.size)
            jobs.submit { [self] in
                do {
                    try await store.copyIn(copy, to: repository, from: response.body)
                } catch {
                    logger.warning("sync: copy of blob \(digest) into \(repository) failed: \(error)")
                }
                await inFlight.ended(digest)
            }
            return copy
        }
        return nil
    }
}

import AsyncHTTPClient

/// The part of an upstream's blob answer a copy needs.
private struct HTTPClientResponseHead: Sendable {
    var size: Int64
    var body: HTTPClientResponse.Body
}
