import HTTPTypes
import HummingbirdTesting
import Storage
import Testing

/// Cross-repository mount: `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>`.
@Suite struct MountRouteTests {
    let source = "mount/source"
    let target = "mount/target"

    /// Spec: "The response to a successful mount MUST be `201 Created`, and MUST contain `Location: <blob-location>`".
    @Test func mountOfAnExistingBlobIs201WithLocation() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(4000), to: source)
            let response = try await mount(registry, digest.description, from: source)
            #expect(response.status == .created)
            #expect(response.headers[OCIHeader.contentDigest] == digest.description)
            #expect(response.headers[.location] == "/v2/\(target)/blobs/\(digest)")
        }
    }

    /// After a mount the target serves the blob; it holds its own link, so a delete in the source leaves it readable.
    @Test func mountedBlobSurvivesItsDeletionFromTheSource() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(100)
            let digest = try await registry.pushBlob(data, to: source)
            _ = try await mount(registry, digest.description, from: source)
            let deleted = try await registry.delete("/v2/\(source)/blobs/\(digest)")
            #expect(deleted.status == .accepted)
            let response = try await registry.get("/v2/\(target)/blobs/\(digest)")
            #expect(response.status == .ok)
            #expect(response.bytes == data)
        }
    }

    /// Spec: "unable to mount the requested blob, it SHOULD return a `202`": an upload session the client may use.
    @Test func mountOfAMissingBlobFallsBackToAnUploadSession() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: source)
            let data = randomBytes(300)
            let response = try await mount(registry, Digest.sha256(of: data).description, from: source)
            #expect(response.status == .accepted)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("/v2/\(target)/blobs/uploads/"))
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data), data)
            #expect(completed.status == .created)
            let served = try await registry.get("/v2/\(target)/blobs/\(Digest.sha256(of: data))")
            #expect(served.bytes == data)
        }
    }

    /// A source repository that does not exist, or whose name is invalid, is a blob that cannot be mounted: 202.
    @Test(arguments: ["mount/nowhere", "Not/A/Name"])
    func mountFromAnUnusableSourceFallsBackTo202(from: String) async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(10), to: "mount/elsewhere")
            let response = try await mount(registry, digest.description, from: from)
            #expect(response.status == .accepted)
            #expect(response.headers[OCIHeader.uploadUUID] != nil)
        }
    }

    /// A blob held only by a third repository cannot be mounted from a source that lacks it: the target gains nothing.
    @Test func mountDoesNotExposeABlobTheSourceLacks() async throws {
        try await RouteTestRegistry.with { registry in
            let digest = try await registry.pushBlob(randomBytes(100), to: "mount/third")
            try await registry.pushBlob(randomBytes(10), to: source)
            let response = try await mount(registry, digest.description, from: source)
            #expect(response.status == .accepted)
            let stored = try await registry.head("/v2/\(target)/blobs/\(digest)")
            #expect(stored.status == .notFound)
        }
    }

    /// A `mount` parameter that is not a digest is 400 DIGEST_INVALID.
    @Test func mountOfAMalformedDigestIs400DigestInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushBlob(randomBytes(10), to: source)
            expectOCIError(try await mount(registry, "sha256:zz", from: source), .badRequest, "DIGEST_INVALID")
        }
    }

    private func mount(_ registry: RouteTestRegistry, _ digest: String, from: String) async throws -> TestResponse {
        try await registry.request(.post, "/v2/\(target)/blobs/uploads/?mount=\(digest)&from=\(from)")
    }
}
