import Foundation

extension RegistryStore {
    /// Manifests larger than this are refused, as zot and distribution do.
    public static let manifestSizeLimit = 4 * 1024 * 1024

    /// Validates and stores a manifest under `reference` (a tag or its digest) and `extraTags`.
    /// - Parameter vet: sees the valid manifest before it is stored and may refuse it by throwing (the
    ///   extensions that check manifests); it gets the parse the store made, since parsing twice cost a push
    ///   more CPU than the rest of the route (bench/search.py).
    /// - Returns: the manifest's digest and what it says.
    public func putManifest(
        _ bytes: [UInt8],
        contentType: String?,
        reference: Reference,
        extraTags: [Tag] = [],
        in repository: RepositoryName,
        pushedBy: String = "",
        vet: (@Sendable (ParsedManifest) async throws -> Void)? = nil
    ) async throws -> (digest: Digest, manifest: ParsedManifest) {
        guard bytes.count <= Self.manifestSizeLimit else {
            throw StorageError.manifestTooLarge(limit: Self.manifestSizeLimit)
        }
        let algorithm: DigestAlgorithm
        if case .digest(let claimed) = reference { algorithm = claimed.algorithm } else { algorithm = .sha256 }
        var hasher = ContentHasher(algorithm)
        hasher.update(bytes)
        let digest = hasher.finalize()
        if case .digest(let claimed) = reference, claimed != digest {
            throw StorageError.digestMismatch(expected: claimed, actual: digest)
        }
        let parsed = try ParsedManifest(bytes: bytes, contentType: contentType)
        try await vet?(parsed)
        var tags = extraTags
        if case .tag(let tag) = reference { tags.insert(tag, at: 0) }
        try await metadata.putManifest(
            NewManifest(
                repository: repository, digest: digest, parsed: parsed, content: bytes, createdAt: Self.now,
                pushedBy: pushedBy),
            tags: tags
        )
        return (digest, parsed)
    }

    public func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest {
        guard let manifest = try await metadata.manifest(reference, in: repository) else {
            throw StorageError.manifestUnknown(reference.description)
        }
        return manifest
    }

    /// By digest: the manifest and its tags go. By tag: only the tag goes.
    public func deleteManifest(_ reference: Reference, in repository: RepositoryName) async throws {
        let deleted: Bool
        switch reference {
        case .tag(let tag): deleted = try await metadata.deleteTag(tag, in: repository)
        case .digest(let digest): deleted = try await metadata.deleteManifest(digest, in: repository)
        }
        guard deleted else { throw StorageError.manifestUnknown(reference.description) }
    }

    /// Tags after `last`, at most `limit`.
    public func tags(in repository: RepositoryName, after last: String?, limit: Int?) async throws -> [String] {
        guard let tags = try await metadata.tags(in: repository, after: last, limit: limit) else {
            throw StorageError.nameUnknown(repository)
        }
        return tags
    }

    public func repositories(after last: String?, limit: Int?) async throws -> [String] {
        try await metadata.repositories(after: last, limit: limit)
    }

    /// Calls `body` with every repository, in name order, reading the names a page at a time (what a walk
    /// over the whole store, such as `zotd reindex`, goes through).
    public func forEachRepository(_ body: (RepositoryName) async throws -> Void) async throws {
        var last: String?
        while true {
            let page = try await repositories(after: last, limit: 500)
            guard let final = page.last else { return }
            for repository in page {
                if let name = try? RepositoryName(parsing: repository) { try await body(name) }
            }
            last = final
        }
    }

    /// The manifests of `repository` that list `digest`: the indexes it is a platform image of.
    public func manifestsListing(_ digest: Digest, in repository: RepositoryName) async throws -> [Digest] {
        try await metadata.manifestsListing(digest, in: repository)
    }

    public func referrers(of digest: Digest, in repository: RepositoryName, artifactType: String?) async throws -> [Referrer] {
        try await metadata.referrers(of: digest, in: repository, artifactType: artifactType)
    }
}
