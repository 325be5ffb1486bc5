import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Registry
import Storage
import Testing

// In-process route tests: the real `RegistryServer` stack (logging, rate limit, auth, OCI dispatch, router) over
// a real store in a temporary directory, driven through Hummingbird's `.router` test framework. Sockets,
// sendfile, timeouts and real clients are the end-to-end suite's (Tests/e2e).

/// A registry under test: a client of its router, and the directory its store lives in.
struct RouteTestRegistry: Sendable {
    let client: any TestClientProtocol
    /// The storage root, alone in a directory of its own (`root.deletingLastPathComponent()`).
    let root: URL

    /// Runs `test` against a registry over a fresh store, removed afterwards.
    static func with(_ test: @Sendable (RouteTestRegistry) async throws -> Void) async throws {
        let sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-routes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let root = sandbox.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = try RegistryStore.local(root: root.path, durable: false)
        let server = RegistryServer(
            options: .init(address: "127.0.0.1", port: 0, garbageCollection: false, gcDelay: .seconds(3600),
                gcInterval: .seconds(3600)),
            store: store,
            logger: Logger(label: "route-tests") { _ in SwiftLogNoOpLogHandler() }
        )
        try await server.makeApplication().test(.router) { client in
            try await test(RouteTestRegistry(client: client, root: root))
        }
    }

    // MARK: Requests

    func request(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: [UInt8]? = nil)
        async throws -> TestResponse
    {
        try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await request(.get, path, headers: headers)
    }

    func head(_ path: String) async throws -> TestResponse { try await request(.head, path) }

    func delete(_ path: String) async throws -> TestResponse { try await request(.delete, path) }

    // MARK: Pushing

    /// Pushes `bytes` monolithically (`POST ?digest=`) and requires the 201.
    @discardableResult
    func pushBlob(_ bytes: [UInt8], to repository: String) async throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        let response = try await request(.post, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", body: bytes)
        try #require(response.status == .created, "pushing a blob to \(repository): \(response.text)")
        return digest
    }

    /// Opens an upload session and returns its `Location`.
    func startUpload(in repository: String) async throws -> String {
        let response = try await request(.post, "/v2/\(repository)/blobs/uploads/")
        try #require(response.status == .accepted, "starting an upload in \(repository): \(response.text)")
        return try #require(response.headers[.location])
    }

    /// `PATCH`es `bytes` to an upload: streamed, or with `Content-Range: <start>-<end>` when `start` is given.
    func patchChunk(_ location: String, _ bytes: [UInt8], start: Int? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        if let start { headers[.contentRange] = "\(start)-\(start + bytes.count - 1)" }
        return try await request(.patch, location, headers: headers, body: bytes)
    }

    /// The closing `PUT ?digest=` of an upload, with a last chunk when `bytes` is not empty.
    func completeUpload(_ location: String, digest: Digest, _ bytes: [UInt8] = [], headers: HTTPFields = [:])
        async throws -> TestResponse
    {
        try await request(.put, "\(location)?digest=\(digest)", headers: headers, body: bytes)
    }

    /// `PUT`s `manifest` under `reference` with its own media type as `Content-Type`, unless told another.
    func putManifest(
        _ manifest: TestManifest, to repository: String, as reference: String, contentType: String? = nil
    ) async throws -> TestResponse {
        try await request(
            .put, "/v2/\(repository)/manifests/\(reference)",
            headers: [.contentType: contentType ?? manifest.mediaType], body: manifest.bytes)
    }

    /// Pushes the image's blobs, then its manifest under `reference` (by default its digest), and requires the 201.
    @discardableResult
    func pushImage(_ image: TestImage, to repository: String, as reference: String? = nil) async throws
        -> TestResponse
    {
        for blob in image.blobs { try await pushBlob(blob, to: repository) }
        return try await pushManifest(image.manifest, to: repository, as: reference)
    }

    /// Pushes a manifest whose references are already stored, and requires the 201.
    @discardableResult
    func pushManifest(_ manifest: TestManifest, to repository: String, as reference: String? = nil) async throws
        -> TestResponse
    {
        let response = try await putManifest(manifest, to: repository, as: reference ?? manifest.digest.description)
        try #require(response.status == .created, "pushing a manifest to \(repository): \(response.text)")
        return response
    }
}

// MARK: Responses

extension TestResponse {
    var bytes: [UInt8] { Array(body.readableBytesView) }
    var text: String { String(decoding: bytes, as: UTF8.self) }

    func json<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}

/// The spec's error envelope: `{"errors":[{"code","message","detail"}]}`.
struct OCIErrorEnvelope: Decodable {
    struct Entry: Decodable {
        var code: String
        var message: String
        var detail: String?
    }
    var errors: [Entry]
}

/// Expects `response` to be the error envelope with `status` and one error of `code`; returns it for its detail.
@discardableResult
func expectOCIError(
    _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> OCIErrorEnvelope.Entry? {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    guard let envelope = try? response.json(OCIErrorEnvelope.self) else {
        Issue.record("not an OCI error envelope: \(response.text)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(envelope.errors.map(\.code) == [code], sourceLocation: sourceLocation)
    #expect(envelope.errors.first?.message.isEmpty == false, sourceLocation: sourceLocation)
    return envelope.errors.first
}

/// `GET /v2/<name>/tags/list`'s body.
struct TagList: Decodable, Equatable {
    var name: String
    var tags: [String]
}

/// Header names as the spec spells them, written out here so that a misspelt server constant fails the tests.
enum OCIHeader {
    static let contentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let uploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let apiVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let subject = HTTPField.Name("OCI-Subject")!
    static let tag = HTTPField.Name("OCI-Tag")!
    static let filtersApplied = HTTPField.Name("OCI-Filters-Applied")!
    static let link = HTTPField.Name("Link")!
}

/// `count` random bytes: content no registry has seen.
func randomBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: .min ... .max) }
}
