import AsyncHTTPClient
import Config
import Foundation
import NIOSSL
import ObjectStorage
import Storage

/// The blob store of `storage.storageDriver` `s3`: the bucket checked once at start, so that a wrong endpoint,
/// bucket or key fails `zotd serve` at once rather than every push later.
enum ObjectStorageStartup {
    /// One HTTP client for the process's lifetime; its own only when the endpoint's certificate is not checked.
    static func blobStore(_ driver: S3DriverConfig, staging: LocalBlobStore) async throws -> S3BlobStore {
        let environment = ProcessInfo.processInfo.environment
        guard let accessKey = driver.accessKey ?? environment["AWS_ACCESS_KEY_ID"],
            let secretKey = driver.secretKey ?? environment["AWS_SECRET_ACCESS_KEY"]
        else {
            throw StorageError.io(
                "the s3 storage driver needs accesskey and secretkey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let client = S3Client(
            endpoint: try S3Endpoint(
                regionEndpoint: driver.regionEndpoint, bucket: driver.bucket, region: driver.region, secure: driver.secure),
            credentials: S3Credentials(
                accessKey: accessKey, secretKey: secretKey,
                sessionToken: driver.sessionToken ?? (driver.accessKey == nil ? environment["AWS_SESSION_TOKEN"] : nil)),
            http: driver.skipVerify ? unverifiedClient : .shared)
        let store = S3BlobStore(client: client, rootDirectory: driver.rootDirectory, staging: staging)
        do {
            _ = try await client.listObjects(prefix: store.blobsPrefix)
        } catch {
            throw StorageError.io("bucket \(driver.bucket) at \(client.endpoint.authority) cannot be listed: \(error)")
        }
        return store
    }

    private static let unverifiedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
