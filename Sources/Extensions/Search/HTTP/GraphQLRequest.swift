import Foundation
import GraphQL

/// One GraphQL request as the search endpoint receives it from zui, zli or a script.
struct GraphQLRequest: Sendable, Equatable {
    var query: String
    var variables: [String: Map] = [:]
    var operationName: String?

    enum Failure: Error, Equatable {
        /// 400: a body that is not the JSON it claims to be, or variables that are not a JSON object.
        case malformed(String)
    }

    /// A `GET`: `?query=`, `variables` and `operationName` from the URL, read with Go's form rules (`+` is a
    /// space, `&` ends a value), as zot reads them: zli escapes everything, zui leaves `{ } [ ] : ,` as they are.
    /// Any body (zli repeats the query there) is ignored.
    init(urlQuery raw: String?) throws(Failure) {
        let parameters = Self.formParameters(raw ?? "")
        query = parameters["query"] ?? ""
        operationName = parameters["operationName"].flatMap { $0.isEmpty ? nil : $0 }
        if let variables = parameters["variables"], !variables.isEmpty {
            self.variables = try Self.decodeVariables(Data(variables.utf8))
        }
    }

    /// A `POST` with `{"query": …, "variables": {…}, "operationName": …}`.
    init(jsonBody body: [UInt8]) throws(Failure) {
        struct Body: Decodable {
            var query: String?
            var variables: [String: Map]?
            var operationName: String?
        }
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw .malformed("body is not a JSON GraphQL request")
        }
        query = decoded.query ?? ""
        variables = decoded.variables ?? [:]
        operationName = decoded.operationName
    }

    /// `application/x-www-form-urlencoded` pairs; the first value of a repeated key wins, as in Go's `Get`.
    static func formParameters(_ raw: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            if parameters[key] == nil { parameters[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return parameters
    }

    static func decode(_ value: Substring) -> String {
        let spaced = value.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private static func decodeVariables(_ data: Data) throws(Failure) -> [String: Map] {
        do {
            return try JSONDecoder().decode([String: Map].self, from: data)
        } catch {
            throw .malformed("variables are not a JSON object")
        }
    }
}
