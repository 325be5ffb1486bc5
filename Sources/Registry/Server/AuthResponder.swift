import Auth
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Storage

/// Asks `Auth` the one question each request raises — who is this, and may they do this? — before anything
/// else sees the request, then answers 401 (with the challenge clients log in by), 403, or passes it on
/// with the caller in the context. Writes the audit line of every request that changes something.
///
/// Actions per endpoint, as zot maps them: `GET`/`HEAD` read; blob uploads (`POST`, `PATCH`, `PUT`) create;
/// a mount also needs read on `from`, without which it falls back to an ordinary upload as the spec says; a
/// manifest `PUT` creates, or updates when a tag it names already points at other content (zot leaves
/// `latest` movable by create); `DELETE` deletes. `GET /v2/_catalog` lists only what the caller may read.
struct AuthResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    let security: RegistrySecurity
    /// What each extension route declared it needs.
    let extensionAccess: RouteAccessTable
    let store: RegistryStore
    let logger: Logger
    let next: Next

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let authenticator = security.authenticator else {
            guard security.audit != nil else { return try await next.respond(to: request, context: context) }
            return try await forward(request, context, caller: .unrestricted)
        }
        var context = context
        var request = request
        let requirement: Requirement
        switch classify(request) {
        case .open:
            return try await forward(request, context, caller: .unrestricted)
        case .anonymousWithoutCredentials where request.headers[values: .authorization].isEmpty:
            let caller = Caller(identity: .anonymous, authorizer: authenticator.authorizer)
            return try await forward(request, context, caller: caller)
        case .anonymousWithoutCredentials:
            requirement = .anyCaller
        case .needs(let needed):
            requirement = needed
        case .manifestPush(let name, let reference):
            let identification = await authenticator.identify(authRequest(request, context))
            let verdict: Verdict
            (verdict, request) = try await judgeManifestPush(
                request, name: name, reference: reference, identification, authenticator)
            return try await answer(verdict, request, context)
        }
        let verdict = await authenticator.decide(authRequest(request, context), requirement)
        if case .allow(let caller) = verdict {
            context.caller = caller
            if requirement == .catalog, request.method == .get {
                return try await catalog(request, context)
            }
            if request.method == .post, case .uploads = RegistryEndpoint(path: Self.routedPath(request)),
                request.query("mount") != nil
            {
                request = Self.withoutMountUnlessReadable(request, caller)
            }
        }
        return try await answer(verdict, request, context)
    }

    // MARK: Classification

    private enum Guard {
        /// Served to anyone: health checks, CORS preflights.
        case open
        /// Served to anonymous callers when they send no credentials at all (zot's mgmt endpoint, which
        /// tells a login page how to log in).
        case anonymousWithoutCredentials
        case needs(Requirement)
        case manifestPush(name: String, reference: String)
    }

    private func classify(_ request: Request) -> Guard {
        let path = Self.routedPath(request)
        let method = request.method
        // CORS preflights carry no credentials and are answered without content.
        if method == .options { return .open }
        guard let endpoint = RegistryEndpoint(path: path) else {
            switch path {
            case "/livez", "/readyz", "/startupz": return .open
            case AuthRoutes.loginPath: return .needs(.passwordLogin)
            case AuthRoutes.apiKeyPath: return .needs(.signedIn)
            default:
                switch extensionAccess.access(forPath: path) {
                case .anonymousWithoutCredentials?: return .anonymousWithoutCredentials
                case .metrics?: return .needs(.metrics)
                case .anyCaller?, nil: return .needs(.anyCaller)
                }
            }
        }
        let read = method == .get || method == .head
        func needs(_ action: RepositoryAction, _ name: String) -> Guard {
            .needs(.permissions([Permission(action, on: name)]))
        }
        switch endpoint {
        case .base:
            return .needs(.anyCaller)
        case .catalog:
            return .needs(.catalog)
        case .tags(let name), .referrers(let name, _), .orasReferrers(let name, _):
            return needs(.read, name)
        case .manifest(let name, let reference):
            if method == .put { return .manifestPush(name: name, reference: reference) }
            return needs(method == .delete ? .delete : .read, name)
        case .blob(let name, _):
            return needs(method == .delete ? .delete : .read, name)
        case .uploads(let name):
            return needs(read ? .read : .create, name)
        case .upload(let name, _):
            return needs(method == .delete ? .delete : read ? .read : .create, name)
        }
    }

    /// The path as `RegistryResponder` routes it (percent-decoded): the repository checked here must be the
    /// repository served there, or `secret%2Fapp` would be checked as one name and served as another.
    static func routedPath(_ request: Request) -> String {
        RegistryResponder<Next>.decodedPath(request.uri.path)
    }

    // MARK: Manifest pushes

    /// `create` suffices unless a tag the push names exists and points elsewhere: moving it is `update`. The
    /// body is read (at most the manifest size limit) only when the caller lacks `update` and a tag exists,
    /// to learn whether the push moves it at all.
    private func judgeManifestPush(
        _ request: Request, name: String, reference: String, _ identification: Identification,
        _ authenticator: Authenticator
    ) async throws -> (Verdict, Request) {
        let create = Permission(.create, on: name)
        let extraTags = request.uri.queryParameters.getAll("tag").map { String($0) }
        let tags = (reference.contains(":") ? [] : [reference]) + extraTags
        let existing = currentTargets(of: tags, in: name)
        if existing.isEmpty {
            return (authenticator.judge(identification, .permissions([create])), request)
        }
        let withUpdate = authenticator.judge(identification, .permissions([create, Permission(.update, on: name)]))
        guard case .allow = authenticator.judge(identification, .permissions([create])) else {
            return (withUpdate, request)
        }
        if case .allow = withUpdate { return (withUpdate, request) }
        let pushed: Digest
        var buffered = request
        if let digest = try? Digest(parsing: reference) {
            pushed = digest
        } else {
            let bytes: [UInt8]
            do {
                bytes = try await ManifestRoutes.collect(request.body, limit: RegistryStore.manifestSizeLimit)
            } catch let error as StorageError {
                throw OCIError(error)
            }
            pushed = Digest.sha256(of: bytes)
            buffered = Request(head: request.head, body: .init(buffer: ByteBuffer(bytes: bytes)))
        }
        let moves = existing.values.contains { $0 != pushed }
        return (moves ? withUpdate : authenticator.judge(identification, .permissions([create])), buffered)
    }

    /// The digests the given tags point at now, for those that exist (`latest` aside, as in zot).
    private func currentTargets(of tags: [String], in name: String) -> [String: Digest] {
        guard let repository = try? RepositoryName(parsing: name) else { return [:] }
        var targets: [String: Digest] = [:]
        for raw in tags where raw != "latest" {
            guard let tag = try? Tag(parsing: raw), let manifest = try? store.manifest(.tag(tag), in: repository) else {
                continue
            }
            targets[raw] = manifest.digest
        }
        return targets
    }

    // MARK: Answering

    private func answer(_ verdict: Verdict, _ request: Request, _ context: RegistryRequestContext) async throws
        -> Response
    {
        let includeBody = request.method != .head
        switch verdict {
        case .allow(let caller):
            return try await forward(request, context, caller: caller)
        case .challenge(let header, let delay, let reason, let identity):
            logger.debug("unauthorized", metadata: ["path": .string(request.uri.path), "reason": .string(reason)])
            if delay > .zero { try? await Task.sleep(for: delay) }
            let response = OCIError(.unauthorized, headers: [.wwwAuthenticate: header]).response(includeBody: includeBody)
            record(request, context, identity: identity, status: response.status)
            return response
        case .deny(let caller, let missing):
            let detail = missing.map { "\(caller.identity) may not \($0.action.rawValue) \($0.repository)" }
            logger.debug("denied", metadata: ["path": .string(request.uri.path), "caller": "\(caller.identity)"])
            let response = OCIError(.denied, detail: detail).response(includeBody: includeBody)
            record(request, context, identity: caller.identity, status: response.status)
            return response
        case .failure(let reason):
            logger.error("cannot check credentials", metadata: ["reason": .string(reason)])
            let response = OCIError(.unknown).response(includeBody: includeBody)
            record(request, context, identity: nil, status: response.status)
            return response
        }
    }

    private func forward(_ request: Request, _ context: RegistryRequestContext, caller: Caller) async throws -> Response {
        var context = context
        context.caller = caller
        do {
            let response = try await next.respond(to: request, context: context)
            record(request, context, identity: caller.identity, status: response.status)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context, identity: caller.identity, status: status)
            throw error
        }
    }

    /// `GET /v2/_catalog` limited to the repositories the caller may read.
    private func catalog(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        let caller = context.caller
        let everything = caller.identity.method == .bearer && caller.mayListCatalog
        do {
            let response = try ListingRoutes(store: store).catalog(
                request, visible: everything ? nil : { caller.may(.read, on: $0) })
            record(request, context, identity: caller.identity, status: response.status)
            return response
        } catch let error as OCIError {
            return error.response(includeBody: true)
        } catch let error as StorageError {
            return OCIError(error).response(includeBody: true)
        }
    }

    /// A mount from a repository the caller may not read becomes an ordinary upload, as the spec has it for
    /// any mount that cannot be done: nothing tells the caller whether the blob exists there.
    private static func withoutMountUnlessReadable(_ request: Request, _ caller: Caller) -> Request {
        if let from = request.query("from"), caller.may(.read, on: from) { return request }
        var head = request.head
        head.path = request.uri.path
        if var components = URLComponents(string: request.uri.description) {
            let kept = (components.queryItems ?? []).filter { $0.name != "mount" && $0.name != "from" }
            components.queryItems = kept.isEmpty ? nil : kept
            head.path = components.string ?? request.uri.path
        }
        return Request(head: head, body: request.body)
    }

    private func authRequest(_ request: Request, _ context: RegistryRequestContext) -> AuthRequest {
        let channel = context.channel
        let wantsCertificate = security.authenticator?.clientCertificates != .ignored
        return AuthRequest(
            authorization: request.headers[values: .authorization],
            cookies: request.headers[values: .cookie],
            clientCertificate: {
                guard wantsCertificate else { return nil }
                return try? await channel.nioSSL_peerCertificate().get()?.toDERBytes()
            })
    }

    private func record(
        _ request: Request, _ context: RegistryRequestContext, identity: Identity?, status: HTTPResponse.Status
    ) {
        guard let audit = security.audit, AuditLog.audits(method: request.method.rawValue) else { return }
        let endpoint = RegistryEndpoint(path: Self.routedPath(request))
        var reference: String?
        switch endpoint {
        case .manifest(_, let ref), .blob(_, let ref): reference = ref
        case .uploads: reference = request.query("digest") ?? request.query("mount")
        case .upload: reference = request.query("digest")
        default: reference = nil
        }
        audit.record(
            AuditLog.Entry(
                subject: identity?.name ?? "", method: identity?.method.rawValue ?? "none",
                clientIP: context.channel.remoteAddress?.ipAddress, action: request.method.rawValue,
                object: request.uri.path, repository: endpoint?.repositoryName, reference: reference,
                status: Int(status.code)))
    }
}
