import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered with the spec's JSON envelope: `{"errors":[{"code","message","detail"}]}`.
public struct OCIError: Error, HTTPResponseError, Sendable {
    public var code: OCIErrorCode
    public var detail: String?
    /// Overrides the code's usual status where the spec asks for another (413 for large manifests).
    public var statusOverride: HTTPResponse.Status?
    public var headers: HTTPFields

    public init(_ code: OCIErrorCode, detail: String? = nil, status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]) {
        self.code = code
        self.detail = detail
        self.statusOverride = status
        self.headers = headers
    }

    public var status: HTTPResponse.Status { statusOverride ?? code.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(includeBody: request.method != .head)
    }

    func response(includeBody: Bool) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = Self.envelope(code: code, detail: detail)
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: headers, body: includeBody ? .init(byteBuffer: body) : .init())
    }

    private struct Envelope: Encodable {
        struct Entry: Encodable {
            var code: String
            var message: String
            var detail: String?
        }
        var errors: [Entry]
    }

    static func envelope(code: OCIErrorCode, detail: String?) -> ByteBuffer {
        let envelope = Envelope(errors: [.init(code: code.rawValue, message: code.message, detail: detail)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(envelope)) ?? Data("{\"errors\":[]}".utf8)
        return ByteBuffer(bytes: data)
    }
}
