/// Adopts one repository of a zot storage root: walks its `index.json` down through every manifest it
/// names (index children and referrers included: zot lists every manifest there, skopeo only the top one of
/// a multi-arch copy), verifies each file against its digest, and gathers what the metadata store records in
/// one transaction (`RepositoryAdoption`).
///
/// A manifest goes in only with everything it needs: a damaged or missing blob keeps out the manifests that
/// use it, and their tags, and is reported as a problem. Nothing of zot's is written: blob files are linked.
///
/// It runs at start, before the server listens: `index.json` and manifests (kilobytes) are read on the calling
/// task, blob files (up to gigabytes) on the I/O thread pool (`BlobStore.adoptLocalFile`).
struct RepositoryLayoutAdoption {
    let store: RegistryStore
    let layout: ZotLayoutScan.Repository
    private(set) var blobs: [RepositoryAdoption.Blob] = []
    /// Each after the manifests it lists (the order the metadata store checks them in).
    private(set) var manifests: [RepositoryAdoption.Manifest] = []
    private(set) var problems: [String] = []
    /// Manifests and tags the repository did not have in zotd before (a repository tried again because of a
    /// damaged file re-asserts what it already has): what the extensions' indexes have not seen.
    private(set) var newManifests = 0
    private(set) var movedTags = 0
    private(set) var blobsVerified = 0
    private(set) var bytesVerified: Int64 = 0
    /// Whether each manifest and blob seen went in, so that a blob shared by many manifests is checked once.
    private var adoptedManifests: [Digest: Bool] = [:]
    private var adoptedBlobs: [Digest: Bool] = [:]

    /// zot nests indexes at most this deep in practice; a deeper chain is a loop or an attack.
    private static let maximumDepth = 8

    init(store: RegistryStore, layout: ZotLayoutScan.Repository) {
        self.store = store
        self.layout = layout
    }

    /// Walks `index`, then points each valid `ref.name` at its manifest; the last entry naming a tag wins.
    mutating func adopt(_ index: OCILayoutIndex) async {
        var tags: [Digest: [Tag]] = [:]
        var tagged: [Tag: Digest] = [:]
        for entry in index.manifests {
            guard let digest = try? Digest(parsing: entry.digest) else {
                problems.append("index.json names an invalid digest \(entry.digest.prefix(100))")
                continue
            }
            var tag: Tag?
            if let name = entry.tagName {
                tag = try? Tag(parsing: name)
                if tag == nil { problems.append("\(name.prefix(200)) (a ref.name of \(digest)) is not a valid tag") }
            }
            guard await adoptManifest(digest, mediaType: entry.mediaType, depth: 0) else {
                if let tag { problems.append("tag \(tag) is not adopted: manifest \(digest) is not") }
                continue
            }
            if let tag { tagged[tag] = digest }
        }
        for (tag, digest) in tagged {
            tags[digest, default: []].append(tag)
            if await (try? store.metadata.manifest(.tag(tag), in: layout.name))??.digest != digest { movedTags += 1 }
        }
        for position in manifests.indices {
            manifests[position].tags = (tags[manifests[position].manifest.digest] ?? []).sorted()
        }
    }

    private mutating func adoptManifest(_ digest: Digest, mediaType: String?, depth: Int) async -> Bool {
        if let known = adoptedManifests[digest] { return known }
        let ok = await readManifest(digest, mediaType: mediaType, depth: depth)
        adoptedManifests[digest] = ok
        return ok
    }

    private mutating func readManifest(_ digest: Digest, mediaType: String?, depth: Int) async -> Bool {
        guard depth <= Self.maximumDepth else {
            problems.append("manifest \(digest) is nested more than \(Self.maximumDepth) indexes deep")
            return false
        }
        let path = blobPath(digest)
        let bytes: [UInt8]
        let parsed: ParsedManifest
        do {
            guard let read = try POSIXFile.readWhole(path, limit: RegistryStore.manifestSizeLimit) else {
                problems.append("manifest \(digest) has no file (\(path))")
                return false
            }
            bytes = read
            var hasher = ContentHasher(digest.algorithm)
            hasher.update(bytes)
            let actual = hasher.finalize()
            guard actual == digest else {
                problems.append("manifest file \(path) does not match its digest (its content is \(actual))")
                return false
            }
            parsed = try ParsedManifest(bytes: bytes, contentType: mediaType)
        } catch {
            problems.append("manifest \(digest): \(error)")
            return false
        }
        var complete = true
        for child in parsed.manifests where await !adoptManifest(child, mediaType: nil, depth: depth + 1) {
            problems.append("manifest \(digest) is not adopted: it lists manifest \(child), which is not")
            complete = false
        }
        for blob in parsed.blobs where await !adoptBlob(blob) {
            problems.append("manifest \(digest) is not adopted: it needs blob \(blob), which is not")
            complete = false
        }
        guard complete else { return false }
        if await (try? store.metadata.manifest(.digest(digest), in: layout.name)) == nil { newManifests += 1 }
        let manifest = NewManifest(
            repository: layout.name, digest: digest, parsed: parsed, content: bytes, createdAt: RegistryStore.now)
        manifests.append(RepositoryAdoption.Manifest(manifest: manifest, tags: []))
        return true
    }

    private mutating func adoptBlob(_ digest: Digest) async -> Bool {
        if let known = adoptedBlobs[digest] { return known }
        let ok = await linkBlob(digest)
        adoptedBlobs[digest] = ok
        return ok
    }

    private mutating func linkBlob(_ digest: Digest) async -> Bool {
        let path = blobPath(digest)
        do {
            // Already adopted, or pushed to zotd: its file was verified then.
            if let size = try await store.metadata.blobSize(digest, in: layout.name) {
                blobs.append(.init(digest: digest, size: size))
                return true
            }
            guard try POSIXFile.size(path) != nil else {
                // zot could not serve this image either; zotd can when it holds the blob, verified, elsewhere.
                guard let size = try await store.metadata.blobSize(digest) else {
                    problems.append("blob \(digest) has no file (\(path))")
                    return false
                }
                blobs.append(.init(digest: digest, size: size))
                return true
            }
            let adopted = try await store.adoptBlobFile(at: path, as: digest)
            blobs.append(.init(digest: digest, size: adopted.size))
            if adopted.hashed {
                blobsVerified += 1
                bytesVerified += adopted.size
            }
            return true
        } catch StorageError.digestMismatch(_, let actual) {
            problems.append("blob file \(path) does not match its digest (its content is \(actual)): not served")
            return false
        } catch {
            problems.append("blob \(digest): \(error)")
            return false
        }
    }

    /// Records a problem that kept the whole repository out (an unreadable or invalid `index.json`).
    mutating func record(_ problem: String) {
        problems.append(problem)
    }

    /// zot's blob path: `<repository>/blobs/<algorithm>/<hex>`, without zotd's two-digit shards.
    private func blobPath(_ digest: Digest) -> String {
        "\(layout.path)/blobs/\(digest.algorithm.rawValue)/\(digest.encoded)"
    }
}
