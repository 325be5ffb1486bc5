import Auth
import Config
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// zot's auth endpoints: `POST /zot/auth/login` and `/zot/auth/logout` (sessions), and
/// `POST`/`GET`/`DELETE /zot/auth/apikey` (API keys, when `http.auth.apikey` is on). `AuthResponder` has
/// checked the caller before these run.
struct AuthRoutes {
    static let loginPath = "/zot/auth/login"
    static let logoutPath = "/zot/auth/logout"
    static let apiKeyPath = "/zot/auth/apikey"
    /// The largest API key request body read.
    static let requestLimit = 64 * 1024

    let authenticator: Authenticator
    let cookies: SessionCookies

    func addRoutes(to routes: GuardedRoutes) {
        if let sessions = authenticator.sessions {
            routes.post(Self.loginPath, access: .passwordLogin) { _, context in try await login(context, sessions) }
            // Open, as zot registers it outside its authn middleware: zui logs out after any 401, when its
            // session has already ended, and must then get 200 and expired cookies, not another 401.
            routes.post(Self.logoutPath, access: .open) { request, _ in try await logout(request, sessions) }
        }
        if let keys = authenticator.apiKeys {
            routes.post(Self.apiKeyPath, access: .signedIn) { request, context in try await create(request, context, keys) }
            routes.get(Self.apiKeyPath, access: .signedIn) { _, context in try await list(context, keys) }
            routes.delete(Self.apiKeyPath, access: .signedIn) { request, context in try await delete(request, context, keys) }
        }
    }

    // MARK: Sessions

    private func login(_ context: RegistryRequestContext, _ sessions: SessionStore) async throws -> Response {
        let (token, _) = try await sessions.open(user: context.caller.identity.name)
        return try JSONResponse.make(EmptyObject(), headers: [.setCookie: cookies.session(token)])
    }

    private func logout(_ request: Request, _ sessions: SessionStore) async throws -> Response {
        if let token = SessionCookie.token(in: request.headers[values: .cookie]) {
            try await sessions.close(token: token)
        }
        var response = try JSONResponse.make(EmptyObject())
        for cookie in cookies.ended() { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    // MARK: API keys

    /// zot-api.md "Creating your API key": `{label, scopes, expirationDate}`, all optional.
    private struct KeyRequest: Decodable {
        var label: String?
        var scopes: [String]?
        var expirationDate: String?
    }

    /// A key as zot describes it; `apiKey` only in the answer to its creation.
    private struct KeyDescription: Encodable {
        var createdAt: String
        var expirationDate: String
        var isExpired: Bool
        var creatorUa: String
        var generatedBy: String
        var lastUsed: String
        var label: String
        var scopes: [String]?
        var uuid: String
        var apiKey: String?

        init(_ record: APIKeyRecord, key: String? = nil) {
            createdAt = Timestamp.format(record.createdAt)
            expirationDate = record.expiresAt.map(Timestamp.format) ?? Timestamp.never
            isExpired = record.isExpired()
            creatorUa = record.creatorUserAgent
            generatedBy = record.generatedBy
            lastUsed = record.lastUsed.map(Timestamp.format) ?? Timestamp.never
            label = record.label
            scopes = record.scopes
            uuid = record.id
            apiKey = key
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expirationDate, forKey: .expirationDate)
            try container.encode(isExpired, forKey: .isExpired)
            try container.encode(creatorUa, forKey: .creatorUa)
            try container.encode(generatedBy, forKey: .generatedBy)
            try container.encode(lastUsed, forKey: .lastUsed)
            try container.encode(label, forKey: .label)
            try container.encode(scopes, forKey: .scopes)  // `null` when unscoped, as zot writes it
            try container.encode(uuid, forKey: .uuid)
            try container.encodeIfPresent(apiKey, forKey: .apiKey)
        }

        enum Key: String, CodingKey {
            case createdAt, expirationDate, isExpired, creatorUa, generatedBy, lastUsed, label, scopes, uuid, apiKey
        }
    }

    private struct KeyList: Encodable {
        var apiKeys: [KeyDescription]
    }

    private struct EmptyObject: Encodable {}

    private func create(_ request: Request, _ context: RegistryRequestContext, _ keys: APIKeyStore) async throws
        -> Response
    {
        let user = try keyOwner(context)
        var body = try await request.body.collect(upTo: Self.requestLimit)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        let wanted: KeyRequest
        do {
            wanted = bytes.isEmpty ? KeyRequest() : try JSONDecoder().decode(KeyRequest.self, from: Data(bytes))
        } catch {
            throw badRequest("the body must be a JSON object with optional label, scopes and expirationDate")
        }
        var expiry: Date?
        if let text = wanted.expirationDate, !text.isEmpty, text != Timestamp.never {
            guard let date = Timestamp.parse(text) else {
                throw badRequest("expirationDate must be an RFC 3339 time like 2025-08-28T17:10:05+03:00")
            }
            guard date > Date() else { throw badRequest("expirationDate is in the past") }
            expiry = date
        }
        let scopes = wanted.scopes?.filter { !$0.isEmpty }
        for scope in scopes ?? [] {
            do {
                _ = try RepositoryGlob(scope)
            } catch {
                throw badRequest("scope \(error.description)")
            }
        }
        let (key, record) = try await keys.create(
            user: user, label: wanted.label ?? "", scopes: scopes?.isEmpty == false ? scopes : nil, expiresAt: expiry,
            userAgent: request.headers[.userAgent] ?? "")
        return try JSONResponse.make(KeyDescription(record, key: key), status: .created, headers: [.cacheControl: "no-store"])
    }

    private func list(_ context: RegistryRequestContext, _ keys: APIKeyStore) async throws -> Response {
        let user = try keyOwner(context)
        return try JSONResponse.make(KeyList(apiKeys: try await keys.list(user: user).map { KeyDescription($0) }))
    }

    private func delete(_ request: Request, _ context: RegistryRequestContext, _ keys: APIKeyStore) async throws
        -> Response
    {
        let user = try keyOwner(context)
        guard let id = request.query("id"), !id.isEmpty else { throw badRequest("the id query parameter is required") }
        guard try await keys.delete(id: id.lowercased(), user: user) else {
            throw OCIError(.nameUnknown, detail: "no API key \(id) of yours", status: .notFound)
        }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    /// The user whose keys a request manages. zot-api.md: keys are managed after logging in "using a
    /// different authentication mechanism" — so not with a key (a scoped key could mint an unscoped one),
    /// nor with a token.
    private func keyOwner(_ context: RegistryRequestContext) throws -> String {
        let identity = context.caller.identity
        switch identity.method {
        case .password, .session, .certificate:
            return identity.name
        case .apiKey, .bearer, .anonymous:
            throw OCIError(.denied, detail: "API keys are managed after signing in with a password")
        }
    }

    private func badRequest(_ detail: String) -> OCIError {
        OCIError(.unsupported, detail: detail, status: .badRequest)
    }
}
