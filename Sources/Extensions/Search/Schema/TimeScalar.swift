import Foundation
import GraphQL
import Graphiti

/// `scalar Time`: a `Date` carried as the RFC 3339 string Go's time.Time produces.
enum TimeScalar {
    static let name = "Time"

    static func component() -> Scalar<SearchResolver, SearchRequestContext, Date> {
        Scalar(
            Date.self,
            as: name,
            serialize: { value, _ in
                guard let date = value as? Date else {
                    throw GraphQLError(message: "Time cannot represent \(type(of: value))")
                }
                return .string(GoTime.format(date))
            },
            parseValue: { map, _ in try normalized(map) },
            parseLiteral: { value, _ in
                guard let literal = value as? StringValue else {
                    throw GraphQLError(message: "Time must be an RFC 3339 string")
                }
                return try normalized(.string(literal.value))
            }
        )
    }

    /// Coders whose decoder reads the strings produced by `parseValue`, in case
    /// a Time ever appears among arguments (none does in zot's schema today).
    static func coders() -> Coders {
        let coders = Coders()
        coders.decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = GoTime.parse(text) else {
                throw GraphQLError(message: "Time must be an RFC 3339 string, got \"\(text)\"")
            }
            return date
        }
        return coders
    }

    private static func normalized(_ map: Map) throws -> Map {
        guard case .string(let text) = map, let date = GoTime.parse(text) else {
            throw GraphQLError(message: "Time must be an RFC 3339 string")
        }
        return .string(GoTime.format(date))
    }
}
