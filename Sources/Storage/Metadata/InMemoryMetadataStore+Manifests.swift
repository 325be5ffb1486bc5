extension InMemoryMetadataStore {
    /// Checks every blob, then every child manifest, throwing `manifestBlobUnknown` for the first one missing
    /// and changing nothing. A manifest already stored keeps its first row, creation time included (`ON
    /// CONFLICT DO NOTHING`); its references and tags are added all the same.
    public func putManifest(_ manifest: NewManifest, tags: [Tag]) async throws {
        try tables.withLock { tables throws(StorageError) in try tables.insertManifest(manifest, tags: tags) }
    }

    public func manifest(_ reference: Reference, in repository: RepositoryName) throws -> StoredManifest? {
        tables.withLock { tables in
            let digest: Digest
            switch reference {
            case .tag(let tag):
                guard let tagged = tables.tags[repository]?[tag.value] else { return nil }
                digest = tagged
            case .digest(let requested):
                digest = requested
            }
            guard let stored = tables.manifests[repository]?[digest] else { return nil }
            return StoredManifest(digest: digest, mediaType: stored.mediaType, content: stored.content)
        }
    }

    public func deleteManifest(_ digest: Digest, in repository: RepositoryName) async throws -> Bool {
        tables.withLock { $0.removeManifest(digest, from: repository) }
    }

    public func deleteTag(_ tag: Tag, in repository: RepositoryName) async throws -> Bool {
        tables.withLock { tables in
            guard tables.tags[repository]?.removeValue(forKey: tag.value) != nil else { return false }
            if tables.tags[repository]?.isEmpty == true { tables.tags[repository] = nil }
            return true
        }
    }

    /// A repository is known while it holds a manifest or links a blob: one whose blobs were pushed but whose
    /// manifest has not come yet lists no tags rather than being unknown.
    public func tags(in repository: RepositoryName, after last: String?, limit: Int?) throws -> [String]? {
        tables.withLock { tables in
            guard tables.manifests[repository] != nil || tables.links[repository] != nil else { return nil }
            return Self.page((tables.tags[repository] ?? [:]).keys, after: last, limit: limit)
        }
    }

    public func repositories(after last: String?, limit: Int?) throws -> [String] {
        tables.withLock { Self.page($0.manifests.keys.map(\.value), after: last, limit: limit) }
    }

    /// In digest order. A filter matches only manifests with that very artifact type, never one without any.
    public func manifestsListing(_ digest: Digest, in repository: RepositoryName) throws -> [Digest] {
        tables.withLock { tables in
            let manifests = tables.manifests[repository] ?? [:]
            guard manifests[digest] != nil else { return [] }
            return manifests.filter { $0.value.references.contains(digest) }.map(\.key).sorted()
        }
    }

    public func referrers(of digest: Digest, in repository: RepositoryName, artifactType: String?) throws -> [Referrer]
    {
        tables.withLock { tables in
            (tables.manifests[repository] ?? [:])
                .filter { $0.value.subject == digest && (artifactType == nil || $0.value.artifactType == artifactType) }
                .sorted { $0.key < $1.key }
                .map { referrer, stored in
                    Referrer(
                        digest: referrer,
                        mediaType: stored.mediaType,
                        size: Int64(stored.content.count),
                        artifactType: stored.artifactType,
                        annotationsJSON: stored.annotationsJSON
                    )
                }
        }
    }
}

extension InMemoryMetadataStore.Tables {
    /// Checks every blob, then every child manifest, throwing `manifestBlobUnknown` for the first one missing
    /// and changing nothing. A manifest already stored keeps its first row, creation time included (`ON
    /// CONFLICT DO NOTHING`); its references and tags are added all the same.
    mutating func insertManifest(_ manifest: NewManifest, tags newTags: [Tag]) throws(StorageError) {
        let repository = manifest.repository
        for blob in manifest.parsed.blobs where links[repository]?[blob] == nil {
            throw .manifestBlobUnknown(blob)
        }
        for child in manifest.parsed.manifests where manifests[repository]?[child] == nil {
            throw .manifestBlobUnknown(child)
        }
        let references = Set(manifest.parsed.blobs + manifest.parsed.manifests)
        if manifests[repository]?[manifest.digest] == nil {
            manifests[repository, default: [:]][manifest.digest] = Manifest(
                mediaType: manifest.parsed.mediaType.rawValue,
                artifactType: manifest.parsed.artifactType,
                subject: manifest.parsed.subject,
                annotationsJSON: manifest.parsed.annotationsJSON,
                content: manifest.content,
                createdAt: manifest.createdAt,
                references: references
            )
        } else {
            manifests[repository]?[manifest.digest]?.references.formUnion(references)
        }
        for tag in newTags {
            tags[repository, default: [:]][tag.value] = manifest.digest
        }
    }
}
