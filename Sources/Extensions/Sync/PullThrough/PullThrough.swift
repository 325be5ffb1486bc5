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
    let copier: ImageCopier
    /// The registries with `onDemand`, in configuration order.
    let upstreams: [UpstreamRegistry]
    /// With `onlySigned` on a registry, what decides which of its images are trusted.
    let judge: (any SignatureJudge)?
    let logger: Logger
    private let tagChecks = TagChecks()

    init(copier: ImageCopier, upstreams: [UpstreamRegistry], judge: (any SignatureJudge)?, logger: Logger) {
        self.copier = copier
        self.upstreams = upstreams
        self.judge = judge
        self.logger = logger
    }

    private var store: RegistryStore { copier.store }

    /// The upstreams whose content rules cover `repository`, with its name there, in configuration order.
    private func sources(for repository: RepositoryName) -> [UpstreamSource] {
        upstreams.compactMap { upstream in
            upstream.mapping.upstreamName(forLocal: repository.value).map { UpstreamSource(upstream: upstream, name: $0) }
        }
    }

    func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest? {
        for source in sources(for: repository) {
            do {
                guard let manifest = try await copier.fetchManifest(reference, from: source) else { continue }
                if source.upstream.config.onlySigned, let judge {
                    try await copier.requireTrustedSignature(of: manifest, in: repository, from: source, judge: judge)
                }
                let tag: Tag? = if case .tag(let tag) = reference { tag } else { nil }
                copier.jobs.submit { [self] in await storeInBackground(manifest, tag: tag, in: repository, from: source) }
                return manifest
            } catch {
                // An upstream that is down must not turn a pull into an error: the next one is tried, and
                // with none left the image is unknown (404), quickly.
                logger.warning("sync: \(repository):\(reference) from \(source.upstream.config.urls.joined(separator: ", ")): \(error)")
            }
        }
        return nil
    }

    /// A pull of a stored tag answers at local speed; the upstream is asked afterwards, by `HEAD`, at most every
    /// `revalidateAfter`, and a tag it moved is stored anew (blobs first) for the pulls after.
    func tagServed(_ tag: Tag, in repository: RepositoryName) {
        guard let source = sources(for: repository).first,
            tagChecks.claim(tag, in: repository, every: source.upstream.config.revalidateAfter)
        else { return }
        copier.jobs.submit { [self] in
            do {
                guard let current = try await source.upstream.manifestDigest(source.name, tag.value),
                    await current != (try? store.manifest(.tag(tag), in: repository))?.digest,
                    let manifest = try await copier.fetchManifest(.tag(tag), from: source)
                else { return }
                logger.info("sync: \(repository):\(tag) moved upstream to \(manifest.digest)")
                await storeInBackground(manifest, tag: tag, in: repository, from: source)
            } catch {
                logger.warning("sync: checking \(repository):\(tag) upstream: \(error)")
            }
        }
    }

    /// Retried as the registry's `maxRetries` and `retryDelay` say; a final failure is logged, and the next pull
    /// tries again.
    private func storeInBackground(_ manifest: StoredManifest, tag: Tag?, in repository: RepositoryName, from source: UpstreamSource)
        async
    {
        let upstream = source.upstream.config.urls[0]
        do {
            try await source.upstream.retrying {
                try await copier.storeImage(manifest, tag: tag, in: repository, from: source)
            }
            logger.info("sync: stored \(repository):\(tag?.value ?? manifest.digest.description) from \(upstream)")
            await copier.events.post(.syncCopied(upstream: upstream, periodic: false, failed: false))
        } catch is CancellationError {
        } catch {
            logger.warning("sync: could not store \(repository)@\(manifest.digest): \(error)")
            await copier.events.post(.syncCopied(upstream: upstream, periodic: false, failed: true))
        }
    }

    func blob(_ digest: Digest, in repository: RepositoryName) async throws -> MissingBlob? {
        let sources = sources(for: repository)
        guard !sources.isEmpty else { return nil }
        if try await copier.linkFromAnyRepository(digest, into: repository, from: sources) { return .stored }
        let copy: PassingBlob?
        do {
            copy = try await copier.copy(of: digest, into: repository, from: sources)
        } catch {
            logger.warning("sync: blob \(digest) of \(repository): \(error)")
            return nil
        }
        guard let copy else { return nil }
        let store = store
        return .passing(
            size: copy.size,
            body: ResponseBody(contentLength: Int(copy.size)) { writer in
                try await store.follow(copy) { chunk in try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }
}
