import HTTPTypes
import Storage
import Testing

/// Upload sessions and monolithic pushes (chunks: `ChunkedUploadRouteTests`, mounts: `MountRouteTests`).
@Suite struct UploadRouteTests {
    let repository = "uploads/test"
    /// Well formed, as the ids zotd hands out, but never handed out.
    let unknownID = "5f0c6f9e-1111-4a3b-9c4d-2f2f2f2f2f2f"

    /// Spec: "MUST have a code of `202 Accepted`, and MUST include `Location`"; zot adds `Range` and the UUID.
    @Test func postStartsASessionWith202LocationRangeAndUUID() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.request(.post, "/v2/\(repository)/blobs/uploads/")
            #expect(response.status == .accepted)
            let id = try #require(response.headers[OCIHeader.uploadUUID])
            #expect(response.headers[.location] == "/v2/\(repository)/blobs/uploads/\(id)")
            #expect(response.headers[.range] == "0-0")
        }
    }

    /// Spec: each `Location` carries "a unique session ID for the upload".
    @Test func twoSessionsGetDifferentLocations() async throws {
        try await RouteTestRegistry.with { registry in
            let first = try await registry.startUpload(in: repository)
            let second = try await registry.startUpload(in: repository)
            #expect(first != second)
        }
    }

    /// Spec (single POST): "MUST return a `201 Created` and MUST include `Location: <blob-location>`".
    @Test func monolithicPostWithDigestIs201WithThePullableLocation() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(5000)
            let digest = Digest.sha256(of: data)
            let response = try await registry.request(
                .post, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", body: data)
            #expect(response.status == .created)
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
            #expect(response.headers[.location] == "/v2/\(repository)/blobs/\(digest)")
            let fetched = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(fetched.bytes == data)
        }
    }

    /// Spec: "the `<digest>` MUST match the blob's digest": a mismatch is 400 DIGEST_INVALID, and nothing is stored.
    @Test func monolithicPushWithWrongDigestIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(100)
            let claimed = Digest.sha256(of: data + [0])
            let response = try await registry.request(
                .post, "/v2/\(repository)/blobs/uploads/?digest=\(claimed)", body: data)
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
            for digest in [claimed, Digest.sha256(of: data)] {
                let stored = try await registry.head("/v2/\(repository)/blobs/\(digest)")
                #expect(stored.status == .notFound)
            }
        }
    }

    /// A body shorter than its `Content-Length` (a client cut off) is 400 BLOB_UPLOAD_INVALID and stores nothing.
    @Test func monolithicPushShorterThanContentLengthIs400BlobUploadInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = Digest.sha256(of: [])
            let response = try await registry.request(
                .post, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", headers: [.contentLength: "10"])
            expectOCIError(response, .badRequest, "BLOB_UPLOAD_INVALID")
            let stored = try await registry.head("/v2/\(repository)/blobs/\(digest)")
            #expect(stored.status == .notFound)
        }
    }

    /// Spec (POST then PUT): "the response MUST have code `201 Created` and MUST have `Location: <blob-location>`".
    @Test func postThenPutWithTheWholeBodyCreatesTheBlob() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(4000)
            let digest = Digest.sha256(of: data)
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.completeUpload(location, digest: digest, data)
            #expect(response.status == .created)
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
            #expect(response.headers[.location] == "/v2/\(repository)/blobs/\(digest)")
            let fetched = try await registry.get("/v2/\(repository)/blobs/\(digest)")
            #expect(fetched.bytes == data)
        }
    }

    /// Spec: "The closing `PUT` request MUST include the `<digest>` of the whole blob".
    @Test func putWithoutDigestIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.request(.put, location, body: Array("abc".utf8))
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
        }
    }

    /// A `digest` that is not one is 400 DIGEST_INVALID.
    @Test func putWithMalformedDigestIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.request(
                .put, "\(location)?digest=sha256:nothex", body: Array("abc".utf8))
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
        }
    }

    /// zot: "a digest mismatch → 400 `DIGEST_INVALID` and nothing stored", under either digest.
    @Test func putWithMismatchedDigestIs400AndStoresNothing() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(2048)
            let wrong = Digest.sha256(of: Array("something else".utf8))
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.completeUpload(location, digest: wrong, data)
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
            for digest in [wrong, Digest.sha256(of: data)] {
                let stored = try await registry.head("/v2/\(repository)/blobs/\(digest)")
                #expect(stored.status == .notFound)
            }
        }
    }

    /// A mismatch discards the session with its bytes: its URL then answers 404 BLOB_UPLOAD_UNKNOWN.
    @Test func digestMismatchEndsTheSession() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let wrong = Digest.sha256(of: Array("nope".utf8))
            _ = try await registry.completeUpload(location, digest: wrong, randomBytes(500))
            expectOCIError(try await registry.get(location), .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// Spec: an active upload "MUST be a `204 No Content` response code, and MUST have `Location` […] and `Range`".
    @Test func uploadStatusIs204WithLocationAndRange() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, randomBytes(1234))
            let response = try await registry.get(location)
            #expect(response.status == .noContent)
            #expect(response.headers[.range] == "0-1233")
            #expect(response.headers[.location] == location)
            #expect(response.bytes.isEmpty)
        }
    }

    /// zot: a new upload stands at `Range: 0-0`.
    @Test func statusOfAFreshUploadIsRange0To0() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get(try await registry.startUpload(in: repository))
            #expect(response.status == .noContent)
            #expect(response.headers[.range] == "0-0")
        }
    }

    /// zot: "`DELETE` → 204"; afterwards the session is 404 BLOB_UPLOAD_UNKNOWN.
    @Test func deleteUploadIs204ThenTheUploadIsUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, randomBytes(100))
            let deleted = try await registry.delete(location)
            #expect(deleted.status == .noContent)
            expectOCIError(try await registry.get(location), .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// A cancelled session takes no more data.
    @Test func patchAfterDeleteIs404BlobUploadUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.delete(location)
            expectOCIError(try await registry.patchChunk(location, randomBytes(10)), .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// After the closing `PUT` the session is over: its URL answers 404 BLOB_UPLOAD_UNKNOWN.
    @Test func completedUploadIsNoLongerASession() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(50)
            let location = try await registry.startUpload(in: repository)
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data), data)
            #expect(completed.status == .created)
            expectOCIError(try await registry.get(location), .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// Spec end-5, end-6, end-13 failures and zot's DELETE: a session never opened is 404 BLOB_UPLOAD_UNKNOWN.
    @Test(arguments: [HTTPRequest.Method.get, .patch, .put, .delete])
    func unknownUploadIs404BlobUploadUnknown(method: HTTPRequest.Method) async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: repository)
            let digest = Digest.sha256(of: [1])
            let path = "/v2/\(repository)/blobs/uploads/\(unknownID)" + (method == .put ? "?digest=\(digest)" : "")
            let body: [UInt8]? = [.patch, .put].contains(method) ? [1] : nil
            let response = try await registry.request(method, path, body: body)
            expectOCIError(response, .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// Upload ids become file names: only the exact lower-case form zotd handed out names the session.
    @Test func uploadIDInAnotherCaseIs404BlobUploadUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let id = try #require(location.split(separator: "/").last)
            let response = try await registry.get("/v2/\(repository)/blobs/uploads/\(id.uppercased())")
            expectOCIError(response, .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }

    /// A session belongs to the repository that opened it.
    @Test func uploadOfOneRepositoryIsUnknownInAnother() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let other = location.replacingOccurrences(of: "/v2/\(repository)/", with: "/v2/uploads/other/")
            try await registry.pushBlob(randomBytes(10), to: "uploads/other")
            expectOCIError(try await registry.get(other), .notFound, "BLOB_UPLOAD_UNKNOWN")
        }
    }
}
