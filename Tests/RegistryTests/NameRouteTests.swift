import Foundation
import HTTPTypes
import Storage
import Testing

/// Repository names: valid, refused, unknown, and never a way out of the storage root.
@Suite struct NameRouteTests {
    static let invalidNames = [
        "UpperCase", "a//b", "-lead", "trail-", "a/../b", "..", "a/..", "a/./b", "under___three", "dot..dot",
        "sp%20ace", "a%2F..%2F..%2Fescape", String(repeating: "a", count: 256),
    ]
    static let validNames = [
        "a", "0", "a.b", "a_b", "a__b", "a-b", "a---b", "a/b/c/d/e/f", "x9/y.z-w_v", String(repeating: "a", count: 255),
    ]

    /// Spec: `<name>` "**must** match `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/…)*`", ≤ 255 characters in zot.
    @Test(arguments: invalidNames)
    func uploadToAnInvalidNameIs400NameInvalid(name: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.request(.post, "/v2/\(name)/blobs/uploads/")
            expectOCIError(response, .badRequest, "NAME_INVALID")
        }
    }

    /// The same rule for a manifest push.
    @Test(arguments: invalidNames)
    func manifestPutToAnInvalidNameIs400NameInvalid(name: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.putManifest(TestImage.make().manifest, to: name, as: "latest")
            expectOCIError(response, .badRequest, "NAME_INVALID")
        }
    }

    /// Reads under an invalid name are refused too, never served; `a/` has an empty last component.
    @Test(arguments: ["Bad/tags/list", "Bad/manifests/latest", "Bad/blobs/\(Digest.sha256(of: [1]))", "a//tags/list"])
    func readUnderAnInvalidNameIs400NameInvalid(path: String) async throws {
        try await RouteTestRegistry.with { registry in
            expectOCIError(try await registry.get("/v2/\(path)"), .badRequest, "NAME_INVALID")
        }
    }

    /// The grammar allows one character, dots, `_` and `__`, runs of dashes, deep nesting, 255 characters.
    @Test(arguments: validNames)
    func unusualValidNameIsAccepted(name: String) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: name, as: "t")
            let response = try await registry.get("/v2/\(name)/manifests/t")
            #expect(response.bytes == image.manifest.bytes)
        }
    }

    /// Clients may escape `/` in a name: the path is matched decoded, as zot does.
    @Test func percentEncodedSlashInANameIsDecoded() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: "names%2Fencoded", as: "t")
            let response = try await registry.get("/v2/names/encoded/manifests/t")
            #expect(response.bytes == image.manifest.bytes)
        }
    }

    /// Spec end-8a: the tags of a repository never pushed to are 404 NAME_UNKNOWN.
    @Test func tagsOfAnUnknownRepositoryAre404NameUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            expectOCIError(try await registry.get("/v2/names/absent/tags/list"), .notFound, "NAME_UNKNOWN")
        }
    }

    /// Spec: pulling "a nonexistent repository MUST return […] `404`"; zotd names the resource it looked for.
    @Test(arguments: [
        (HTTPRequest.Method.get, "manifests/latest", "MANIFEST_UNKNOWN"),
        (.delete, "manifests/latest", "MANIFEST_UNKNOWN"),
        (.delete, "manifests/\(Digest.sha256(of: [2]))", "MANIFEST_UNKNOWN"),
        (.get, "blobs/\(Digest.sha256(of: [3]))", "BLOB_UNKNOWN"),
        (.delete, "blobs/\(Digest.sha256(of: [4]))", "BLOB_UNKNOWN"),
    ])
    func resourceOfAnUnknownRepositoryIs404(method: HTTPRequest.Method, resource: String, code: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.request(method, "/v2/names/absent/\(resource)")
            expectOCIError(response, .notFound, code)
        }
    }

    /// The server "must not touch files outside its root": traversal on every endpoint, no 5xx, nothing beside it.
    @Test(arguments: ["..", "a/..", "../escape", "a/../../escape", "..%2F..%2Fescape", "a%2F..%2F..%2Fe", "%2e%2e"])
    func traversalNameNeverTouchesFilesOutsideTheRoot(name: String) async throws {
        try await RouteTestRegistry.with { registry in
            let digest = Digest.sha256(of: Array("x".utf8))
            let requests: [(HTTPRequest.Method, String)] = [
                (.post, "blobs/uploads/?digest=\(digest)"), (.put, "manifests/latest"), (.get, "tags/list"),
                (.get, "blobs/\(digest)"), (.delete, "manifests/latest"), (.get, "referrers/\(digest)"),
            ]
            for (method, resource) in requests {
                let path = "/v2/\(name)/\(resource)"
                let response = try await registry.request(
                    method, path, headers: [.contentType: MediaType.ociManifest], body: Array("x".utf8))
                #expect(response.status.code < 500, "\(method) \(path): \(response.status)")
            }
            let sandbox = registry.root.deletingLastPathComponent().path
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox) == ["root"])
        }
    }
}
