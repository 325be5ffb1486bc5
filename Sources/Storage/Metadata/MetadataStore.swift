/// Where zotd keeps what it knows about its content: repositories, the blobs each may
/// see, manifests, tags, referrers and upload sessions.
///
/// The seam between the registry and a metadata backend: SQLite in one process, or PostgreSQL shared by
/// replicas. Each method is atomic on its own: callers never lock. Every method is async because a shared
/// server answers over the network; SQLite's hot reads stay synchronous inside (a synchronous method
/// fulfils an async requirement), so a local lookup costs no suspension.
public protocol MetadataStore: Sendable {
    // MARK: Blobs
    /// Records that `digest` (of `size` bytes) is stored and that `repository` may see it.
    func linkBlob(_ digest: Digest, size: Int64, to repository: RepositoryName) async throws
    /// Lets `repository` see a blob `source` already sees. False when `source` does not have it.
    func mountBlob(_ digest: Digest, from source: RepositoryName, to repository: RepositoryName) async throws -> Bool
    /// The size of blob `digest` if `repository` links it.
    func blobSize(_ digest: Digest, in repository: RepositoryName) async throws -> Int64?
    /// The repositories a blob is linked into, by name.
    func repositoriesLinking(_ digest: Digest) async throws -> [RepositoryName]
    /// Whether `digest` is stored at all, in any repository.
    func blobSize(_ digest: Digest) async throws -> Int64?
    /// Removes `repository`'s link to the blob. False when there was none.
    func unlinkBlob(_ digest: Digest, from repository: RepositoryName) async throws -> Bool
    /// Bytes `repository` holds: the blobs it sees plus its manifests (`zot_repo_storage_bytes`).
    func storageBytes(in repository: RepositoryName) async throws -> Int64

    // MARK: Manifests and tags
    /// Stores a manifest and points `tags` at it, after checking, in the same transaction,
    /// that everything it references is present in the repository.
    func putManifest(_ manifest: NewManifest, tags: [Tag]) async throws
    func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest?
    /// Deletes the manifest and every tag pointing at it. False when it was not there.
    func deleteManifest(_ digest: Digest, in repository: RepositoryName) async throws -> Bool
    /// Deletes only the tag. False when it was not there.
    func deleteTag(_ tag: Tag, in repository: RepositoryName) async throws -> Bool
    /// Tags in lexical order after `last`, at most `limit`; nil when the repository is unknown.
    func tags(in repository: RepositoryName, after last: String?, limit: Int?) async throws -> [String]?
    /// Repositories holding at least one manifest, in lexical order after `last`.
    func repositories(after last: String?, limit: Int?) async throws -> [String]
    /// Manifests in `repository` whose subject is `digest`, optionally of one artifact type.
    func referrers(of digest: Digest, in repository: RepositoryName, artifactType: String?) async throws -> [Referrer]
    /// The manifests of `repository` that list `digest` (the indexes it is a platform image of).
    func manifestsListing(_ digest: Digest, in repository: RepositoryName) async throws -> [Digest]

    // MARK: Uploads
    func createUpload(_ upload: UploadRecord) async throws
    func upload(id: String) async throws -> UploadRecord?
    func touchUpload(id: String, at time: Double) async throws
    func deleteUpload(id: String) async throws

    // MARK: Adoption of a zot storage root
    /// Stores what adopting one repository of a zot storage root found, in one transaction: its blobs, its
    /// manifests (each after the ones it lists) with their tags, and, when nothing failed, the digest of the
    /// `index.json` adopted, so that the next start passes the repository by while that file is unchanged.
    /// Throws `manifestBlobUnknown`, storing nothing, when a manifest needs something neither stored nor adopted.
    func adopt(_ adoption: RepositoryAdoption) async throws
    /// The `index.json` digest each fully adopted repository had when it was adopted last.
    func adoptedLayouts() async throws -> [RepositoryName: Digest]

