import Crypto
import Foundation
import Storage

/// AWS Signature Version 4 for S3 requests: the `Authorization` header of a request, or the query of a
/// presigned URL (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
///
/// Pure: the same request, credentials and time give the same signature, which is how it is tested against
/// AWS's published examples.
struct SignatureV4: Sendable {
    let credentials: S3Credentials
    let region: String
    let service = "s3"

    /// A request as SigV4 sees it. `path` is the object's path before encoding (`/bucket/key`).
    struct Request {
        var method: String
        var host: String
        var path: String
        var query: [(name: String, value: String)] = []
        /// Headers to sign besides `host`, `x-amz-date` and `x-amz-content-sha256`, which `sign` adds.
        var headers: [(name: String, value: String)] = []
        /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        var payloadHash: String
    }

    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The headers to send with `request`: its own, plus `host`, `x-amz-date`, `x-amz-content-sha256`, a
    /// session token if any, and `authorization`.
    func sign(_ request: Request, at date: Date) -> [(name: String, value: String)] {
        let stamp = Timestamp(date)
        var headers = request.headers
        headers.append(("host", request.host))
        headers.append(("x-amz-date", stamp.full))
        headers.append(("x-amz-content-sha256", request.payloadHash))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let canonical = CanonicalRequest(
            method: request.method, path: request.path, query: request.query, headers: headers,
            payloadHash: request.payloadHash)
        let signature = signature(of: canonical, at: stamp)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope(stamp)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return headers.filter { $0.name != "host" } + [("authorization", authorization)]
    }

    /// The query that makes `request` (whose headers are only `host`) a URL valid for `expires` seconds.
    func presignedQuery(_ request: Request, at date: Date, expires: Int) -> [(name: String, value: String)] {
        let stamp = Timestamp(date)
        var query = request.query
        query.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        query.append(("X-Amz-Credential", "\(credentials.accessKey)/\(scope(stamp))"))
        query.append(("X-Amz-Date", stamp.full))
        query.append(("X-Amz-Expires", String(expires)))
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        query.append(("X-Amz-SignedHeaders", "host"))
        let canonical = CanonicalRequest(
            method: request.method, path: request.path, query: query, headers: [("host", request.host)],
            payloadHash: Self.unsignedPayload)
        return query + [("X-Amz-Signature", signature(of: canonical, at: stamp))]
    }

    func signature(of canonical: CanonicalRequest, at stamp: Timestamp) -> String {
        let stringToSign = "AWS4-HMAC-SHA256\n\(stamp.full)\n\(scope(stamp))\n"
            + SHA256.hash(data: Data(canonical.text.utf8)).hexString
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretKey)".utf8))
        for part in [stamp.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
    }

    private func scope(_ stamp: Timestamp) -> String { "\(stamp.day)/\(region)/\(service)/aws4_request" }

    /// `20130524T000000Z` and `20130524`, in UTC.
    struct Timestamp {
        let full: String
        let day: String

        init(_ date: Date) {
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
            day = String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day)
            full = day + "T" + two(parts.hour) + two(parts.minute) + two(parts.second) + "Z"
        }
    }
}

/// The canonical form of a request that SigV4 hashes.
struct CanonicalRequest {
    let text: String
    let signedHeaders: String

    init(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        payloadHash: String
    ) {
        let encoded: [(name: String, value: String)] = query.map {
            (S3URIEncoding.encode($0.name), S3URIEncoding.encode($0.value))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        let encodedQuery = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let lowered: [(name: String, value: String)] = headers.map { ($0.name.lowercased(), Self.trimmed($0.value)) }
        let canonicalHeaders = lowered.sorted { a, b in a.name < b.name }
        signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        text = [
            method,
            S3URIEncoding.encode(path, keepingSlashes: true),
            encodedQuery,
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
    }

    /// Leading and trailing spaces dropped, runs of spaces made one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

/// S3's percent-encoding: every byte but the unreserved `A-Z a-z 0-9 - . _ ~` (and `/` in a path) as `%XX`.
enum S3URIEncoding {
    static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepingSlashes:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// An access key pair, with the session token of temporary credentials.
public struct S3Credentials: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }
}
