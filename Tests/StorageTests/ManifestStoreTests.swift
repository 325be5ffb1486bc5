import Testing

@testable import Storage

@Suite struct ManifestStoreTests {
    /// Pushes a config and one layer to `repository` and returns a manifest over them.
    func pushImage(_ store: RegistryStore, in repository: RepositoryName, layerSize: Int = 100) async throws -> [UInt8] {
        let config = randomBytes(50)
        let layer = randomBytes(layerSize)
        for blob in [config, layer] {
            _ = try await store.storeBlob(sha256(blob), in: repository, body: ChunkedBody(chunks: [blob]), declaredLength: nil)
        }
        return imageManifest(config: sha256(config), configSize: 50, layers: [(sha256(layer), layerSize)])
    }

    @Test func manifestIsServedBackByteForByte() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        let (digest, _) = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        #expect(digest == sha256(bytes))
        let byTag = try await store.manifest(.tag(try Tag(parsing: "v1")), in: repo("a"))
        let byDigest = try await store.manifest(.digest(digest), in: repo("a"))
        #expect(byTag.content == bytes && byDigest.content == bytes)
        #expect(byTag.mediaType == "application/vnd.oci.image.manifest.v1+json")
    }

    /// What `zot_repo_storage_bytes` reports: the blobs a repository sees plus its manifests, per repository.
    @Test func storageBytesAreTheRepositorysBlobsAndManifests() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        #expect(try await store.storageBytes(in: repo("a")) == 0)
        let bytes = try await pushImage(store, in: repo("a"), layerSize: 1000)
        #expect(try await store.storageBytes(in: repo("a")) == 1050)
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        #expect(try await store.storageBytes(in: repo("a")) == 1050 + Int64(bytes.count))
        #expect(try await store.storageBytes(in: repo("b")) == 0)
    }

    /// Every blob a manifest references must be in the repository: MANIFEST_BLOB_UNKNOWN otherwise.
    @Test func manifestWithMissingBlobIsRefused() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        await #expect(throws: StorageError.self) {
            try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("b"))
        }
        #expect(try await store.repositories(after: nil, limit: nil) == [])
    }

    @Test func manifestDigestMustMatchReference() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        let wrong = sha256([0])
        await #expect(throws: StorageError.digestMismatch(expected: wrong, actual: sha256(bytes))) {
            try await store.putManifest(bytes, contentType: nil, reference: .digest(wrong), in: repo("a"))
        }
    }

    @Test(arguments: [
        "not json", "{}", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
        #"{"schemaVersion":1,"config":{"digest":"sha256:00","size":1},"layers":[]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"nope","size":1}]}"#,
    ])
    func malformedManifestIsInvalid(_ text: String) async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        await #expect(throws: StorageError.self) {
            try await store.putManifest(Array(text.utf8), contentType: nil, reference: .tag(try Tag(parsing: "x")), in: repo("a"))
        }
    }

    /// The Content-Type header and the body's mediaType must agree.
    @Test func mismatchedContentTypeIsInvalid() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        await #expect(throws: StorageError.self) {
            try await store.putManifest(
                bytes, contentType: "application/vnd.oci.image.index.v1+json", reference: .tag(try Tag(parsing: "x")), in: repo("a"))
        }
    }

    @Test func tagsArePagedInLexicalOrder() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        let tags = ["b", "a", "c", "a1", "B"]
        _ = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "z")),
            extraTags: try tags.map { try Tag(parsing: $0) }, in: repo("a"))
        #expect(try await store.tags(in: repo("a"), after: nil, limit: nil) == ["B", "a", "a1", "b", "c", "z"])
        #expect(try await store.tags(in: repo("a"), after: "a", limit: 2) == ["a1", "b"])
        await #expect(throws: StorageError.nameUnknown(repo("none"))) { try await store.tags(in: repo("none"), after: nil, limit: nil) }
    }

    /// Deleting a tag leaves the manifest; deleting the manifest removes its tags too.
    @Test func deletingTagKeepsManifest() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let bytes = try await pushImage(store, in: repo("a"))
        let (digest, _) = try await store.putManifest(bytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")),
            extraTags: [try Tag(parsing: "v2")], in: repo("a"))
        try await store.deleteManifest(.tag(try Tag(parsing: "v1")), in: repo("a"))
        #expect(try await store.tags(in: repo("a"), after: nil, limit: nil) == ["v2"])
        #expect(try await store.manifest(.digest(digest), in: repo("a")).content == bytes)
        try await store.deleteManifest(.digest(digest), in: repo("a"))
        #expect(try await store.tags(in: repo("a"), after: nil, limit: nil) == [])
        await #expect(throws: StorageError.self) { try await store.manifest(.digest(digest), in: repo("a")) }
    }

    @Test func referrersListManifestsWithThatSubject() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let subjectBytes = try await pushImage(store, in: repo("a"))
        let (subject, _) = try await store.putManifest(subjectBytes, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let empty = Array("{}".utf8)
        _ = try await store.storeBlob(sha256(empty), in: repo("a"), body: ChunkedBody(chunks: [empty]), declaredLength: nil)
        let signature = imageManifest(config: sha256(empty), configSize: 2, layers: [], subject: (subject, subjectBytes.count),
            artifactType: "application/vnd.example.signature")
        _ = try await store.putManifest(signature, contentType: nil, reference: .digest(sha256(signature)), in: repo("a"))
        let all = try await store.referrers(of: subject, in: repo("a"), artifactType: nil)
        #expect(all.map(\.digest) == [sha256(signature)])
        #expect(all.first?.artifactType == "application/vnd.example.signature")
        #expect(try await store.referrers(of: subject, in: repo("a"), artifactType: "other/type").isEmpty)
    }

    /// An index may only list manifests the repository has.
    @Test func indexNeedsItsManifests() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let child = try await pushImage(store, in: repo("a"))
        let index = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(sha256(child))","size":\#(child.count)}]}"#.utf8)
        await #expect(throws: StorageError.manifestBlobUnknown(sha256(child))) {
            try await store.putManifest(index, contentType: nil, reference: .tag(try Tag(parsing: "multi")), in: repo("a"))
        }
        _ = try await store.putManifest(child, contentType: nil, reference: .digest(sha256(child)), in: repo("a"))
        _ = try await store.putManifest(index, contentType: nil, reference: .tag(try Tag(parsing: "multi")), in: repo("a"))
        #expect(try await store.manifest(.tag(try Tag(parsing: "multi")), in: repo("a")).mediaType == "application/vnd.oci.image.index.v1+json")
    }
}
