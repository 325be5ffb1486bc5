import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import Storage

/// Answers the OCI operations through their declarations (`RegistryOperation+Declaration.swift`), and hands
/// every other path to `fallback` (health checks, auth, extensions, or a 404).
///
/// Paths are matched by `RegistryEndpoint` (parsed once, into the request context, by `RequestLogResponder`)
/// rather than by router patterns, because repository names contain slashes and endpoints are recognised
/// from the path's end.
struct RegistryResponder<Fallback: HTTPResponder>: HTTPResponder where Fallback.Context == RegistryRequestContext {
    let environment: OperationEnvironment
    let fallback: Fallback

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let endpoint = context.endpoint else {
            return try await fallback.respond(to: request, context: context)
        }
        do {
            guard let operation = context.operation else {
                throw OCIError(.unsupported, detail: "\(request.method) is not supported on \(request.uri.path)")
            }
            let declaration = operation.declaration
            let response = try await declaration.handle(environment, request, context)
            if !environment.extensions.isEmpty, let event = declaration.event(request, response) {
                await environment.extensions.publish(event)
            }
            return response
        } catch let error as OCIError {
            return error.response(includeBody: request.method != .head)
        } catch let error as StorageError {
            switch error {
            case .io(let detail): context.logger.error("storage failure", metadata: ["detail": .string(detail)])
            case .unavailable(let detail): context.logger.warning("storage unavailable", metadata: ["detail": .string(detail)])
            default: break
            }
            return OCIError(error).response(includeBody: request.method != .head)
        } catch let error as HTTPParserError {
            // Thrown by the request body as the route reads it.
            return OCIError(error, at: endpoint).response(includeBody: request.method != .head)
        } catch {
            context.logger.error("request failed", metadata: ["error": .string("\(error)")])
            return OCIError(.unknown).response(includeBody: request.method != .head)
        }
    }
}
