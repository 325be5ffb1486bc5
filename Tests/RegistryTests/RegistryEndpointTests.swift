import Testing

@testable import Registry

@Suite struct RegistryEndpointTests {
    @Test(arguments: [
        ("/v2/", RegistryEndpoint.base),
        ("/v2", .base),
        ("/v2/_catalog", .catalog),
        ("/v2/a/b/c/tags/list", .tags(name: "a/b/c")),
        ("/v2/a/manifests/latest", .manifest(name: "a", reference: "latest")),
        ("/v2/a/manifests/x/manifests/v1", .manifest(name: "a/manifests/x", reference: "v1")),
        ("/v2/a/b/blobs/sha256:00", .blob(name: "a/b", digest: "sha256:00")),
        ("/v2/a/b/blobs/uploads/", .uploads(name: "a/b")),
        ("/v2/a/b/blobs/uploads", .uploads(name: "a/b")),
        ("/v2/a/b/blobs/uploads/123", .upload(name: "a/b", id: "123")),
        ("/v2/a/referrers/sha256:00", .referrers(name: "a", digest: "sha256:00")),
        ("/oras/artifacts/v1/a/b/manifests/sha256:00/referrers", .orasReferrers(name: "a/b", digest: "sha256:00")),
        ("/v2//manifests/x", .manifest(name: "", reference: "x")),
    ])
    func matchesEndpointFromPathEnd(_ path: String, _ expected: RegistryEndpoint) {
        #expect(RegistryEndpoint(path: path) == expected)
    }

    /// Extension paths start with `/v2/_`: never a repository.
    @Test(arguments: ["/v2/_oci/ext/discover", "/v2/_zot/ext/search", "/metrics", "/livez", "/v2/a", "/v2/a/b", "/v2/a/unknown/x"])
    func leavesOtherPathsAlone(_ path: String) {
        #expect(RegistryEndpoint(path: path) == nil)
    }

    @Test func requestedRangeForms() throws {
        #expect(try ByteRange.requested("bytes=0-9", size: 100)?.get() == 0...9)
        #expect(try ByteRange.requested("bytes=90-", size: 100)?.get() == 90...99)
        #expect(try ByteRange.requested("bytes=-10", size: 100)?.get() == 90...99)
        #expect(try ByteRange.requested("bytes=50-500", size: 100)?.get() == 50...99)
        #expect(ByteRange.requested(nil, size: 100) == nil)
        #expect(ByteRange.requested("items=0-1", size: 100) == nil)
    }

    @Test func unsatisfiableRangeFails() {
        guard case .failure = ByteRange.requested("bytes=100-200", size: 100) else {
            Issue.record("expected unsatisfiable")
            return
        }
    }

    @Test func chunkRangeForms() {
        #expect(ByteRange.chunk("0-99") == 0...99)
        #expect(ByteRange.chunk("bytes 100-199/*") == 100...199)
        #expect(ByteRange.chunk("5-1") == nil)
        #expect(ByteRange.chunk("abc") == nil)
    }
}
