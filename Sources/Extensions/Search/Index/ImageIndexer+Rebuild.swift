import Foundation
import Storage

extension ImageIndexer {
    /// Rebuilds the index from storage: every tagged image, the images an index lists, and every referrer of
    /// those, reached the way clients reach them. Stars and bookmarks are kept, and so are pull counts, push
    /// and tag times of what is still there. Returns the manifests indexed.
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
        var last: String?
        while true {
            let repositories = try store.repositories(after: last, limit: 500)
            guard let final = repositories.last else { break }
            for repository in repositories {
                guard let name = try? RepositoryName(parsing: repository) else { continue }
                var seen: Set<Digest> = []
                for tag in try store.tags(in: name, after: nil, limit: nil) {
                    guard let parsed = try? Tag(parsing: tag), let stored = try? store.manifest(.tag(parsed), in: name)
                    else { continue }
                    indexed += try await indexTree(stored.digest, in: name, seen: &seen)
                    try await indexManifest(stored.digest, in: repository, tags: [tag], at: Date())
                }
            }
            last = final
        }
        return indexed
    }

    /// Indexes `digest`, the manifests it lists (first: an index's platforms come from them) and its referrers.
    private func indexTree(_ digest: Digest, in repository: RepositoryName, seen: inout Set<Digest>) async throws -> Int {
        guard seen.insert(digest).inserted, let stored = try? store.manifest(.digest(digest), in: repository) else {
            return 0
        }
        var indexed = 1
        let document = try? JSONDecoder().decode(ManifestDocument.self, from: Data(stored.content))
        for child in document?.manifests ?? [] {
            if let childDigest = try? Digest(parsing: child.digest) {
                indexed += try await indexTree(childDigest, in: repository, seen: &seen)
            }
        }
        try await indexManifest(digest, in: repository.value, tags: [], at: Date())
        for referrer in try store.referrers(of: digest, in: repository, artifactType: nil) {
            indexed += try await indexTree(referrer.digest, in: repository, seen: &seen)
        }
        return indexed
    }
}
