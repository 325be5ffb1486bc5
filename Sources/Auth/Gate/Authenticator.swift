import Config
import Foundation
import Logging

/// The one place that answers, for each request, "who is this, and may they do this?".
///
/// Credentials are tried in zot's order: the `Authorization` header (Basic with a password or API key, or a
/// bearer token), then the session cookie, then a verified TLS client certificate; without any, the caller
/// is anonymous. Permissions then come from `Authorizer`.
public final class Authenticator: Sendable {
    /// Whether TLS client certificates sign callers in.
    public enum ClientCertificates: Sendable, Equatable {
        /// No client certificates (no `http.tls.cacert`).
        case ignored
        /// Verified when presented; a caller may also use a password.
        case optional
        /// Required by the TLS handshake: every caller has one.
        case required
    }

    public let config: AuthConfig?
    public let authorizer: Authorizer
    /// `nil` unless `http.auth.apikey` is on.
    public let apiKeys: APIKeyStore?
    /// `nil` unless some login method (htpasswd, API keys, client certificates) is configured.
    public let sessions: SessionStore?
    public let clientCertificates: ClientCertificates
    private let realm: String
    private let passwords: PasswordVerifier?
    private let bearer: BearerTokenVerifier?
    private let logger: Logger

    /// - Parameters:
    ///   - auth: `http.auth`, or `nil` for none.
    ///   - accessControl: `http.accessControl`, or `nil` for none.
    ///   - realm: `http.realm`, named in Basic challenges.
    ///   - clientCertificates: what `http.tls.cacert` makes of client certificates.
    ///   - records: where API keys and sessions are kept (`<rootDirectory>/_zotd/zotd.db`, or the PostgreSQL
    ///     database replicas share).
    ///   - bearerKeyPEM: the contents of `http.auth.bearer.cert`, read by the caller.
    public init(
        auth: AuthConfig?,
        accessControl: AccessControlConfig?,
        realm: String?,
        clientCertificates: ClientCertificates,
        records: AuthRecordsLocation?,
        bearerKeyPEM: String? = nil,
        logger: Logger
    ) async throws {
        config = auth
        self.realm = realm.flatMap { $0.isEmpty ? nil : $0 } ?? "zot"
        self.clientCertificates = clientCertificates
        self.logger = logger
        passwords = try auth?.htpasswdPath.map { try PasswordVerifier(path: $0, logger: logger) }
        if let bearerConfig = auth?.bearer {
            guard let pem = bearerKeyPEM else {
                throw BearerTokenVerifier.BearerRefusal(reason: "no key given for bearer tokens")
            }
            bearer = try await BearerTokenVerifier(config: bearerConfig, pem: pem)
        } else {
            bearer = nil
        }
        let policy = try accessControl.map { config throws(RepositoryGlob.SyntaxError) in try AccessPolicy(config) }
        let requiresAuthentication =
            (auth?.hasBasicAuthentication ?? false) || auth?.bearer != nil || clientCertificates == .required
        authorizer = Authorizer(policy: policy, requiresAuthentication: requiresAuthentication)
        let logins = (auth?.hasBasicAuthentication ?? false) || clientCertificates != .ignored
        if let records, logins {
            let opened = try await records.open()
            sessions = SessionStore(records: opened)
            apiKeys = auth?.apiKeys == true ? APIKeyStore(records: opened) : nil
        } else {
            sessions = nil
            apiKeys = nil
        }
    }

    /// Whether bearer tokens are how callers sign in.
    public var usesBearerTokens: Bool { bearer != nil }

    /// Whether access control lets anonymous callers in somewhere and keeps something for signed-in ones,
    /// with a login by password (or API key) to be had: what makes zot challenge docker at `GET /v2/`.
    public var mixesAnonymousAndSignedInAccess: Bool {
        guard passwords != nil || apiKeys != nil, let policy = authorizer.policy else { return false }
        return policy.grantsAnonymousAccess && policy.grantsSignedInAccess
    }

    // MARK: The question

    /// Who sent `request`, and whether they may have it served under `requirement`.
    public func decide(_ request: AuthRequest, _ requirement: Requirement) async -> Verdict {
        judge(await identify(request), requirement)
    }

    /// Whether the caller `identification` names may have a request served under `requirement`. Split from
    /// `identify` for requests that need more than one look (a manifest push that may move a tag).
    public func judge(_ identification: Identification, _ requirement: Requirement) -> Verdict {
        let identity: Identity
        switch identification {
        case .identified(let known):
            identity = known
        case .anonymous:
            identity = .anonymous
        case .failed(let reason):
            return .challenge(
                header: challenge(for: requirement), delay: config?.failDelay ?? .zero, reason: reason, identity: nil)
        case .unavailable(let reason):
            return .failure(reason)
        }
        let caller = Caller(identity: identity, authorizer: authorizer)
        switch requirement {
        case .anyCaller:
            return admitsAnyone(identity) ? .allow(caller) : refuse(caller, requirement, missing: nil)
        case .signedIn:
            return identity.isAnonymous ? refuse(caller, requirement, missing: nil) : .allow(caller)
        case .passwordLogin:
            guard identity.method == .password else {
                return .challenge(
                    header: challenge(for: requirement), delay: .zero, reason: "login needs a user name and password",
                    identity: identity.isAnonymous ? nil : identity)
            }
            return .allow(caller)
        case .catalog:
            if identity.method == .bearer {
                return caller.mayListCatalog ? .allow(caller) : refuse(caller, requirement, missing: nil)
            }
            return admitsAnyone(identity) ? .allow(caller) : refuse(caller, requirement, missing: nil)
        case .metrics:
            return caller.mayReadMetrics ? .allow(caller) : refuse(caller, requirement, missing: nil)
        case .admin:
            return authorizer.isAdmin(identity) ? .allow(caller) : refuse(caller, requirement, missing: nil)
        case .permissions(let wanted):
            if let missing = wanted.first(where: { !authorizer.allows(identity, $0) }) {
                return refuse(caller, requirement, missing: missing)
            }
            return .allow(caller)
        }
    }

