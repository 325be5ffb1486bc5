import Foundation
import GraphQL

/// Serializes a result the way zot's gqlgen server writes its response body, so
/// clients see byte-for-byte the same shape: `errors` (when any) before `data`,
/// `data` always present, and errors carrying `path` rather than `locations` when
/// they come from a resolver.
enum GQLGenResponse {
    static func encode(_ result: GraphQLResult) -> Data {
        var json = GoJSON()
        json.raw("{")
        if !result.errors.isEmpty {
            json.raw("\"errors\":[")
            for (index, error) in result.errors.enumerated() {
                if index > 0 { json.raw(",") }
                write(error, to: &json)
            }
            json.raw("],")
        }
        json.raw("\"data\":")
        json.value(result.data ?? .null)
        json.raw("}")
        return Data(json.text.utf8)
    }

    // Field order follows gqlgen's gqlerror.Error: message, path, locations, extensions.
    private static func write(_ error: GraphQLError, to json: inout GoJSON) {
        json.raw("{\"message\":")
        json.string(error.message)
        let path = error.path.elements
        if !path.isEmpty {
            json.raw(",\"path\":[")
            for (index, element) in path.enumerated() {
                if index > 0 { json.raw(",") }
                switch element {
                case .index(let position): json.raw(String(position))
                case .key(let key): json.string(key)
                }
            }
            json.raw("]")
        } else if !error.locations.isEmpty {
            // gqlgen reports resolver errors by path only; locations are for document errors.
            json.raw(",\"locations\":[")
            for (index, location) in error.locations.enumerated() {
                if index > 0 { json.raw(",") }
                json.raw("{\"line\":\(location.line),\"column\":\(location.column)}")
            }
            json.raw("]")
        }
        if !error.extensions.isEmpty {
            json.raw(",\"extensions\":")
            // Go marshals maps with sorted keys.
            let sorted = error.extensions.sorted { $0.key < $1.key }
            json.value(.dictionary(.init(uniqueKeysWithValues: sorted.map { ($0.key, $0.value) })))
        }
        json.raw("}")
    }
}
