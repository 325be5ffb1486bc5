/// The OCI endpoint a request path names, with its raw (not yet validated) parts.
///
/// Repository names contain slashes, so paths are matched from the end: what precedes the
/// endpoint's fixed segments is the name. Validation of names, digests and references is
/// left to the handlers, so that each failure gets its own OCI code.
public enum RegistryEndpoint: Equatable, Sendable {
    case base
    case catalog
    case tags(name: String)
    case manifest(name: String, reference: String)
    case blob(name: String, digest: String)
    case uploads(name: String)
    case upload(name: String, id: String)
    case referrers(name: String, digest: String)
    /// The legacy ORAS artifacts path `/oras/artifacts/v1/<name>/manifests/<digest>/referrers`.
    case orasReferrers(name: String, digest: String)

    /// Nil when the path is not an OCI endpoint (extensions, health, or nothing at all).
    public init?(path: String) {
        if path == "/v2" || path == "/v2/" {
            self = .base
            return
        }
        if path == "/v2/_catalog" {
            self = .catalog
            return
        }
        if path.hasPrefix("/oras/artifacts/v1/") {
            let segments = path.dropFirst("/oras/artifacts/v1/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 4, segments[segments.count - 3] == "manifests", segments.last == "referrers" else {
                return nil
            }
            self = .orasReferrers(name: Self.join(segments.dropLast(3)), digest: String(segments[segments.count - 2]))
            return
        }
        // `/v2/_...` belongs to extensions (`_oci`, `_zot`): no repository name starts with `_`.
        guard path.hasPrefix("/v2/"), !path.hasPrefix("/v2/_") else { return nil }
        let segments = path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false)
        let count = segments.count
        guard count >= 3 else { return nil }
        let last = String(segments[count - 1])
        let secondLast = segments[count - 2]
        if count >= 4, segments[count - 3] == "blobs", secondLast == "uploads" {
            let name = Self.join(segments.dropLast(3))
            self = last.isEmpty ? .uploads(name: name) : .upload(name: name, id: last)
            return
        }
        let name = Self.join(segments.dropLast(2))
        switch secondLast {
        case "tags" where last == "list": self = .tags(name: name)
        case "blobs" where last == "uploads": self = .uploads(name: name)
        case "manifests": self = .manifest(name: name, reference: last)
        case "blobs": self = .blob(name: name, digest: last)
        case "referrers": self = .referrers(name: name, digest: last)
        default: return nil
        }
    }

    private static func join(_ segments: ArraySlice<Substring>) -> String {
        segments.joined(separator: "/")
    }

    /// The repository named in the path, for endpoints that name one.
    public var repositoryName: String? {
        switch self {
        case .base, .catalog: nil
        case .tags(let name), .manifest(let name, _), .blob(let name, _), .uploads(let name), .upload(let name, _),
            .referrers(let name, _), .orasReferrers(let name, _):
            name
        }
    }
}
