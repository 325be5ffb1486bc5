import Registry
import SearchExtension
import Storage

extension SignatureChecker {
    /// Finds every signature storage holds, the way clients find them (cosign's signature tags, and the
    /// referrers of each tagged manifest), and checks each: for `zotd reindex`, which also reaches signatures
    /// pushed before the extension was on. Returns how many it checked.
    func checkEverything() async throws -> Int {
        var checked = 0
        try await store.forEachRepository { name in
            for signature in try signatures(in: name) {
                await check(signature)
                checked += 1
            }
        }
        return checked
    }

    private func signatures(in repository: RepositoryName) throws -> [SignatureManifest] {
        var found: [String: SignatureManifest] = [:]
        for tag in try store.tags(in: repository, after: nil, limit: nil) {
            guard let parsed = try? Tag(parsing: tag), let stored = try? store.manifest(.tag(parsed), in: repository) else {
                continue
            }
            if let signature = SignatureManifest(
                repository: repository.value, digest: stored.digest.description, tags: [tag], content: stored.content)
            {
                found[signature.reference.signature] = signature
                continue
            }
            for signature in try referringSignatures(of: stored.digest, in: repository) {
                found[signature.reference.signature] = signature
            }
        }
        return found.keys.sorted().compactMap { found[$0] }
    }

    /// The signatures of one image: cosign's tag for its digest, and its referrers that are signatures.
    func signatures(of digest: Digest, in repository: RepositoryName) throws -> [SignatureManifest] {
        var found = try referringSignatures(of: digest, in: repository)
        if let name = SignatureTag.cosignTag(of: digest.description), let tag = try? Tag(parsing: name),
            let stored = try? store.manifest(.tag(tag), in: repository),
            let signature = SignatureManifest(
                repository: repository.value, digest: stored.digest.description, tags: [name], content: stored.content)
        {
            found.append(signature)
        }
        return found
    }

    private func referringSignatures(of digest: Digest, in repository: RepositoryName) throws -> [SignatureManifest] {
        try store.referrers(of: digest, in: repository, artifactType: nil).compactMap { referrer in
            guard let manifest = try? store.manifest(.digest(referrer.digest), in: repository) else { return nil }
            return SignatureManifest(
                repository: repository.value, digest: referrer.digest.description, tags: [], content: manifest.content)
        }
    }
}
