import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Registry

/// `GET /v2/_zot/ext/mgmt[?resource=config]`: the stripped config, the same for every caller.
///
/// The config cannot change while the server runs, so the answer is encoded once, at startup.
struct MgmtExtension: RegistryExtension {
    /// The endpoint, as discover lists it.
    static let path = "/v2/_zot/ext/mgmt"

    /// The encoded answer.
    let body: ByteBuffer

    init(answer: StrippedConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]  // the same bytes every run
        body = ByteBuffer(bytes: try encoder.encode(answer))
    }

    var endpoints: [String] { [Self.path] }


    func addRoutes(to routes: GuardedRoutes) {
        // A login page asks it how to log in before it has credentials, as zot allows.
        routes.get(Self.path, access: .anonymousWithoutCredentials) { request, _ in
            respond(resource: request.uri.queryParameters.get("resource"))
        }
    }

    /// The response to a `resource` query value (`nil` when the query has none).
    func respond(resource: String?) -> Response {
        // zot's extensions all send nosniff: the body is JSON and must never be taken for HTML.
        var headers: HTTPFields = [.xContentTypeOptions: "nosniff"]
        guard MgmtResource(query: resource) != nil else {
            headers[.contentLength] = "0"
            return Response(status: .badRequest, headers: headers)
        }
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// What `GET /v2/_zot/ext/mgmt` may be asked for.
///
/// zot 2.0 read `resource` with `config` as the default and answered 400 to anything else (its
/// `signatures` upload has since moved to the `imagetrust` extension); newer zot ignores the query. zotd
/// keeps the 400, so a client asking for something it does not serve learns so instead of getting the
/// config in its place.
enum MgmtResource: Equatable {
    case config

    /// The resource a query names, or `nil` for one zotd does not serve. No `resource` at all means config.
    init?(query: String?) {
        switch query {
        case nil, "config": self = .config
        default: return nil
        }
    }
}

extension HTTPField.Name {
    /// `X-Content-Type-Options`.
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
