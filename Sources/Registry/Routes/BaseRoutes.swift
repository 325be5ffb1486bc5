import HTTPTypes
import Hummingbird

/// `GET /v2/`: the API version check every client starts with.
struct BaseRoutes {
    func base(_ request: Request) -> Response {
        var headers: HTTPFields = [.dockerDistributionAPIVersion: "registry/2.0", .contentType: "application/json"]
        headers[.contentLength] = "2"
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: .init(string: "{}")))
    }
}
