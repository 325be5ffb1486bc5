import Foundation
import GraphQL
import HTTPTypes
import Hummingbird
import NIOCore
import Registry

/// `GET|POST /v2/_zot/ext/search`: runs one GraphQL request for the caller, once the index has caught up with
/// what happened before it.
struct SearchEndpoint: Sendable {
    let executor: GraphQLExecutor
    let updates: IndexUpdates

    /// A query document is capped at 64 KiB by the executor; the JSON around it may add variables.
    static let bodyLimit = 256 << 10

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let graphQL: GraphQLRequest
        do {
            if request.method == .post {
                let body = try await request.body.collect(upTo: Self.bodyLimit)
                graphQL = try GraphQLRequest(jsonBody: Array(buffer: body))
            } else {
                graphQL = try GraphQLRequest(urlQuery: request.uri.query)
            }
        } catch GraphQLRequest.Failure.malformed(let message) {
            return Self.json(status: .badRequest, GQLGenResponse.encode(GraphQLResult(errors: [GraphQLError(message: message)])))
        }
        await updates.catchUp()
        let caller = context.caller
        let searchContext = SearchRequestContext(
            user: caller.identity.isAnonymous ? nil : caller.identity.name,
            mayRead: { caller.may(.read, on: $0) },
            mayDelete: { caller.may(.delete, on: $0) })
        let result = await executor.execute(
            query: graphQL.query, variables: graphQL.variables, operationName: graphQL.operationName, context: searchContext)
        // gqlgen answers a document it cannot parse or validate with 422, and a resolver's error with 200.
        let rejected = result.errors.contains {
            [GraphQLExecutor.parseFailed, GraphQLExecutor.validationFailed].contains($0.extensions["code"]?.string)
        }
        return Self.json(status: rejected ? .unprocessableContent : .ok, GQLGenResponse.encode(result))
    }

    static func json(status: HTTPResponse.Status, _ body: Data) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", .contentLength: String(body.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
