import HTTPTypes
import Hummingbird

/// Who may call a route of an extension. `AuthResponder` enforces it; the extension only declares it.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone who may call `GET /v2/`: a signed-in caller, or an anonymous one where anonymous access exists.
    case anyCaller
    /// Also callers that send no credentials at all, wherever auth is on (zot's mgmt endpoint, which tells a
    /// login page how to log in). Credentials that are sent must still be good.
    case anonymousWithoutCredentials
    /// Whoever `accessControl.metrics` lets read `/metrics`.
    case metrics
}

/// Where an extension adds its routes, each declared with the access it needs: the router gets the handler,
/// `AuthResponder` the access, from this one call, so the path is never written twice.
public final class ExtensionRoutes {
    /// The server's router, for reading what is registered (the debug extension lists it). Routes are added
    /// through `get`/`on`, never on the router directly, or they would be guarded as `.anyCaller`.
    public let router: Router<RegistryRequestContext>
    /// What `AuthResponder` consults, filled in as routes are added.
    private(set) var table = RouteAccessTable()

    init(router: Router<RegistryRequestContext>) {
        self.router = router
    }

    /// Adds `handler` for `method` on `path` (a literal path: auth looks it up exactly).
    public func on(
        _ path: String, method: HTTPRequest.Method, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        table.declare(path, access)
        router.on(RouterPath(path), method: method, use: handler)
    }

    public func get(
        _ path: String, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        on(path, method: .get, access: access, use: handler)
    }
}

/// The access each extension route declared, by path.
struct RouteAccessTable: Sendable {
    private var entries: [String: RouteAccess] = [:]

    mutating func declare(_ path: String, _ access: RouteAccess) {
        let key = Self.key(path)
        precondition(entries[key].map { $0 == access } ?? true, "\(path) declared with two different accesses")
        entries[key] = access
    }

    /// The access declared for the route the router would serve at `path` (percent-decoded), if any.
    func access(forPath path: String) -> RouteAccess? {
        entries.isEmpty ? nil : entries[Self.key(path)]
    }

    /// The router skips empty path components (`/metrics/` and `//metrics` are served as `/metrics`), so the
    /// table compares paths the same way: a guard must never be missed by a spelling the router accepts.
    private static func key(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
