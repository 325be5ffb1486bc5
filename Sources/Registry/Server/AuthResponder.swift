import Auth
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Storage

/// Asks `Auth` the one question each request raises — who is this, and may they do what the route declared
/// it needs? — before anything else sees the request, then answers 401 (with the challenge clients log in
/// by), 403, or passes it on with the caller in the context. Writes the audit line of every request that
/// changes something.
///
/// What a request needs comes from its declaration: the OCI operation's (`RegistryOperation+Declaration`),
/// or the route's (`GuardedRoutes`: health, auth, extensions). Nothing here names a path or an endpoint.
struct AuthResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    let security: RegistrySecurity
    /// What each route outside the OCI API declared it needs.
    let routeAccess: RouteAccessTable
    let logger: Logger
    let next: Next

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let authenticator = security.authenticator else {
            guard security.audit != nil else { return try await next.respond(to: request, context: context) }
            return try await forward(request, context, caller: .unrestricted)
        }
        if DockerClient.mustBeChallenged(request, context, authenticator) {
            let challenge = Verdict.challenge(
                header: authenticator.challenge(for: .anyCaller), delay: .zero,
                reason: "docker asks GET /v2/ whether to send its credentials", identity: nil)
            return try await answer(challenge, request, context, challenges: true)
        }
        let requirement: Requirement
        switch access(of: request, context) {
        case .open:
            return try await forward(request, context, caller: .unrestricted)
        case .anonymousWithoutCredentials where request.headers[values: .authorization].isEmpty:
            return try await forward(request, context, caller: Caller(identity: .anonymous, authorizer: authenticator.authorizer))
        case .anonymousWithoutCredentials, .anyCaller: requirement = .anyCaller
        case .signedIn: requirement = .signedIn
        case .passwordLogin: requirement = .passwordLogin
        case .catalog: requirement = .catalog
        case .metrics: requirement = .metrics
        case .admin: requirement = .admin
        case .repository(let action, let name): requirement = .permissions([Permission(action, on: name)])
        }
        let identification = await authenticator.identify(authRequest(request, context))
        let verdict = authenticator.judge(identification, requirement)
        let challenges = WebUIClient.wantsChallenge(request, authenticator)
        var context = context
        if case .allow = verdict {
            context.authorization = RequestAuthorization(
                authenticator: authenticator, identification: identification, challenges: challenges)
        }
        guard let login = webUILogin(request, identification, verdict, requirement, authenticator) else {
            return try await answer(verdict, request, context, challenges: challenges)
        }
        let cookies: [String]
        do {
            let (token, _) = try await login.sessions.open(user: login.user)
            cookies = security.sessionCookies.opened(token: token, user: login.user)
        } catch {
            // As zot: a login whose session cannot be saved is a 500, and the request is not served.
            return try await answer(.failure("cannot open a session: \(error)"), request, context, challenges: challenges)
        }
        var response = try await answer(verdict, request, context, challenges: challenges)
        for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    /// zui logs in by sending its password once, with its header (`WebUIClient`), to `GET /v2/`, and then
    /// sends the session cookie instead. As in zot, any request it sends with a password that checks out
    /// therefore opens a session; other clients (docker, skopeo) send the password every time and get none.
    /// `POST /zot/auth/login` opens its own.
    private func webUILogin(
        _ request: Request, _ identification: Identification, _ verdict: Verdict, _ requirement: Requirement,
        _ authenticator: Authenticator
    ) -> (sessions: SessionStore, user: String)? {
        guard WebUIClient.sent(request), requirement != .passwordLogin, case .allow = verdict,
            case .identified(let identity) = identification, identity.method == .password,
            let sessions = authenticator.sessions
        else { return nil }
        return (sessions, identity.name)
    }

    /// CORS preflights carry no credentials and are answered without content.
    private func access(of request: Request, _ context: RegistryRequestContext) -> RouteAccess {
        if request.method == .options { return .open }
        if let operation = context.operation { return operation.declaration.access }
        if let endpoint = context.endpoint { return endpoint.accessForUnservedMethods }
        return routeAccess.access(forPath: request.routedPath)
    }

    // MARK: Answering

    private func answer(
        _ verdict: Verdict, _ request: Request, _ context: RegistryRequestContext, challenges: Bool
    ) async throws -> Response {
        if case .allow(let caller) = verdict { return try await forward(request, context, caller: caller) }
        let refusal = OCIError(refusal: verdict, challenges: challenges) ?? OCIError(.unknown)
        let identity: Identity?
        switch verdict {
        case .challenge(_, let delay, let reason, let challenged):
            logger.debug("unauthorized", metadata: ["path": .string(request.uri.path), "reason": .string(reason)])
            if delay > .zero { try? await Task.sleep(for: delay) }
            identity = challenged
        case .deny(let caller, _):
            logger.debug("denied", metadata: ["path": .string(request.uri.path), "caller": "\(caller.identity)"])
            identity = caller.identity
        case .failure(let reason):
            logger.error("cannot check credentials", metadata: ["reason": .string(reason)])
            identity = nil
        case .allow(let caller):
            identity = caller.identity
        }
        let response = refusal.response(includeBody: request.method != .head)
        record(request, context, identity: identity, status: response.status)
        return response
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
        audit.record(
            AuditLog.Entry(
                subject: identity?.name ?? "", method: identity?.method.rawValue ?? "none",
                clientIP: context.channel.remoteAddress?.ipAddress, action: request.method.rawValue,
                object: request.uri.path, repository: context.endpoint?.repositoryName,
                reference: context.operation?.declaration.auditReference(request),
                status: Int(status.code)))
    }
}