    /// Anonymous callers get in where nothing asks for credentials, or where some pattern grants them
    /// something (zot lets them through to see what that is).
    private func admitsAnyone(_ identity: Identity) -> Bool {
        !identity.isAnonymous || !authorizer.requiresAuthentication || (authorizer.policy?.grantsAnonymousAccess ?? false)
    }

    /// 401 for an anonymous caller (and for any bearer token: the client fetches a token with the scope the
    /// challenge names), 403 for a known one.
    private func refuse(_ caller: Caller, _ requirement: Requirement, missing: Permission?) -> Verdict {
        if caller.identity.isAnonymous || caller.identity.method == .bearer {
            return .challenge(
                header: challenge(for: requirement), delay: .zero,
                reason: missing.map { "\(caller.identity) may not \($0)" } ?? "credentials required",
                identity: caller.identity.isAnonymous ? nil : caller.identity)
        }
        return .deny(caller, missing: missing)
    }

    /// The `WWW-Authenticate` value for a 401: Basic with the realm, or in bearer mode the token server with
    /// the scope the request needs (`repository:<name>:pull,push`), so docker clients can fetch a token.
    public func challenge(for requirement: Requirement) -> String {
        guard let bearer else { return "Basic realm=\"\(Self.quoted(realm))\"" }
        var header = "Bearer realm=\"\(Self.quoted(bearer.config.realm))\",service=\"\(Self.quoted(bearer.config.service))\""
        switch requirement {
        case .permissions(let permissions):
            var actionsByRepository: [String: Set<String>] = [:]
            var order: [String] = []
            for permission in permissions {
                if actionsByRepository[permission.repository] == nil { order.append(permission.repository) }
                actionsByRepository[permission.repository, default: []].insert(permission.action.tokenAction)
            }
            let scopes = order.map { repository in
                var actions = actionsByRepository[repository] ?? []
                if actions.contains("push") { actions.insert("pull") }
                let sorted = ["pull", "push", "delete"].filter(actions.contains)
                return "repository:\(repository):\(sorted.joined(separator: ","))"
            }
            header += ",scope=\"\(Self.quoted(scopes.joined(separator: " ")))\""
        case .catalog:
            header += ",scope=\"registry:catalog:*\""
        case .anyCaller, .signedIn, .metrics, .admin, .passwordLogin:
            break
        }
        return header
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    // MARK: Authentication

    /// Who sent `request`: the credentials are checked, nothing is decided yet.
    public func identify(_ request: AuthRequest) async -> Identification {
        switch PresentedCredentials(authorizationHeaders: request.authorization) {
        case .malformed(let reason):
            return .failed(reason)
        case .basic(let user, let secret):
            return await basic(user: user, secret: secret)
        case .bearer(let token):
            guard let bearer else { return .failed("bearer tokens are not accepted here") }
            do {
                return .identified(try await bearer.verify(token))
            } catch {
                logger.debug("bearer token refused", metadata: ["reason": .string(error.reason)])
                return .failed(error.reason)
            }
        case .none:
            break
        }
        if let sessions, let token = SessionCookie.token(in: request.cookies) {
            do {
                if let user = try await sessions.user(token: token) {
                    return .identified(identity(user, .session))
                }
            } catch {
                logger.error("session lookup failed", metadata: ["error": "\(error)"])
                return .unavailable("session lookup failed")
            }
            // A stale cookie is no attempt to sign in: carry on as if there were none.
        }
        if clientCertificates != .ignored, let der = await request.clientCertificate() {
            guard let name = ClientCertificate.commonName(derEncoded: der) else {
                return .failed("the client certificate has no CommonName")
            }
            return .identified(identity(name, .certificate))
        }
        return .anonymous
    }

    private func basic(user: String, secret: String) async -> Identification {
        if bearer != nil, !(config?.hasBasicAuthentication ?? false) {
            return .failed("this registry takes bearer tokens, not passwords")
        }
        if let apiKeys, secret.hasPrefix(APIKeyStore.prefix) {
            do {
                if let record = try await apiKeys.lookup(key: secret, user: user) {
                    guard !record.isExpired() else { return .failed("API key expired") }
                    let scopes = record.scopes.map { patterns in
                        patterns.compactMap { try? RepositoryGlob($0) }
                    }
                    return .identified(identity(user, .apiKey, scopes: scopes))
                }
            } catch {
                logger.error("API key lookup failed", metadata: ["error": "\(error)"])
                return .unavailable("API key lookup failed")
            }
            // Not a key of this user: it may still be their password.
        }
        guard let passwords else { return .failed("unknown user name or password") }
        if await passwords.verify(user: user, password: secret) {
            return .identified(identity(user, .password))
        }
        logger.debug("login failed", metadata: ["user": .string(user)])
        return .failed("unknown user name or password")
    }

    private func identity(_ name: String, _ method: Identity.Method, scopes: [RepositoryGlob]? = nil) -> Identity {
        Identity(name: name, groups: authorizer.policy?.groups(of: name) ?? [], method: method, scopes: scopes)
    }
}
