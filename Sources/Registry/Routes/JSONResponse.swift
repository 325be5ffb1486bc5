import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON bodies with the encoder settings every endpoint shares.
enum JSONResponse {
    static func make(
        _ value: some Encodable,
        status: HTTPResponse.Status = .ok,
        contentType: String = "application/json",
        headers extra: HTTPFields = [:]
    ) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = extra
        headers[.contentType] = contentType
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
