extension InMemoryMetadataStore {
    /// The SQLite store's collection, step by step: manifests outside the live set go (with their tags and
    /// references), then links older than `cutoff` that no remaining manifest of their repository references;
    /// blobs older than `cutoff` that no repository links and uploads idle since before it are returned, not
    /// removed: the caller deletes their bytes first.
    public func collectGarbage(olderThan cutoff: Double) async throws -> GarbageCandidates {
        tables.withLock { tables in
            var manifestsDeleted = 0
            for (repository, manifests) in tables.manifests {
                let live = tables.liveDigests(in: repository, createdSince: cutoff)
                for digest in manifests.keys where !live.contains(digest) {
                    if tables.removeManifest(digest, from: repository) { manifestsDeleted += 1 }
                }
            }
            var linksDeleted = 0
            for (repository, links) in tables.links {
                // A link younger than the cutoff may belong to a push whose manifest has not arrived yet.
                let referenced = (tables.manifests[repository] ?? [:]).values.reduce(into: Set<Digest>()) {
                    $0.formUnion($1.references)
                }
                for (digest, linkedAt) in links where linkedAt < cutoff && !referenced.contains(digest) {
                    if tables.removeLink(digest, from: repository) { linksDeleted += 1 }
                }
            }
            let unlinked = tables.blobs.filter { digest, blob in blob.createdAt < cutoff && !tables.isLinked(digest) }
            return GarbageCandidates(
                manifestsDeleted: manifestsDeleted,
                linksDeleted: linksDeleted,
                unlinkedBlobs: unlinked.keys.sorted(),
                staleUploads: tables.uploads.values.filter { $0.updatedAt < cutoff }.map(\.id)
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            )
        }
    }

    public func forgetBlobIfUnlinked(_ digest: Digest) async throws -> Bool {
        tables.withLock { tables in
            guard tables.blobs[digest] != nil, !tables.isLinked(digest) else { return false }
            tables.blobs[digest] = nil
            return true
        }
    }
}

extension InMemoryMetadataStore.Tables {
    /// The SQLite store's recursive `live` set for one repository: tagged digests and manifests created at or
    /// after `cutoff`, then, until nothing is added, whatever a live manifest references (an index's children;
    /// its blobs too, harmlessly) and the manifests whose subject is live (signatures and SBOMs follow their
    /// image). Like the SQL, a manifest whose subject is a live image's blob is live as well.
    func liveDigests(in repository: RepositoryName, createdSince cutoff: Double) -> Set<Digest> {
        let manifests = self.manifests[repository] ?? [:]
        var referrersBySubject: [Digest: [Digest]] = [:]
        for (digest, manifest) in manifests {
            if let subject = manifest.subject { referrersBySubject[subject, default: []].append(digest) }
        }
        var live = Set((tags[repository] ?? [:]).values)
        live.formUnion(manifests.filter { $0.value.createdAt >= cutoff }.keys)
        var pending = Array(live)
        while let digest = pending.popLast() {
            let reached = Array(manifests[digest]?.references ?? []) + (referrersBySubject[digest] ?? [])
            for next in reached where live.insert(next).inserted {
                pending.append(next)
            }
        }
        return live
    }
}
