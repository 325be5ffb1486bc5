import Hummingbird

/// `GET /v2/_oci/ext/discover`: the extensions this server offers, in zot's shape.
struct DiscoverRoutes {
    let endpoints: [String]

    private struct Answer: Encodable {
        var extensions: [Entry]
    }

    private struct Entry: Encodable {
        var name = "_zot"
        var url = "https://github.com/project-zot/zot/blob/main/pkg/extensions/_zot.md"
        var description = "zot registry extensions"
        var endpoints: [String]
    }

    func addRoutes(to routes: GuardedRoutes) {
        let answer = Answer(extensions: endpoints.isEmpty ? [] : [Entry(endpoints: endpoints)])
        routes.get("/v2/_oci/ext/discover", access: .anyCaller) { _, _ in try JSONResponse.make(answer) }
    }
}
