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
            for signature in try await signatures(in: name) {
                await check(signature)
                checked += 1
            }
        }
        return checked
    }

    private func signatures(in repository: RepositoryName) async throws -> [SignatureManifest] {
        var found: [String: SignatureManifest] = [:]
        for tag in try await store.tags(in: repository, after: nil, limit: nil) {
            guard let parsed = try? Tag(parsing: tag), let stored = try? await store.manifest(.tag(parsed), in: repository) else {
                continue
            }
            if let signature = SignatureManifest(
                repository: repository.value, digest: stored.digest.description, tags: [tag], content: stored.content)
            {
                found[signature.reference.signature] = signature
                continue
            }
            for signature in try await referringSignatures(of: stored.digest, in: repository) {
                found[signature.reference.signature] = signature
            }
        }
        return found.keys.sorted().compactMap { found[$0] }
    }

    /// The signatures of one image: cosign's tag for its digest, and its referrers that are signatures.
    func signatures(of digest: Digest, in repository: RepositoryName) async throws -> [SignatureManifest] {
        var found = try await referringSignatures(of: digest, in: repository)
        if let name = SignatureTag.cosignTag(of: digest.description), let tag = try? Tag(parsing: name),
            let stored = try? await store.manifest(.tag(tag), in: repository),
            let signature = SignatureManifest(
                repository: repository.value, digest: stored.digest.description, tags: [name], content: stored.content)
        {
            found.append(signature)
        }
        return found
    }

    private func referringSignatures(of digest: Digest, in repository: RepositoryName) async throws -> [SignatureManifest] {
        var signatures: [SignatureManifest] = []
        for referrer in try await store.referrers(of: digest, in: repository, artifactType: nil) {
            guard let manifest = try? await store.manifest(.digest(referrer.digest), in: repository),
                let signature = SignatureManifest(
                    repository: repository.value, digest: referrer.digest.description, tags: [], content: manifest.content)
            else { continue }
            signatures.append(signature)
        }
        return signatures
    }
}
