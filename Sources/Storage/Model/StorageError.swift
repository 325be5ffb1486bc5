/// Everything the storage layer can refuse or fail with, as typed values.
///
/// The HTTP layer maps each case to an OCI error code in one place; storage itself knows
/// nothing of status codes.
public enum StorageError: Error, Equatable, Sendable {
    case digestInvalid(String)
    case digestUnsupported(String)
    /// The content's digest is not the one the client claimed.
    case digestMismatch(expected: Digest, actual: Digest)
    case nameInvalid(String)
    case nameUnknown(RepositoryName)
    case tagInvalid(String)
    case blobUnknown(Digest)
    case uploadUnknown(String)
    /// A chunk did not start where the upload stands (`expectedOffset`).
    case uploadRangeInvalid(expectedOffset: Int64, detail: String)
    /// The body did not match its declared length, or the upload is otherwise unusable.
    case uploadInvalid(String)
    /// Another request is writing to this upload right now.
    case uploadBusy(String)
    /// `owner` already holds `limit` open upload sessions.
    case tooManyUploadSessions(owner: String, limit: Int)
    case manifestUnknown(String)
    case manifestInvalid(String)
    /// A manifest `PUT` whose `Content-Type` is missing (nil) or names no manifest type zotd stores.
    case manifestMediaTypeUnsupported(String?)
    case manifestBlobUnknown(Digest)
    case manifestTooLarge(limit: Int)
    /// A requested byte range lies outside the blob.
    case rangeNotSatisfiable(size: Int64)
    /// The disk or database failed; the detail is for logs.
    case io(String)
    /// The store behind zotd (an S3 endpoint) did not answer or said it cannot serve now: nothing was lost, and
    /// the same request may succeed later. The detail is for logs.
    case unavailable(String)
}

extension StorageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .digestInvalid(let s): "invalid digest \(s)"
        case .digestUnsupported(let s): "unsupported digest algorithm in \(s)"
        case .digestMismatch(let expected, let actual): "digest mismatch: expected \(expected), content is \(actual)"
        case .nameInvalid(let s): "invalid repository name \(s)"
        case .nameUnknown(let name): "repository \(name) is not known"
        case .tagInvalid(let s): "invalid tag \(s)"
        case .blobUnknown(let d): "blob \(d) is not known"
        case .uploadUnknown(let id): "upload \(id) is not known"
        case .uploadRangeInvalid(let offset, let detail): "chunk must start at offset \(offset): \(detail)"
        case .uploadInvalid(let s): "invalid upload: \(s)"
        case .uploadBusy(let id): "upload \(id) is being written by another request"
        case .tooManyUploadSessions(let owner, let limit):
            "\(owner) has \(limit) open upload sessions, the most allowed: finish or cancel one first"
        case .manifestUnknown(let r): "manifest \(r) is not known"
        case .manifestInvalid(let s): "invalid manifest: \(s)"
        case .manifestMediaTypeUnsupported(let type?):
            "Content-Type \(type.prefix(200)) is not a manifest media type (\(ManifestMediaType.acceptAll.joined(separator: ", ")))"
        case .manifestMediaTypeUnsupported(nil):
            "a manifest needs a Content-Type (\(ManifestMediaType.acceptAll.joined(separator: ", ")))"
        case .manifestBlobUnknown(let d): "manifest references unknown blob \(d)"
        case .manifestTooLarge(let limit): "manifest is larger than \(limit) bytes"
        case .rangeNotSatisfiable(let size): "range not satisfiable for a blob of \(size) bytes"
        case .io(let s): "storage failure: \(s)"
        case .unavailable(let s): "storage unavailable: \(s)"
        }
    }
}
