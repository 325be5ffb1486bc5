import HTTPTypes
import Storage
import Testing

/// Manifest pushes the registry refuses, each with the status and code zot answers, and nothing stored.
@Suite struct ManifestRejectionRouteTests {
    let repository = "rejections/test"

    /// zot: "Every blob the manifest references (config, layers […]) must exist → otherwise `MANIFEST_BLOB_UNKNOWN`".
    @Test(arguments: [0, 1])
    func manifestWithAMissingBlobIs404ManifestBlobUnknown(missing: Int) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for (index, blob) in image.blobs.enumerated() where index != missing {
                try await registry.pushBlob(blob, to: repository)
            }
            let response = try await registry.putManifest(image.manifest, to: repository, as: "t")
            expectOCIError(response, .notFound, "MANIFEST_BLOB_UNKNOWN")
            try await expectNothingStored(registry, as: "t")
        }
    }

    /// The blobs must be in the manifest's own repository: one held only by another repository does not count.
    @Test func blobOfAnotherRepositoryIs404ManifestBlobUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: "rejections/elsewhere") }
            try await registry.pushBlob(image.config, to: repository)
            let response = try await registry.putManifest(image.manifest, to: repository, as: "t")
            expectOCIError(response, .notFound, "MANIFEST_BLOB_UNKNOWN")
        }
    }

    /// Spec: when referenced manifests are missing "the registry **must** return […] `MANIFEST_BLOB_UNKNOWN` errors".
    @Test func indexWithAMissingManifestIs404ManifestBlobUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let present = TestImage.make()
            try await registry.pushImage(present, to: repository)
            let index = TestManifest.index(of: [present.manifest, TestImage.make().manifest])
            let response = try await registry.putManifest(index, to: repository, as: "broken")
            expectOCIError(response, .notFound, "MANIFEST_BLOB_UNKNOWN")
        }
    }

    /// zot's code table: "MANIFEST_INVALID 400" for a body that is not JSON.
    @Test func malformedJSONIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let truncated = Array(#"{"schemaVersion": 2, "mediaType": "#.utf8)
            let bad = TestManifest(bytes: truncated, mediaType: MediaType.ociManifest)
            let response = try await registry.putManifest(bad, to: repository, as: "bad")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// image-spec: an image manifest's `config` "is REQUIRED".
    @Test func manifestWithoutAConfigIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let bad = TestManifest(
                bytes: Array(#"{"layers":[],"mediaType":"\#(MediaType.ociManifest)","schemaVersion":2}"#.utf8),
                mediaType: MediaType.ociManifest)
            let response = try await registry.putManifest(bad, to: repository, as: "bad")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// image-spec: "schemaVersion […] MUST be `2`".
    @Test func wrongSchemaVersionIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let text = String(decoding: image.manifest.bytes, as: UTF8.self)
            let bad = TestManifest(
                bytes: Array(text.replacingOccurrences(of: #""schemaVersion":2"#, with: #""schemaVersion":1"#).utf8),
                mediaType: MediaType.ociManifest)
            try #require(bad.bytes != image.manifest.bytes)
            let response = try await registry.putManifest(bad, to: repository, as: "bad")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// Spec: clients "MUST set the `Content-Type` header to the value specified by the `mediaType` field".
    @Test func mediaTypeContradictingContentTypeIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let response = try await registry.putManifest(
                image.manifest, to: repository, as: "bad", contentType: MediaType.ociIndex)
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// zot: a `Content-Type` naming no manifest type, or none, is 415 MANIFEST_INVALID; the body's type is not used.
    @Test(arguments: [nil, "text/plain", "application/json", "application/vnd." + String(repeating: "x", count: 10000)])
    func missingOrUnsupportedContentTypeIs415ManifestInvalid(contentType: String?) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            var headers: HTTPFields = [:]
            headers[.contentType] = contentType
            let response = try await registry.request(
                .put, "/v2/\(repository)/manifests/typed", headers: headers, body: image.manifest.bytes)
            expectOCIError(response, .unsupportedMediaType, "MANIFEST_INVALID")
            try await expectNothingStored(registry, as: "typed")
        }
    }

    /// Go clients keep the last of two equal keys: a second `layers` would smuggle a blob past the check. Refused.
    @Test func duplicateLayersKeyIs400NamingTheKey() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let unpushed = Digest.sha256(of: randomBytes(8))
            let layer = #"{"digest":"\#(unpushed)","mediaType":"\#(MediaType.ociLayer)","size":8}"#
            let smuggled = smuggling(#""layers":[\#(layer)]"#, into: image)
            let response = try await registry.putManifest(smuggled, to: repository, as: "dup")
            let error = expectOCIError(response, .badRequest, "MANIFEST_INVALID")
            #expect(error?.detail?.contains(#"duplicate key "layers""#) == true)
            try await expectNothingStored(registry, as: "dup")
        }
    }

    /// A second `mediaType` naming an index, under an image `Content-Type`, is what clients would read: refused.
    @Test func duplicateMediaTypeKeyIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let smuggled = smuggling(#""mediaType":"\#(MediaType.ociIndex)""#, into: image)
            let response = try await registry.putManifest(smuggled, to: repository, as: "dup")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// The image spec requires UTF-8 JSON and Go refuses a byte-order mark: UTF-16 or UTF-8 with a BOM is refused.
    @Test(arguments: [true, false])
    func manifestNotInPlainUTF8Is400ManifestInvalid(utf16: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let text = String(decoding: image.manifest.bytes, as: UTF8.self)
            let bytes = utf16
                ? [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
                : [0xEF, 0xBB, 0xBF] + image.manifest.bytes
            let response = try await registry.putManifest(
                TestManifest(bytes: bytes, mediaType: MediaType.ociManifest), to: repository, as: "enc")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
            try await expectNothingStored(registry, as: "enc")
        }
    }

    /// Spec: registries "SHOULD expect to be able to support manifest pushes of at least 4 megabytes".
    @Test func manifestOfExactly4MiBIsAccepted() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(Array("{}".utf8), to: repository)
            let manifest = manifestOfSize(4 * 1024 * 1024)
            try await registry.pushManifest(manifest, to: repository, as: "big")
            let response = try await registry.get("/v2/\(repository)/manifests/big")
            #expect(response.bytes == manifest.bytes)
        }
    }

    /// Spec: over the limit, "respond […] with a response code `413 Payload Too Large`"; zot's code is SIZE_INVALID.
    @Test func manifestOver4MiBIs413SizeInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(Array("{}".utf8), to: repository)
            let manifest = manifestOfSize(4 * 1024 * 1024 + 1)
            let response = try await registry.putManifest(manifest, to: repository, as: "huge")
            expectOCIError(response, .contentTooLarge, "SIZE_INVALID")
            try await expectNothingStored(registry, as: "huge")
        }
    }

    /// A manifest pushed under a digest that is not its own is DIGEST_INVALID, and not stored under either.
    @Test func putByADigestThatDoesNotMatchIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let wrong = Digest.sha256(of: image.manifest.bytes + [0x20])
            let response = try await registry.putManifest(image.manifest, to: repository, as: wrong.description)
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
            try await expectNothingStored(registry, as: image.digest.description)
        }
    }

    /// Spec: a tag matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`; "The `<reference>` MUST NOT be in any other format."
    @Test(arguments: ["-starts-with-dash", ".dot", String(repeating: "a", count: 129), "has+plus"])
    func invalidTagIs400ManifestInvalid(tag: String) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let response = try await registry.putManifest(image.manifest, to: repository, as: tag)
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
        }
    }

    /// The `?tag=` parameters of a push by digest are tags too: an invalid one refuses the push.
    @Test func invalidTagParameterIs400ManifestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let response = try await registry.putManifest(
                image.manifest, to: repository, as: "\(image.digest)?tag=ok&tag=-bad")
            expectOCIError(response, .badRequest, "MANIFEST_INVALID")
            try await expectNothingStored(registry, as: "ok")
        }
    }

    /// The longest valid tag, 128 characters in mixed case, is accepted.
    @Test func tagOf128CharactersIsAccepted() async throws {
        try await RouteTestRegistry.with { registry in
            let tag = "A_b.c-" + String(repeating: "x", count: 122)
            try await registry.pushImage(TestImage.make(), to: repository, as: tag)
            let response = try await registry.get("/v2/\(repository)/manifests/\(tag)")
            #expect(response.status == .ok)
        }
    }

    /// `image`'s manifest with `member` added after its last key.
    private func smuggling(_ member: String, into image: TestImage) -> TestManifest {
        let text = String(decoding: image.manifest.bytes, as: UTF8.self)
        return TestManifest(bytes: Array((text.dropLast() + "," + member + "}").utf8), mediaType: MediaType.ociManifest)
    }

    /// An artifact manifest of exactly `size` bytes, padded in an annotation; its config is the `{}` blob.
    private func manifestOfSize(_ size: Int) -> TestManifest {
        let empty = Digest.sha256(of: Array("{}".utf8))
        let config = #"{"digest":"\#(empty)","mediaType":"\#(MediaType.ociEmpty)","size":2}"#
        let head = #"{"annotations":{"pad":""#
        let tail = #""},"artifactType":"application/vnd.example.big","config":\#(config),"layers":[],"#
            + #""mediaType":"\#(MediaType.ociManifest)","schemaVersion":2}"#
        let pad = String(repeating: "x", count: size - head.utf8.count - tail.utf8.count)
        return TestManifest(bytes: Array((head + pad + tail).utf8), mediaType: MediaType.ociManifest)
    }

    private func expectNothingStored(
        _ registry: RouteTestRegistry, as reference: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await registry.get("/v2/\(repository)/manifests/\(reference)")
        #expect(response.status == .notFound, sourceLocation: sourceLocation)
    }
}
