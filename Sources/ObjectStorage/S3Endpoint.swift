import Foundation

/// Where a bucket is served, as zot's and distribution's `storageDriver` name it: `regionendpoint` (any
/// S3-compatible server; AWS's regional endpoint when absent), `secure`, `bucket`, `region`.
///
/// Requests use path-style addresses (`host/bucket/key`), which every S3-compatible server takes and AWS
/// still serves for buckets whose names are valid host names.
public struct S3Endpoint: Sendable, Equatable {
    public var secure: Bool
    public var host: String
    public var port: Int?
    public var bucket: String
    public var region: String

    /// - Parameter regionEndpoint: `host[:port]`, or a URL whose scheme overrides `secure`.
    public init(regionEndpoint: String?, bucket: String, region: String, secure: Bool = true) throws(S3Error) {
        self.bucket = bucket
        self.region = region
        var address = regionEndpoint ?? "s3.\(region).amazonaws.com"
        var secure = secure
        if address.hasPrefix("https://") {
            address.removeFirst("https://".count)
            secure = true
        } else if address.hasPrefix("http://") {
            address.removeFirst("http://".count)
            secure = false
        }
        while address.hasSuffix("/") { address.removeLast() }
        self.secure = secure
        if let colon = address.lastIndex(of: ":"), !address.hasSuffix("]"), let port = Int(address[address.index(after: colon)...]) {
            host = String(address[..<colon])
            // The Host header leaves out a scheme's own port: so must the signature.
            self.port = port == (secure ? 443 : 80) ? nil : port
        } else {
            host = address
            port = nil
        }
        guard !host.isEmpty, !bucket.isEmpty else {
            throw S3Error(status: 0, code: "InvalidEndpoint", message: "an S3 store needs a bucket and an endpoint")
        }
    }

    /// `host[:port]` as the `Host` header and the signature have it.
    public var authority: String { port.map { "\(host):\($0)" } ?? host }

    /// The path of `key` in the bucket, unencoded.
    func path(of key: String) -> String { key.isEmpty ? "/\(bucket)" : "/\(bucket)/\(key)" }

    /// The URL of `path` (unencoded) with `query`.
    func url(path: String, query: [(name: String, value: String)]) -> String {
        var url = "\(secure ? "https" : "http")://\(authority)\(S3URIEncoding.encode(path, keepingSlashes: true))"
        if !query.isEmpty {
            url += "?" + query.map { "\(S3URIEncoding.encode($0.name))=\(S3URIEncoding.encode($0.value))" }
                .joined(separator: "&")
        }
        return url
    }
}

/// An S3 request that failed: its status (0 when no answer came) and S3's error code.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public var description: String { "S3 \(status == 0 ? "request" : String(status)) \(code): \(message)" }

    /// No answer, or the server says it cannot serve now: worth a retry later, not a sign of bad data.
    public var isUnavailable: Bool { Self.isUnavailable(status: status) }

    /// Whether a status (0: no answer) says "try again later".
    static func isUnavailable(status: Int) -> Bool { [0, 500, 502, 503, 504].contains(status) }
}
