import AsyncHTTPClient
import Config
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Storage
import Synchronization

/// One entry of `extensions.sync.registries`: an upstream registry reached at its URLs in order (the next
/// when one fails or lacks the content), with its login and the tokens its token server hands out.
final class UpstreamRegistry: Sendable {
    let config: SyncRegistryConfig
    let mapping: ContentMapping
    private let configuration: HTTPClient.Configuration
    /// Made at the first request, so that a zotd that never serves (`zotd reindex`, a failed start) has no
    /// client to shut down; closed by `shutdown`, after which no request is sent.
    private let connection = Mutex<(client: HTTPClient?, closed: Bool)>((nil, false))
    private let credentials: UpstreamCredentials
    private let tokens = TokenCache()

    /// What one upstream answered with a manifest.
    struct FetchedManifest: Sendable {
        var bytes: [UInt8]
        var contentType: String?
    }

    init(config: SyncRegistryConfig, credentials: UpstreamCredentials) throws(SyncSetupError) {
        self.config = config
        self.credentials = credentials
        mapping = ContentMapping(rules: config.content)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try Self.tls(config),
            timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.httpVersion = .http1Only
        // AsyncHTTPClient would retry a refused connection until its connect timeout (10 s here): a pull of an
        // image zotd does not hold would wait that long for a 404 while the upstream is down. The next URL is
        // the retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
    }

    private var client: HTTPClient {
        get throws {
            try connection.withLock { state in
                guard !state.closed else { throw CancellationError() }
                if let client = state.client { return client }
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                state.client = client
                return client
            }
        }
    }

