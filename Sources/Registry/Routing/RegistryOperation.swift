import HTTPTypes

/// One operation of the OCI distribution API: an endpoint and a method. What each one means (the access it
/// needs, what the audit log records, the event it posts, and its handler) is declared once, in
/// `RegistryOperation+Declaration.swift`.
enum RegistryOperation: Equatable, Sendable {
    case versionCheck
    case listCatalog
    case listTags(name: String)
    /// `GET` and `HEAD`.
    case pullManifest(name: String, reference: String)
    case pushManifest(name: String, reference: String)
    case deleteManifest(name: String, reference: String)
    /// `GET` and `HEAD`.
    case pullBlob(name: String, digest: String)
    case deleteBlob(name: String, digest: String)
    /// `POST`: a new session, a monolithic push (`?digest=`) or a mount (`?mount=&from=`).
    case startUpload(name: String)
    /// `PATCH`.
    case writeUpload(name: String, id: String)
    /// `PUT ?digest=`, with or without a last chunk.
    case completeUpload(name: String, id: String)
    case uploadStatus(name: String, id: String)
    case cancelUpload(name: String, id: String)
    case listReferrers(name: String, digest: String)
    case listOrasReferrers(name: String, digest: String)

    /// Nil when the endpoint is not served with this method (405 UNSUPPORTED).
    init?(_ endpoint: RegistryEndpoint, method: HTTPRequest.Method) {
        let read = method == .get || method == .head
        switch (endpoint, method) {
        case (.base, _) where read: self = .versionCheck
        case (.catalog, .get): self = .listCatalog
        case (.tags(let name), .get): self = .listTags(name: name)
        case (.manifest(let name, let reference), _) where read: self = .pullManifest(name: name, reference: reference)
        case (.manifest(let name, let reference), .put): self = .pushManifest(name: name, reference: reference)
        case (.manifest(let name, let reference), .delete): self = .deleteManifest(name: name, reference: reference)
        case (.blob(let name, let digest), _) where read: self = .pullBlob(name: name, digest: digest)
        case (.blob(let name, let digest), .delete): self = .deleteBlob(name: name, digest: digest)
        case (.uploads(let name), .post): self = .startUpload(name: name)
        case (.upload(let name, let id), .patch): self = .writeUpload(name: name, id: id)
        case (.upload(let name, let id), .put): self = .completeUpload(name: name, id: id)
        case (.upload(let name, let id), .get): self = .uploadStatus(name: name, id: id)
        case (.upload(let name, let id), .delete): self = .cancelUpload(name: name, id: id)
        case (.referrers(let name, let digest), .get): self = .listReferrers(name: name, digest: digest)
        case (.orasReferrers(let name, let digest), .get): self = .listOrasReferrers(name: name, digest: digest)
        default: return nil
        }
    }
}

extension RegistryEndpoint {
    /// What a method the endpoint does not serve needs before it is told so (405): as much as reading it, so
    /// that the answer tells nobody more than a read would.
    var accessForUnservedMethods: RouteAccess {
        switch self {
        case .base: .anyCaller
        case .catalog: .catalog
        case .tags(let name), .manifest(let name, _), .blob(let name, _), .uploads(let name), .upload(let name, _),
            .referrers(let name, _), .orasReferrers(let name, _):
            .repository(.read, name)
        }
    }
}
