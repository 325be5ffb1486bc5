import Foundation
import HTTPTypes
import Hummingbird
import Storage

extension Request {
    /// The declared body length, when the client sent `Content-Length`.
    var declaredLength: Int64? {
        headers[.contentLength].flatMap { Int64($0) }
    }

    /// The path as it is routed: percent-decoded, since clients may escape `:` in digests or `/` in names (zot
    /// matches decoded paths too). Auth checks the repository named here, which is the one the route serves.
    var routedPath: String {
        let path = uri.path
        guard path.contains("%") else { return path }
        return path.removingPercentEncoding ?? path
    }

    /// A query parameter, if present.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}

/// Validation of the raw parts of a path, each failure with its own OCI code.
enum PathPart {
    static func repository(_ raw: String) throws -> RepositoryName {
        try RepositoryName(parsing: raw)
    }

    static func digest(_ raw: String) throws -> Digest {
        try Digest(parsing: raw)
    }
}

extension HTTPFields {
    /// `Range: 0-<last byte>` as the distribution spec reports an upload's progress.
    static func uploadProgress(offset: Int64) -> String {
        offset > 0 ? "0-\(offset - 1)" : "0-0"
    }
}
