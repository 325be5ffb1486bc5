import HTTPTypes

/// The distribution spec's error codes, each with its HTTP status and message: the one table.
public enum OCIErrorCode: String, Sendable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
    /// Not in the spec's table, but distribution and zot answer 5xx failures with it.
    case unknown = "UNKNOWN"
    /// Not in the spec's table either: distribution's code for a backend that did not answer (503).
    case unavailable = "UNAVAILABLE"

    public var status: HTTPResponse.Status {
        switch self {
        case .blobUnknown, .blobUploadUnknown, .manifestBlobUnknown, .manifestUnknown, .nameUnknown: .notFound
        case .blobUploadInvalid, .digestInvalid, .manifestInvalid, .nameInvalid, .sizeInvalid: .badRequest
        case .unauthorized: .unauthorized
        case .denied: .forbidden
        case .unsupported: .methodNotAllowed
        case .tooManyRequests: .tooManyRequests
        case .unknown: .internalServerError
        case .unavailable: .serviceUnavailable
        }
    }

    public var message: String {
        switch self {
        case .blobUnknown: "blob unknown to registry"
        case .blobUploadInvalid: "blob upload invalid"
        case .blobUploadUnknown: "blob upload unknown to registry"
        case .digestInvalid: "provided digest did not match uploaded content"
        case .manifestBlobUnknown: "manifest references a manifest or blob unknown to registry"
        case .manifestInvalid: "manifest invalid"
        case .manifestUnknown: "manifest unknown to registry"
        case .nameInvalid: "invalid repository name"
        case .nameUnknown: "repository name not known to registry"
        case .sizeInvalid: "provided length did not match content length"
        case .unauthorized: "authentication required"
        case .denied: "requested access to the resource is denied"
        case .unsupported: "the operation is unsupported"
        case .tooManyRequests: "too many requests"
        case .unknown: "unknown error"
        case .unavailable: "service unavailable"
        }
    }
}
