/// `storage.storageDriver`: where blobs live. Absent or `{"name": "local"}`: under `rootDirectory`.
public enum StorageDriverConfig: Sendable, Equatable {
    case local
    case s3(S3DriverConfig)
}

/// The `s3` driver as zot and distribution spell it. zotd always addresses the bucket path-style and signs
/// with SigV4.
public struct S3DriverConfig: Sendable, Equatable {
    public var region: String
    public var bucket: String
    /// Any S3-compatible server (`host:port` or a URL); AWS's endpoint for `region` when absent.
    public var regionEndpoint: String?
    /// The prefix of zotd's keys in the bucket.
    public var rootDirectory: String
    /// Absent: the environment's `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, as distribution falls back.
    public var accessKey: String?
    public var secretKey: String?
    public var sessionToken: String?
    /// HTTPS to the endpoint (default), unless `regionEndpoint` names its scheme.
    public var secure: Bool
    /// Accept any certificate from the endpoint.
    public var skipVerify: Bool

    public init(
        region: String, bucket: String, regionEndpoint: String? = nil, rootDirectory: String = "",
        accessKey: String? = nil, secretKey: String? = nil, sessionToken: String? = nil, secure: Bool = true,
        skipVerify: Bool = false
    ) {
        self.region = region
        self.bucket = bucket
        self.regionEndpoint = regionEndpoint
        self.rootDirectory = rootDirectory
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.secure = secure
        self.skipVerify = skipVerify
    }
}

extension StorageDriverConfig {
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        let name = try reader.string("name")?.lowercased() ?? "local"
        switch name {
        case "local":
            _ = try reader.string("rootdirectory")
            self = .local
        case "s3":
            self = .s3(try S3DriverConfig(reading: &reader))
        default:
            // The refusal table names the driver first; this only guards a reader used without it.
            throw .invalid(keyPath: reader.path.appending("name").description, expected: "\"local\" or \"s3\"", got: "\"\(name)\"")
        }
        warnings += reader.unknownKeyWarnings()
    }
}

extension S3DriverConfig {
    init(reading reader: inout ConfigReader) throws(ConfigError) {
        func required(_ key: String, _ reader: inout ConfigReader) throws(ConfigError) -> String {
            guard let value = try reader.string(key), !value.isEmpty else {
                throw .missing(keyPath: reader.path.appending(key).description, expected: "the S3 \(key)")
            }
            return value
        }
        self.init(region: try required("region", &reader), bucket: try required("bucket", &reader))
        regionEndpoint = try reader.string("regionendpoint").flatMap { $0.isEmpty ? nil : $0 }
        rootDirectory = try reader.string("rootdirectory") ?? ""
        accessKey = try reader.string("accesskey").flatMap { $0.isEmpty ? nil : $0 }
        secretKey = try reader.string("secretkey").flatMap { $0.isEmpty ? nil : $0 }
        sessionToken = try reader.string("sessiontoken").flatMap { $0.isEmpty ? nil : $0 }
        secure = try reader.bool("secure") ?? true
        skipVerify = try reader.bool("skipverify") ?? false
        // Path-style addressing and SigV4 are what zotd does; saying so is fine, asking otherwise is not.
        if try reader.bool("forcepathstyle") == false {
            throw .invalid(
                keyPath: reader.path.appending("forcepathstyle").description,
                expected: "true or absent (zotd addresses buckets path-style)", got: "false")
        }
        if try reader.bool("v4auth") == false {
            throw .invalid(
                keyPath: reader.path.appending("v4auth").description,
                expected: "true or absent (zotd signs with SigV4 only)", got: "false")
        }
        let encrypt = try reader.bool("encrypt") ?? false
        let keyID = try reader.string("keyid") ?? ""
        if encrypt || !keyID.isEmpty {
            throw .invalid(
                keyPath: reader.path.appending("encrypt").description,
                expected: "false or absent (server-side encryption is not supported yet)", got: "true")
        }
    }
}
