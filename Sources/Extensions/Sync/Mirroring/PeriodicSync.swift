import Config
import Foundation
import Logging
import Registry
import Storage

/// zot's periodic sync of one registry: every `pollInterval`, the upstream repositories its `content` rules
/// select are listed, their tags filtered, and each tag whose digest differs from the local one copied with its
/// referrers (signatures, SBOMs: the referrers API, and cosign's `sha256-<hex>.sig` tags).
final class PeriodicSync: Sendable {
    let copier: ImageCopier
    let upstream: UpstreamRegistry
    /// With `onlySigned`, what decides which images are trusted.
    let judge: (any SignatureJudge)?
    let logger: Logger

    init(copier: ImageCopier, upstream: UpstreamRegistry, judge: (any SignatureJudge)?, logger: Logger) {
        self.copier = copier
        self.upstream = upstream
        self.judge = judge
        self.logger = logger
    }

    /// What one pass did, for the log.
    struct Pass {
        var copied = 0
        var current = 0
        var failed = 0
    }

    func run() async {
        guard let interval = upstream.config.pollInterval else { return }
        while !Task.isCancelled {
            let started = ContinuousClock.now
            // Replicas sharing storage take turns: the upstream is polled once per interval, not once per replica.
            let turn = try? await copier.store.runOnceAcrossReplicas("sync \(upstream.config.urls[0])", every: interval) {
                [self] in await syncOnce()
            }
            guard let pass = turn ?? nil else {
                try? await Task.sleep(for: interval)
                continue
            }
            let elapsed = ContinuousClock.now - started
            logger.info(
                "sync: \(upstream.config.urls[0]): \(pass.copied) images copied, \(pass.current) up to date, \(pass.failed) failed, in \(elapsed)")
            await copier.events.post(
                .syncPassFinished(upstream: upstream.config.urls[0], seconds: elapsed.inSeconds, finishedAt: Date()))
            try? await Task.sleep(for: interval)
        }
    }

    func syncOnce() async -> Pass {
        var pass = Pass()
        let catalog: [String]
        do {
            catalog = try await upstream.catalog()
        } catch {
            logger.warning("sync: cannot list \(upstream.config.urls.joined(separator: ", ")): \(error)")
            pass.failed += 1
            return pass
        }
        let rules = upstream.config.content.isEmpty ? [SyncContentRule(prefix: "**")] : upstream.config.content
        for rule in rules {
            let prefix = ContentMapping.trimmed(rule.prefix)
            let filter = TagFilter(rule.tags)
            for name in catalog where ContentMapping.glob(prefix, matches: name) {
                guard !Task.isCancelled else { return pass }
                let local = ContentMapping.localName(forUpstream: name, by: rule)
                guard let repository = try? RepositoryName(parsing: local) else {
                    logger.warning("sync: upstream \(name) would be \(local), which is no valid repository name")
                    continue
                }
                await sync(UpstreamSource(upstream: upstream, name: name), into: repository, filter: filter, &pass)
            }
        }
        return pass
    }

    private func sync(_ source: UpstreamSource, into repository: RepositoryName, filter: TagFilter, _ pass: inout Pass)
        async
    {
        let tags: [String]
        do {
            tags = try await upstream.tags(source.name)
        } catch {
            logger.warning("sync: cannot list the tags of \(source.name): \(error)")
            pass.failed += 1
            return
        }
        for name in tags where filter.accepts(name) && !Self.isCosignTag(name) {
            guard let tag = try? Tag(parsing: name) else { continue }
            do {
                if try await copyTag(tag, from: source, into: repository) {
                    pass.copied += 1
                    await copier.events.post(.syncCopied(upstream: upstream.config.urls[0], periodic: true, failed: false))
                } else {
                    pass.current += 1
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("sync: \(source.name):\(tag) into \(repository): \(error)")
                pass.failed += 1
                await copier.events.post(.syncCopied(upstream: upstream.config.urls[0], periodic: true, failed: true))
            }
        }
    }

    /// - Returns: false when the local tag already names the upstream's digest.
    private func copyTag(_ tag: Tag, from source: UpstreamSource, into repository: RepositoryName) async throws -> Bool {
        let local = await (try? copier.store.manifest(.tag(tag), in: repository))?.digest
        if let local, try await upstream.manifestDigest(source.name, tag.value) == local { return false }
        guard let manifest = try await copier.fetchManifest(.tag(tag), from: source) else { return false }
        if manifest.digest == local { return false }
        if let judge {
            try await upstream.retrying {
                try await copier.requireTrustedSignature(of: manifest, in: repository, from: source, judge: judge)
            }
        }
        try await upstream.retrying {
            try await copier.storeImage(manifest, tag: tag, in: repository, from: source)
            try await copier.copyReferrers(of: manifest.digest, from: source, into: repository)
        }
        return true
    }

    /// cosign's signature, attestation and SBOM tags travel with their image (`copyReferrers`), whatever the
    /// tag rules say, as zot syncs them.
    static func isCosignTag(_ name: String) -> Bool {
        name.hasPrefix("sha256-") && (name.hasSuffix(".sig") || name.hasSuffix(".att") || name.hasSuffix(".sbom"))
    }
}
