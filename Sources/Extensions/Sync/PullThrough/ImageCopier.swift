import AsyncHTTPClient
import Registry
import Storage

/// Where content comes from: an upstream registry, and the repository's name there.
struct UpstreamSource: Sendable {
    let upstream: UpstreamRegistry
    let name: String
}

/// Copies images from upstreams into storage, for pulls on demand and periodic mirroring alike: manifests
/// checked against their digests, blobs copied once whoever needs them (`InFlightBlobs`), a blob any
/// repository holds linked rather than fetched, and the manifest stored only after everything it needs.
final class ImageCopier: Sendable {
    let store: RegistryStore
    let jobs: BackgroundJobs
    let events: ExtensionEvents
    private let inFlight = InFlightBlobs()

    /// zot nests indexes a level or two; deeper is a loop or an attack.
    private static let maximumDepth = 8

    init(store: RegistryStore, jobs: BackgroundJobs, events: ExtensionEvents) {
        self.store = store
        self.jobs = jobs
        self.events = events
    }

    /// The upstream's manifest, checked: its bytes hash to the digest asked for (or announced), and it parses.
    func fetchManifest(_ reference: Reference, from source: UpstreamSource) async throws -> StoredManifest? {
        guard let fetched = try await source.upstream.manifest(source.name, reference.description) else { return nil }
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

    /// Stores an upstream image: its platform manifests, its blobs (following copies already under way), then
    /// the manifest under `tag`, announced to the other extensions (search) as a push is.
    func storeImage(_ manifest: StoredManifest, tag: Tag?, in repository: RepositoryName, from source: UpstreamSource)
        async throws
    {
        try await store(manifest, tag: tag, in: repository, from: source, depth: 0)
    }

    private func store(
        _ manifest: StoredManifest, tag: Tag?, in repository: RepositoryName, from source: UpstreamSource, depth: Int
    ) async throws {
        guard depth <= Self.maximumDepth else { throw StorageError.manifestInvalid("indexes nested too deep") }
        let parsed = try ParsedManifest(bytes: manifest.content, contentType: manifest.mediaType)
        for child in parsed.manifests where await (try? store.manifest(.digest(child), in: repository)) == nil {
            guard let fetched = try await fetchManifest(.digest(child), from: source) else {
                throw StorageError.manifestBlobUnknown(child)
            }
            try await store(fetched, tag: nil, in: repository, from: source, depth: depth + 1)
        }
        for blob in parsed.blobs {
            try await ensureBlob(blob, in: repository, from: [source])
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

    /// Signatures and other attachments of `digest`: the referrers API's (where the upstream has it), and
    /// cosign's `sha256-<hex>.sig`/`.att`/`.sbom` tags. Stored before or after their subject alike (a referrer
    /// may name a subject not stored yet).
    func copyReferrers(of digest: Digest, from source: UpstreamSource, into repository: RepositoryName) async throws {
        for referrer in try await source.upstream.referrers(source.name, of: digest)
        where await (try? store.manifest(.digest(referrer), in: repository)) == nil {
            guard let manifest = try await fetchManifest(.digest(referrer), from: source) else { continue }
            try await storeImage(manifest, tag: nil, in: repository, from: source)
        }
        for suffix in ["sig", "att", "sbom"] {
            guard let tag = try? Tag(parsing: "\(digest.algorithm.rawValue)-\(digest.encoded).\(suffix)"),
                let attachment = try await fetchManifest(.tag(tag), from: source),
                await (try? store.manifest(.tag(tag), in: repository))?.digest != attachment.digest
            else { continue }
            try await storeImage(attachment, tag: tag, in: repository, from: source)
        }
    }

    /// With `onlySigned`: the image's signatures are copied first and judged; only an image one of them
    /// vouches for may be stored or served.
    /// - Throws: `SyncRefusal.unsigned` when none is trusted.
    func requireTrustedSignature(
        of manifest: StoredManifest, in repository: RepositoryName, from source: UpstreamSource, judge: any SignatureJudge
    ) async throws {
        try await copyReferrers(of: manifest.digest, from: source, into: repository)
        guard try await judge.hasTrustedSignature(manifest.digest, in: repository) else {
            throw SyncRefusal.unsigned(manifest.digest)
        }
    }

    /// The blob is in `repository` afterwards: linked from a repository that holds it, or copied in.
    private func ensureBlob(_ digest: Digest, in repository: RepositoryName, from sources: [UpstreamSource]) async throws {
        if try await store.blob(digest, in: repository) != nil { return }
        if try await linkFromAnyRepository(digest, into: repository, from: sources) { return }
        guard let copy = try await copy(of: digest, into: repository, from: sources) else {
            throw StorageError.blobUnknown(digest)
        }
        try await copy.finished()
        if try await store.blob(digest, in: repository) == nil,
            try await !linkFromAnyRepository(digest, into: repository, from: sources)
        {
            throw StorageError.blobUnknown(digest)
        }
    }

    /// A shared base layer is fetched once: any repository holding it lends it, once an upstream confirms (by
    /// `HEAD`) that it has the blob for this repository. Without that check, a client could read a blob of a
    /// repository it may not read by asking for its digest in one that sync covers.
    func linkFromAnyRepository(_ digest: Digest, into repository: RepositoryName, from sources: [UpstreamSource])
        async throws -> Bool
    {
        let holders = try await store.repositories(holding: digest).filter { $0 != repository }
        guard !holders.isEmpty else { return false }
        var confirmed = false
        for source in sources where (try? await source.upstream.hasBlob(source.name, digest)) == true {
            confirmed = true
            break
        }
        guard confirmed else { return false }
        for holder in holders {
            if try await store.mountBlob(digest, from: holder, to: repository) { return true }
        }
        return false
    }

    /// The copy of the blob under way, else one started from the first source that has it; nil when none has.
    func copy(of digest: Digest, into repository: RepositoryName, from sources: [UpstreamSource]) async throws
        -> PassingBlob?
    {
        try await inFlight.copy(of: digest) { [self] in try await startCopy(digest, into: repository, from: sources) }
    }

    /// Starts the upstream `GET` of the blob and, once its headers are in, the copy that others follow; the
    /// copy runs as a background job, so a puller that goes away does not stop it.
    private func startCopy(_ digest: Digest, into repository: RepositoryName, from sources: [UpstreamSource])
        async throws -> PassingBlob?
    {
        var failure: (any Error)?
        for source in sources {
            let answer: HTTPClientResponse
            let length: Int64
            do {
                guard let response = try await source.upstream.blob(source.name, digest) else { continue }
                guard let announced = response.headers.first(name: "Content-Length").flatMap(Int64.init), announced >= 0
                else { throw UpstreamError.noLength("blob \(digest)") }
                (answer, length) = (response, announced)
            } catch {
                failure = error
                continue
            }
            let copy = PassingBlob(digest: digest, size: length)
            jobs.submit { [self] in
                try? await store.copyIn(copy, to: repository, from: answer.body)
                await inFlight.ended(digest)
            }
            return copy
        }
        if let failure { throw failure }
        return nil
    }
}

/// Why sync left an image out.
enum SyncRefusal: Error, CustomStringConvertible {
    case unsigned(Digest)

    var description: String {
        switch self {
        case .unsigned(let digest): "\(digest) has no trusted signature (onlySigned)"
        }
    }
}
