import HTTPTypes
import Testing

/// `GET`/`HEAD /v2/`, the version check every client starts with, and the paths around it.
@Suite struct BaseRouteTests {
    /// zot: "`GET /v2/` → 200 `{}` with `Docker-Distribution-API-Version: registry/2.0`".
    @Test func getV2AnswersAnEmptyJSONObject() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == "{}")
        }
    }

    /// Spec: on `200 OK` "the `Docker-Distribution-API-Version` header SHOULD be set to `registry/2.0`".
    @Test func getV2NamesTheRegistryAPIVersion() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/")
            #expect(response.headers[OCIHeader.apiVersion] == "registry/2.0")
        }
    }

    /// Clients probe `/v2` as well as `/v2/`: both are the version check.
    @Test func v2WithoutTrailingSlashIsTheSameEndpoint() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2")
            #expect(response.status == .ok)
            #expect(response.headers[OCIHeader.apiVersion] == "registry/2.0")
        }
    }

    /// containerd probes with `HEAD /v2/`: answered like `GET`, without a body.
    @Test func headV2Answers200WithoutABody() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.head("/v2/")
            #expect(response.status == .ok)
            #expect(response.headers[OCIHeader.apiVersion] == "registry/2.0")
            #expect(response.bytes.isEmpty)
        }
    }

    /// A method the endpoint does not serve is 405 UNSUPPORTED, in the error envelope.
    @Test func postToV2Is405Unsupported() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.request(.post, "/v2/")
            expectOCIError(response, .methodNotAllowed, "UNSUPPORTED")
        }
    }

    /// zot: "Health: `/livez`, `/readyz`, `/startupz` → 200".
    @Test(arguments: ["/livez", "/readyz", "/startupz"])
    func healthEndpointAnswers200(path: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get(path)
            #expect(response.status == .ok)
        }
    }

    /// A path outside the API is not found.
    @Test func unknownTopLevelPathIs404() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/no/such/endpoint")
            #expect(response.status == .notFound)
        }
    }
}
