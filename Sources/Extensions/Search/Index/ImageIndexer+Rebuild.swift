import Foundation
import Storage

extension ImageIndexer {
    /// Rebuilds the index from storage: every tagged image, the images an index lists, and every referrer of
    /// those, reached the way clients reach them; one transaction per repository. Stars and bookmarks are
    /// kept, and so are pull counts, push and tag times of what is still there. Returns the manifests indexed.
    @discardableResult
    func rebuild() async throws -> Int {
        let history = try index.history()
        try index.clear()
        let indexed: Int
        do {
            indexed = try await indexEverything()
        } catch {
            // What was indexed keeps its history even when storage could not be read to the end.
            try? index.restore(history)
            throw error
        }
        try index.restore(history)
        return indexed
    }

    private func indexEverything() async throws -> Int {
        var indexed = 0
        try await store.forEachRepository { name in
            var changes: [IndexChange] = []
            var seen: Set<Digest> = []
            for tag in try await store.tags(in: name, after: nil, limit: nil) {
                guard let parsed = try? Tag(parsing: tag), let stored = try? await store.manifest(.tag(parsed), in: name)
                else { continue }
                try await collect(stored.digest, in: name, seen: &seen, into: &changes)
                changes.append(contentsOf: try await records(stored.digest, in: name.value, tags: [tag]))
            }
            try index.apply(changes)
            indexed += seen.count
        }
        return indexed
    }

    /// `digest`, the manifests it lists (first: an index's platforms come from them) and its referrers.
    private func collect(_ digest: Digest, in repository: RepositoryName, seen: inout Set<Digest>, into changes: inout [IndexChange])
        async throws
    {
        guard seen.insert(digest).inserted, let stored = try? await store.manifest(.digest(digest), in: repository) else { return }
        let document = try? JSONDecoder().decode(ManifestDocument.self, from: Data(stored.content))
        for child in document?.manifests ?? [] {
            if let childDigest = try? Digest(parsing: child.digest) {
                try await collect(childDigest, in: repository, seen: &seen, into: &changes)
            }
        }
        changes.append(contentsOf: try await records(digest, in: repository.value, tags: []))
        for referrer in try await store.referrers(of: digest, in: repository, artifactType: nil) {
            try await collect(referrer.digest, in: repository, seen: &seen, into: &changes)
        }
    }

    private func records(_ digest: Digest, in repository: String, tags: [String]) async throws -> [IndexChange] {
        guard let (image, source) = try await indexedImage(digest, in: repository, at: Date()) else { return [] }
        return [.record(image, source: source, tags: tags, at: Date())]
    }
}