    // MARK: Garbage collection
    /// Deletes, in one transaction, manifests and blob links nothing live references and
    /// that are older than `cutoff`; returns blobs left without any link and stale uploads.
    func collectGarbage(olderThan cutoff: Double) async throws -> GarbageCandidates
    /// Forgets a blob if no repository links it (re-checked inside the transaction).
    func forgetBlobIfUnlinked(_ digest: Digest) async throws -> Bool
}

/// A manifest about to be stored.
public struct NewManifest: Sendable {
    public var repository: RepositoryName
    public var digest: Digest
    public var parsed: ParsedManifest
    public var content: [UInt8]
    public var createdAt: Double
    /// The signed-in user who pushed it, empty for anyone else: what replicas that follow the change show.
    public var pushedBy: String

    public init(
        repository: RepositoryName, digest: Digest, parsed: ParsedManifest, content: [UInt8], createdAt: Double,
        pushedBy: String = ""
    ) {
        self.repository = repository
        self.digest = digest
        self.parsed = parsed
        self.content = content
        self.createdAt = createdAt
        self.pushedBy = pushedBy
    }
}

/// What adopting one repository of a zot storage root stores (see `MetadataStore.adopt`).
public struct RepositoryAdoption: Sendable {
    public struct Blob: Sendable, Equatable {
        public var digest: Digest
        public var size: Int64

        public init(digest: Digest, size: Int64) {
            self.digest = digest
            self.size = size
        }
    }

    public struct Manifest: Sendable {
        public var manifest: NewManifest
        public var tags: [Tag]

        public init(manifest: NewManifest, tags: [Tag]) {
            self.manifest = manifest
            self.tags = tags
        }
    }

    public var repository: RepositoryName
    public var blobs: [Blob]
    /// Each after the manifests it lists.
    public var manifests: [Manifest]
    /// The adopted `index.json`'s digest; nil when part of the repository could not be adopted, so the next
    /// start tries again (and reports again what is wrong).
    public var layoutDigest: Digest?

    public init(repository: RepositoryName, blobs: [Blob], manifests: [Manifest], layoutDigest: Digest?) {
        self.repository = repository
        self.blobs = blobs
        self.manifests = manifests
        self.layoutDigest = layoutDigest
    }
}

/// A stored manifest, served back byte for byte.
public struct StoredManifest: Sendable {
    public var digest: Digest
    public var mediaType: String
    public var content: [UInt8]

    public init(digest: Digest, mediaType: String, content: [UInt8]) {
        self.digest = digest
        self.mediaType = mediaType
        self.content = content
    }
}

/// One entry of the referrers API's index.
public struct Referrer: Sendable, Equatable {
    public var digest: Digest
    public var mediaType: String
    public var size: Int64
    public var artifactType: String?
    public var annotationsJSON: String?

    public init(digest: Digest, mediaType: String, size: Int64, artifactType: String?, annotationsJSON: String?) {
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
        self.artifactType = artifactType
        self.annotationsJSON = annotationsJSON
    }
}

/// A persisted upload session: survives restarts so that clients can resume.
public struct UploadRecord: Sendable, Equatable {
    public var id: String
    public var repository: RepositoryName
    public var createdAt: Double
    public var updatedAt: Double

    public init(id: String, repository: RepositoryName, createdAt: Double, updatedAt: Double) {
        self.id = id
        self.repository = repository
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a metadata garbage collection left for the blob store to remove.
public struct GarbageCandidates: Sendable {
    public var manifestsDeleted: Int
    public var linksDeleted: Int
    public var unlinkedBlobs: [Digest]
    public var staleUploads: [String]

    public init(manifestsDeleted: Int, linksDeleted: Int, unlinkedBlobs: [Digest], staleUploads: [String]) {
        self.manifestsDeleted = manifestsDeleted
        self.linksDeleted = linksDeleted
        self.unlinkedBlobs = unlinkedBlobs
        self.staleUploads = staleUploads
    }
}