    /// zot's and docker's `certDir`: `ca.crt` the roots to trust, `client.cert` and `client.key` for mTLS.
    private static func tls(_ config: SyncRegistryConfig) throws(SyncSetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !config.tlsVerify { tls.certificateVerification = .none }
        guard let directory = config.certDir else { return tls }
        let files = FileManager.default
        do {
            if files.fileExists(atPath: "\(directory)/ca.crt") {
                let roots = try NIOSSLCertificate.fromPEMFile("\(directory)/ca.crt")
                tls.trustRoots = .certificates(roots)
            }
            if files.fileExists(atPath: "\(directory)/client.cert") {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile("\(directory)/client.cert").map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: "\(directory)/client.key", format: .pem))
            }
        } catch {
            throw SyncSetupError("extensions.sync certDir \(directory): \(error)")
        }
        return tls
    }

    func shutdown() async {
        let client = connection.withLock { state in
            state.closed = true
            return state.client
        }
        try? await client?.shutdown()
    }

    /// The manifest `reference` names in upstream `repository`; nil when no URL has it.
    func manifest(_ repository: String, _ reference: String) async throws -> FetchedManifest? {
        guard
            let response = try await get(
                "/v2/\(repository)/manifests/\(reference)", repository: repository,
                accept: ManifestMediaType.acceptAll.joined(separator: ", "))
        else { return nil }
        let body = try await response.body.collect(upTo: RegistryStore.manifestSizeLimit + 1)
        guard body.readableBytes <= RegistryStore.manifestSizeLimit else {
            throw UpstreamError.tooLarge("\(repository):\(reference)")
        }
        return FetchedManifest(bytes: Array(body.readableBytesView), contentType: response.headers.first(name: "Content-Type"))
    }

    /// The digest upstream `repository` gives `reference` now (a `HEAD`, which docker Hub does not count
    /// against pull limits); nil when no URL has it or none says.
    func manifestDigest(_ repository: String, _ reference: String) async throws -> Digest? {
        guard
            let response = try await get(
                "/v2/\(repository)/manifests/\(reference)", repository: repository,
                accept: ManifestMediaType.acceptAll.joined(separator: ", "), method: .HEAD)
        else { return nil }
        return response.headers.first(name: "Docker-Content-Digest").flatMap { try? Digest(parsing: $0) }
    }

    /// Every repository of the upstream's catalog, a page of 1,000 at a time.
    func catalog() async throws -> [String] {
        try await pages { last in
            let query = "n=1000" + (last.map { "&last=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
            return try await listing("/v2/_catalog?\(query)", repository: "", key: "repositories")
        }
    }

    /// Every tag of upstream `repository`, a page of 1,000 at a time; empty when it has none.
    func tags(_ repository: String) async throws -> [String] {
        try await pages { last in
            let query = "n=1000" + (last.map { "&last=\($0)" } ?? "")
            return try await listing("/v2/\(repository)/tags/list?\(query)", repository: repository, key: "tags")
        }
    }

    /// The digests of the manifests whose subject is `digest` (the referrers API); empty where the upstream has
    /// no such API (distribution 2.8 answers 404).
    func referrers(_ repository: String, of digest: Digest) async throws -> [Digest] {
        guard let response = try await get("/v2/\(repository)/referrers/\(digest)", repository: repository, accept: nil)
        else { return [] }
        let body = try await response.body.collect(upTo: RegistryStore.manifestSizeLimit)
        struct Index: Decodable {
            struct Entry: Decodable { var digest: String }
            var manifests: [Entry]?
        }
        let index = try JSONDecoder().decode(Index.self, from: Data(body.readableBytesView))
        return (index.manifests ?? []).compactMap { try? Digest(parsing: $0.digest) }
    }

    /// Pages of a listing, each asked for after the last name of the one before, until one comes back short.
    private func pages(_ page: (String?) async throws -> [String]) async throws -> [String] {
        var all: [String] = []
        var last: String?
        while true {
            let names = try await page(last)
            all += names
            guard names.count >= 1000, let final = names.last, final != last else { return all }
            last = final
        }
    }

    private func listing(_ path: String, repository: String, key: String) async throws -> [String] {
        guard let response = try await get(path, repository: repository, accept: "application/json") else { return [] }
        let body = try await response.body.collect(upTo: 64 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object?[key] as? [String] ?? []
    }

    /// `attempt`, and `maxRetries` more after failures, `retryDelay` before the first retry, doubled up to
    /// `maxRetryDelay`. A refusal (`onlySigned`) or a cancellation is final.
    func retrying(_ attempt: () async throws -> Void) async throws {
        var delay = config.retryDelay
        for remaining in stride(from: config.maxRetries, through: 0, by: -1) {
            do {
                return try await attempt()
            } catch is CancellationError {
                throw CancellationError()
            } catch let refusal as SyncRefusal {
                throw refusal
            } catch where remaining > 0 {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, config.maxRetryDelay)
            }
        }
    }

    /// Whether upstream `repository` has the blob (a `HEAD`: no bytes move).
    func hasBlob(_ repository: String, _ digest: Digest) async throws -> Bool {
        try await get("/v2/\(repository)/blobs/\(digest)", repository: repository, accept: nil, method: .HEAD) != nil
    }

    /// The response to a blob `GET`, its body not yet read; nil when no URL has the blob.
    func blob(_ repository: String, _ digest: Digest) async throws -> HTTPClientResponse? {
        try await get("/v2/\(repository)/blobs/\(digest)", repository: repository, accept: nil)
    }

    /// `GET path` (or `method`) at each URL in turn: the first 200 wins; a 404 everywhere is nil; when some URL failed and
    /// none had it, its error.
    private func get(_ path: String, repository: String, accept: String?, method: HTTPMethod = .GET) async throws
        -> HTTPClientResponse?
    {
        var failure: (any Error)?
        for base in config.urls {
            do {
                let response = try await authorizedRequest(
                    base + path, base: base, repository: repository, accept: accept, method: method)
                switch response.status.code {
                case 200: return response
                case 404: _ = try? await response.body.collect(upTo: 1 << 16)
                default:
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    failure = UpstreamError.status(Int(response.status.code), base + path)
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return nil
    }

    /// A request with the token or login this upstream wants: sent as it is first, then once more after a 401
    /// with the answer to its challenge (docker's token flow, or Basic).
    private func authorizedRequest(
        _ url: String, base: String, repository: String, accept: String?, method: HTTPMethod
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let known = await tokens.authorization(base: base, repository: repository) {
            request.headers.add(name: "Authorization", value: known)
        }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(config.syncTimeout.components.seconds) * 1_000_000_000)
        let response = try await client.execute(request, deadline: deadline)
        guard response.status == .unauthorized,
            let header = response.headers.first(name: "WWW-Authenticate"),
            let challenge = AuthChallenge(header: header)
        else { return response }
        // A body can be read once: the 401 is handed back unread when there is nothing to answer it with.
        guard let authorization = try await answer(challenge, base: base, repository: repository) else {
            return response
        }
        _ = try? await response.body.collect(upTo: 1 << 16)
        request.headers.replaceOrAdd(name: "Authorization", value: authorization)
        return try await client.execute(request, deadline: deadline)
    }

    /// The `Authorization` value that answers `challenge`, cached; nil when there is nothing to answer with.
    private func answer(_ challenge: AuthChallenge, base: String, repository: String) async throws -> String? {
        let login = URL(string: base).flatMap(credentials.login(for:))
        if challenge.isBasic {
            guard let login else { return nil }
            await tokens.remember(login.basicAuthorization, base: base, repository: repository, for: .seconds(3600))
            return login.basicAuthorization
        }
        guard challenge.isBearer, let realm = challenge.parameters["realm"], var components = URLComponents(string: realm)
        else { return nil }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? "repository:\(repository):pull"))
        components.queryItems = query
        guard let tokenURL = components.string else { return nil }
        var request = HTTPClientRequest(url: tokenURL)
        if let login { request.headers.add(name: "Authorization", value: login.basicAuthorization) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw UpstreamError.status(Int(response.status.code), realm) }
        let token = try JSONDecoder().decode(TokenAnswer.self, from: Data(body.readableBytesView))
        guard let value = token.token ?? token.accessToken else { throw UpstreamError.noToken(realm) }
        let authorization = "Bearer \(value)"
        // Tokens last 60 s unless the server says otherwise (docker's token specification).
        await tokens.remember(authorization, base: base, repository: repository, for: .seconds(max(10, (token.expiresIn ?? 60) - 5)))
        return authorization
    }

    private struct TokenAnswer: Decodable {
        var token: String?
        var accessToken: String?
        var expiresIn: Int?

        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }
}

/// What went wrong talking to an upstream.
enum UpstreamError: Error, CustomStringConvertible {
    case status(Int, String)
    case tooLarge(String)
    case noToken(String)
    case noLength(String)

    var description: String {
        switch self {
        case .status(let code, let url): "upstream answered \(code) to \(url)"
        case .tooLarge(let what): "upstream manifest \(what) is larger than \(RegistryStore.manifestSizeLimit) bytes"
        case .noToken(let realm): "token server \(realm) answered without a token"
        case .noLength(let what): "upstream sent \(what) without a Content-Length"
        }
    }
}

/// The `Authorization` values an upstream accepted, per URL and repository, until they expire.
actor TokenCache {
    private var values: [String: (value: String, expires: ContinuousClock.Instant)] = [:]

    func authorization(base: String, repository: String) -> String? {
        let key = "\(base) \(repository)"
        guard let entry = values[key] else { return nil }
        guard entry.expires > .now else {
            values[key] = nil
            return nil
        }
        return entry.value
    }

    func remember(_ value: String, base: String, repository: String, for lifetime: Duration) {
        values["\(base) \(repository)"] = (value, .now + lifetime)
    }
}
