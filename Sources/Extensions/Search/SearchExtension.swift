import Foundation
import Hummingbird
import Registry

/// zot's search extension: the GraphQL endpoint zui and zli find images through, answered from an image
/// index kept in the metadata database and updated from storage events.
struct SearchExtension: RegistryExtension {
    /// The endpoint, as discover lists it.
    static let path = "/v2/_zot/ext/search"

    let updates: IndexUpdates
    let endpoint: SearchEndpoint

    var endpoints: [String] { [Self.path] }

    func addRoutes(to routes: GuardedRoutes) {
        // Any caller who may call /v2/: what each one sees is filtered by what it may read.
        routes.get(Self.path, access: .anyCaller) { request, context in
            try await endpoint.respond(to: request, context: context)
        }
        routes.post(Self.path, access: .anyCaller) { request, context in
            try await endpoint.respond(to: request, context: context)
        }
    }

    func handle(_ event: RegistryEvent) async {
        updates.take(event)
    }

    func run() async throws {
        await updates.run()
    }

    func rebuild() async throws -> String? {
        let started = ContinuousClock.now
        let count = try await updates.indexer.rebuild()
        return "reindex: search indexed \(count) manifests in \(ContinuousClock.now - started)"
    }
}
