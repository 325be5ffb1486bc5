import Config
import Foundation
import Hummingbird
import Registry

/// Builds the debug extension from its config section.
public struct DebugExtensionFactory: RegistryExtensionFactory {
    public let label = "debug"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        DebugExtension()
    }
}

/// zotd's API described for people and tools: the OpenAPI 3.1 document of every endpoint, at
/// `/swagger/v2/openapi.json` (and zot's `/swagger/v2/doc.json`), and a small page at `/swagger/v2/`
/// that lists its operations and sends requests.
///
/// The document is written once, by hand, in `Resources/openapi.json`, and compiled into the binary
/// (`embedInCode`), so a lone `zotd` binary serves it with no resource bundle beside it. Tests check
/// it against the live server's routes in both directions (Tests/e2e/test_openapi.py); to make that
/// possible for router-based routes, `/swagger/v2/routes.json` answers the routes the router holds.
struct DebugExtension: RegistryExtension {
    func addRoutes(to routes: GuardedRoutes) {
        let document = ByteBuffer(bytes: PackageResources.openapi_json)
        let page = ByteBuffer(bytes: PackageResources.index_html)
        for path in ["/swagger/v2/openapi.json", "/swagger/v2/doc.json"] {
            routes.get(path, access: .anyCaller) { _, _ in Self.response(document, type: "application/json") }
        }
        for path in ["/swagger/v2/", "/swagger/v2/index.html"] {
            routes.get(path, access: .anyCaller) { _, _ in Self.response(page, type: "text/html; charset=utf-8") }
        }
        let inventory = RouteInventory(router: routes.router)
        routes.get("/swagger/v2/routes.json", access: .anyCaller) { _, _ in
            try Self.response(inventory.json(), type: "application/json")
        }
    }

    private static func response(_ body: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .contentLength: String(body.readableBytes), .cacheControl: "no-cache"],
            body: .init(byteBuffer: body)
        )
    }
}

/// The routes registered with the server's router, read when asked rather than when this extension
/// adds its own, so routes added after it (other extensions, auth) are listed too.
///
/// `@unchecked Sendable`: the router is built before the server starts and only read afterwards.
final class RouteInventory: @unchecked Sendable {
    private let router: Router<RegistryRequestContext>

    init(router: Router<RegistryRequestContext>) {
        self.router = router
    }

    private struct Answer: Encodable {
        struct Route: Encodable {
            var method: String
            var path: String
        }
        var routes: [Route]
    }

    func json() throws -> ByteBuffer {
        let routes = router.routes
            .map { Answer.Route(method: $0.method.rawValue, path: $0.path.description) }
            .sorted { ($0.path, $0.method) < ($1.path, $1.method) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return ByteBuffer(bytes: try encoder.encode(Answer(routes: routes)))
    }
}
