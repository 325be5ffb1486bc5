import HTTPTypes
import HummingbirdTesting
import Storage
import Testing

/// `GET`, `HEAD` and `DELETE /v2/<name>/blobs/<digest>`, with byte ranges.
@Suite struct BlobRouteTests {
    let repository = "blobs/test"

    /// Spec: a GET of an existing blob "MUST provide the expected blob, with a response code that MUST be `200 OK`".
    @Test func getBlobReturnsItsBytesAndDigest() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(1000)
            let digest = try await registry.pushBlob(data, to: repository)
            let response = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(response.status == .ok)
            #expect(response.bytes == data)
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
            #expect(response.headers[.contentType] == "application/octet-stream")
            #expect(response.headers[.acceptRanges] == "bytes")
        }
    }

    /// Spec (HEAD): "`Content-Length: <size in bytes>`" and "A `HEAD` response **must not** include a response body".
    @Test func headBlobGivesLengthAndDigestWithoutBody() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(1000), to: repository)
            let response = try await registry.head("/v2/\(repository)/blobs/\(digest)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == "1000")
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
            #expect(response.bytes.isEmpty)
        }
    }

    /// A body larger than the test client's 32 KiB request chunks comes back byte for byte.
    @Test func blobOfSeveralChunksRoundtrips() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(300_000)
            let digest = try await registry.pushBlob(data, to: repository)
            let response = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(response.bytes == data)
        }
    }

    /// RFC 9110: a 206 carries `Content-Range: bytes <first>-<last>/<complete-length>` and only those bytes.
    @Test func rangeRequestReturns206AndThePart() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(1000)
            let response = try await ranged(registry, data, "bytes=100-199")
            #expect(response.status == .partialContent)
            #expect(response.bytes == Array(data[100..<200]))
            #expect(response.headers[.contentRange] == "bytes 100-199/1000")
            #expect(response.headers[.contentLength] == "100")
        }
    }

    /// RFC 9110 `bytes=<first>-`: from `first` to the end.
    @Test func openEndedRangeReturnsTheTail() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(1000)
            let response = try await ranged(registry, data, "bytes=900-")
            #expect(response.status == .partialContent)
            #expect(response.bytes == Array(data[900...]))
            #expect(response.headers[.contentRange] == "bytes 900-999/1000")
        }
    }

    /// RFC 9110 `bytes=-<n>`: the last `n` bytes.
    @Test func suffixRangeReturnsTheLastBytes() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(1000)
            let response = try await ranged(registry, data, "bytes=-10")
            #expect(response.status == .partialContent)
            #expect(response.bytes == Array(data[990...]))
            #expect(response.headers[.contentRange] == "bytes 990-999/1000")
        }
    }

    /// RFC 9110 §15.5.17: a 416 "SHOULD send a Content-Range header field with an unsatisfied-range value".
    @Test func rangePastTheEndIs416NamingTheBlobSize() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await ranged(registry, randomBytes(1000), "bytes=1000-1010")
            expectOCIError(response, .rangeNotSatisfiable, "SIZE_INVALID")
            #expect(response.headers[.contentRange] == "bytes */1000")
        }
    }

    /// Spec: "Upon success, the registry MUST respond with code `202 Accepted`"; afterwards the blob is unknown.
    @Test func deleteBlobIs202ThenTheBlobIsUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(100), to: repository)
            let deleted = try await registry.delete("/v2/\(repository)/blobs/\(digest)")
            #expect(deleted.status == .accepted)
            let fetched = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            expectOCIError(fetched, .notFound, "BLOB_UNKNOWN")
        }
    }

    /// Spec (Deleting Blobs): "If the blob is not found, a `404 Not Found` code MUST be returned."
    @Test func deleteUnknownBlobIs404BlobUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: repository)
            let response = try await registry.delete("/v2/\(repository)/blobs/\(Digest.sha256(of: randomBytes(32)))")
            expectOCIError(response, .notFound, "BLOB_UNKNOWN")
        }
    }

    /// Spec: "If the blob is not found in the repository, the registry **must** return 404"; code BLOB_UNKNOWN.
    @Test func getUnknownBlobIs404BlobUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: repository)
            let response = try await registry.get("/v2/\(repository)/blobs/\(Digest.sha256(of: randomBytes(32)))")
            expectOCIError(response, .notFound, "BLOB_UNKNOWN")
        }
    }

    /// Spec: a HEAD of a missing blob "**must** return 404 Not Found", and a HEAD has no body.
    @Test func headUnknownBlobIs404WithoutABody() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: repository)
            let response = try await registry.head("/v2/\(repository)/blobs/\(Digest.sha256(of: randomBytes(32)))")
            #expect(response.status == .notFound)
            #expect(response.bytes.isEmpty)
        }
    }

    /// Per-repository links grant access: a blob pushed to one repository is not served from another.
    @Test func blobIsVisibleOnlyInTheRepositoryItWasPushedTo() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(100), to: repository)
            try await registry.pushBlob(randomBytes(10), to: "blobs/other")
            let response = try await registry.get("/v2/blobs/other/blobs/\(digest)")
            expectOCIError(response, .notFound, "BLOB_UNKNOWN")
        }
    }

    /// image-spec: sha256's encoded part "MUST match /[a-f0-9]{64}/"; anything else is 400 DIGEST_INVALID.
    @Test(arguments: ["sha256:abc", "sha256:" + String(repeating: "g", count: 64), "nodigest", "sha256:",
        "sha256:" + String(repeating: "A", count: 64)])
    func malformedDigestIs400DigestInvalid(digest: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
        }
    }

    /// An algorithm zotd does not hash (md5) is refused as DIGEST_INVALID, never a 5xx.
    @Test func unsupportedDigestAlgorithmIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/\(repository)/blobs/md5:9dd4e461268c8034f5c8564e155c67a6")
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
        }
    }

    /// image-spec: sha512 is a registered algorithm; a blob pushed under a sha512 digest is served under it.
    @Test func sha512BlobIsPushedAndServedUnderItsDigest() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(3000)
            let digest = sha512(data)
            let location = try await registry.startUpload(in: repository)
            let pushed = try await registry.request(.put, "\(location)?digest=\(digest)", body: data)
            #expect(pushed.status == .created)
            let response = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(response.bytes == data)
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
        }
    }

    /// A sha512 digest is verified like a sha256 one: a mismatch is 400 DIGEST_INVALID and nothing is stored.
    @Test func sha512BlobWithWrongContentIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(300)
            let digest = sha512(data + [1])
            let location = try await registry.startUpload(in: repository)
            let pushed = try await registry.request(.put, "\(location)?digest=\(digest)", body: data)
            expectOCIError(pushed, .badRequest, "DIGEST_INVALID")
            let response = try await registry.head("/v2/\(repository)/blobs/\(digest)")
            #expect(response.status == .notFound)
        }
    }

    /// A zero-length blob is legal content (`sha256:e3b0…`); no range of it exists, so none is sent.
    @Test func emptyBlobIsPushedAndServed() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob([], to: repository)
            let response = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(response.status == .ok)
            #expect(response.bytes.isEmpty)
            #expect(response.headers[.contentLength] == "0")
        }
    }

    /// Manifests are content too: their digest is served through the blob endpoint, as pushed.
    @Test func manifestIsServedThroughTheBlobEndpoint() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository)
            let response = try await registry.get("/v2/\(repository)/blobs/\(image.digest)")
            #expect(response.status == .ok)
            #expect(response.bytes == image.manifest.bytes)
        }
    }

    private func ranged(_ registry: RouteTestRegistry, _ data: [UInt8], _ range: String) async throws -> TestResponse {
        let digest = try await registry.pushBlob(data, to: repository)
        return try await registry.get("/v2/\(repository)/blobs/\(digest)", headers: [.range: range])
    }

    private func sha512(_ bytes: [UInt8]) -> Digest {
        var hasher = ContentHasher(.sha512)
        hasher.update(bytes)
        return hasher.finalize()
    }
}
