import AsyncHTTPClient
import Foundation
import Logging
import ObjectStorage
import PostgresMetadata
import PostgresTestSupport
import PostgresNIO

@testable import Storage

/// The backends every conformance test runs on, each test taking one as its argument: a new backend (S3,
/// PostgreSQL) joins every suite by adding a case here.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Blob files on disk and SQLite, in a temporary folder.
    case local
    case inMemory
    /// Blobs in the S3 store `scripts/s3-test-store.sh` starts (`make test-scale`), metadata in SQLite; only
    /// when `S3_ENDPOINT` names one.
    case s3
    /// Blob files on disk, metadata in a database of its own on the PostgreSQL server `scripts/pg-test-store.sh`
    /// starts (`make test`); only when `PG_URL` names one.
    case postgres

    static var allCases: [Backend] {
        [.local, .inMemory] + (S3TestBucket.configured == nil ? [] : [.s3])
            + (PostgresTestServer.url == nil ? [] : [.postgres])
    }

    var description: String { rawValue }

    /// A fresh, empty store of this backend.
    func open() async throws -> OpenedBackend {
        switch self {
        case .local:
            let root = TemporaryRoot()
            return OpenedBackend(registry: try root.open(), root: root)
        case .inMemory:
            return OpenedBackend(registry: .inMemory(), root: nil)
        case .s3:
            let root = TemporaryRoot()
            let layout = BlobLayout(root: root.path)
            let blobs = S3BlobStore(
                client: try S3TestBucket.client(), rootDirectory: "conformance/\(UUID().uuidString)",
                staging: try LocalBlobStore(layout: layout))
            let metadata = try SQLiteMetadataStore(path: layout.databasePath, durable: false)
            return OpenedBackend(registry: RegistryStore(blobs: blobs, metadata: metadata, durable: false), root: root)
        case .postgres:
            let root = TemporaryRoot()
            let blobs = try LocalBlobStore(layout: BlobLayout(root: root.path))
            let metadata = try await PostgresMetadataStore.connect(
                url: try await PostgresTestServer.freshDatabase(), maximumConnections: 4, logger: Logger(label: "test"))
            return OpenedBackend(registry: RegistryStore(blobs: blobs, metadata: metadata, durable: false), root: root)
        }
    }
}

/// One backend's fresh store, holding the temporary folder a local one lives in: the folder goes with it.
final class OpenedBackend {
    let registry: RegistryStore
    private let root: TemporaryRoot?

    init(registry: RegistryStore, root: TemporaryRoot?) {
        self.registry = registry
        self.root = root
    }

    var blobs: any BlobStore { registry.blobs }
    var metadata: any MetadataStore { registry.metadata }
}

extension StorageError {
    /// Whether this is an I/O failure, whatever its detail: backends word theirs differently.
    var isIO: Bool {
        if case .io = self { return true }
        return false
    }
}

/// The bucket the S3 backend's tests share (each test under its own prefix), from the variables
/// `scripts/start-s3.sh` prints.
enum S3TestBucket {
    static let bucket = "zotd-conformance"

    static var configured: (endpoint: String, accessKey: String, secretKey: String)? {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["S3_ENDPOINT"], let accessKey = environment["S3_ACCESS_KEY"],
            let secretKey = environment["S3_SECRET_KEY"]
        else { return nil }
        return (endpoint, accessKey, secretKey)
    }

    static func client() throws -> S3Client {
        guard let configured else { throw StorageError.io("S3_ENDPOINT is not set") }
        return S3Client(
            endpoint: try S3Endpoint(regionEndpoint: configured.endpoint, bucket: bucket, region: "us-east-1"),
            credentials: S3Credentials(accessKey: configured.accessKey, secretKey: configured.secretKey),
            http: .shared)
    }
}
