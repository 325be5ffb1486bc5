import HTTPTypes
import Hummingbird
import Storage

/// What the handlers share.
struct OperationEnvironment: Sendable {
    let store: RegistryStore
    let extensions: ExtensionSet
    /// `http.maxUploadSessionsPerClient`.
    let uploadSessionLimit: Int
    /// `storage.redirectBlobURL`: blob GETs answered with a redirect to the backend, where it keeps URLs.
    var redirectBlobs = false
}

/// Everything one operation means, side by side.
struct OperationDeclaration: Sendable {
    typealias Handler = @Sendable (OperationEnvironment, Request, RegistryRequestContext) async throws -> Response

    /// What the caller needs; `AuthResponder` judges it before the handler runs.
    var access: RouteAccess
    /// The reference the audit log records for a request that changes something.
    var auditReference: @Sendable (Request) -> String? = { _ in nil }
    /// What a successful answer tells the extensions.
    var event: @Sendable (Request, Response) -> RegistryEvent? = { _, _ in nil }
    var handle: Handler
}

extension RegistryOperation {
    /// The one table: access, audit, event and handler of every OCI operation (as zot maps the actions:
    /// reads read, blob uploads create, a manifest push creates, deletes delete).
    var declaration: OperationDeclaration {
        switch self {
        case .versionCheck:
            OperationDeclaration(access: .anyCaller) { _, request, _ in BaseRoutes().base(request) }
        case .listCatalog:
            // The route lists only what the caller may read.
            OperationDeclaration(access: .catalog) { environment, request, context in
                try await ListingRoutes(store: environment.store).catalog(request, for: context.caller)
            }
        case .listTags(let name):
            OperationDeclaration(access: .repository(.read, name)) { environment, request, _ in
                try await ListingRoutes(store: environment.store).tags(request, name: name)
            }
        case .pullManifest(let name, let reference):
            OperationDeclaration(
                access: .repository(.read, name),
                event: { request, response in
                    guard request.method == .get, response.status == .ok else { return nil }
                    return .imagePulled(repository: name, reference: reference)
                },
                handle: { environment, request, _ in
                    try await ManifestRoutes(environment).get(request, name: name, reference: reference)
                })
        case .pushManifest(let name, let reference):
            // Moving a tag that points at other content needs `update` too: the route asks for it once it has
            // the body (zot leaves `latest` movable by `create`). The route announces the push itself: only it
            // holds the stored bytes.
            OperationDeclaration(
                access: .repository(.create, name),
                auditReference: { _ in reference },
                handle: { environment, request, context in
                    try await ManifestRoutes(environment).put(request, name: name, reference: reference, context: context)
                })
        case .deleteManifest(let name, let reference):
            OperationDeclaration(
                access: .repository(.delete, name),
                auditReference: { _ in reference },
                event: { _, response in
                    response.status == .accepted ? .manifestDeleted(repository: name, reference: reference) : nil
                },
                handle: { environment, _, _ in
                    try await ManifestRoutes(environment).delete(name: name, reference: reference)
                })
        case .pullBlob(let name, let digest):
            OperationDeclaration(access: .repository(.read, name)) { environment, request, context in
                try await BlobRoutes(
                    store: environment.store, missingContent: environment.extensions.missingContent,
                    redirects: environment.redirectBlobs
                ).get(request, name: name, digest: digest, channel: context.channel)
            }
        case .deleteBlob(let name, let digest):
            OperationDeclaration(access: .repository(.delete, name), auditReference: { _ in digest }) {
                environment, _, _ in try await BlobRoutes(store: environment.store).delete(name: name, digest: digest)
            }
        case .startUpload(let name):
            // A mount from a repository the caller may not read falls back to an upload: the route asks.
            OperationDeclaration(
                access: .repository(.create, name),
                auditReference: { request in request.query("digest") ?? request.query("mount") },
                event: Self.blobPushed(name),
                handle: { environment, request, context in
                    try await UploadRoutes(environment).start(request, name: name, context: context)
                })
        case .writeUpload(let name, let id):
            OperationDeclaration(access: .repository(.create, name), auditReference: { $0.query("digest") }) {
                environment, request, _ in try await UploadRoutes(environment).patch(request, name: name, id: id)
            }
        case .completeUpload(let name, let id):
            OperationDeclaration(
                access: .repository(.create, name),
                auditReference: { $0.query("digest") },
                event: Self.blobPushed(name),
                handle: { environment, request, _ in
                    try await UploadRoutes(environment).complete(request, name: name, id: id)
                })
        case .uploadStatus(let name, let id):
            OperationDeclaration(access: .repository(.read, name)) { environment, _, _ in
                try await UploadRoutes(environment).status(name: name, id: id)
            }
        case .cancelUpload(let name, let id):
            OperationDeclaration(access: .repository(.delete, name)) { environment, _, _ in
                try await UploadRoutes(environment).cancel(name: name, id: id)
            }
        case .listReferrers(let name, let digest):
            OperationDeclaration(access: .repository(.read, name)) { environment, request, _ in
                try await ReferrerRoutes(store: environment.store).referrers(request, name: name, digest: digest)
            }
        case .listOrasReferrers(let name, let digest):
            OperationDeclaration(access: .repository(.read, name)) { environment, request, _ in
                try await ReferrerRoutes(store: environment.store).orasReferrers(request, name: name, digest: digest)
            }
        }
    }

    private static func blobPushed(_ name: String) -> @Sendable (Request, Response) -> RegistryEvent? {
        { _, response in
            guard response.status == .created,
                let digest = response.headers[.dockerContentDigest].flatMap({ try? Digest(parsing: $0) })
            else { return nil }
            return .blobPushed(repository: name, digest: digest)
        }
    }
}
