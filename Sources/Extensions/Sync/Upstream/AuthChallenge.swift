/// A `WWW-Authenticate` challenge from an upstream registry (RFC 9110 §11.6.1): its scheme and parameters,
/// such as docker's token flow `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"`.
struct AuthChallenge: Equatable, Sendable {
    var scheme: String
    var parameters: [String: String]

    var isBearer: Bool { scheme.lowercased() == "bearer" }
    var isBasic: Bool { scheme.lowercased() == "basic" }

    /// Parses the first challenge of a header value; nil when it has no scheme.
    init?(header: String) {
        var rest = Substring(header).drop(while: \.isWhitespace)
        let scheme = rest.prefix { !$0.isWhitespace && $0 != "," }
        guard !scheme.isEmpty else { return nil }
        self.scheme = String(scheme)
        rest = rest.dropFirst(scheme.count)
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "," }
            let name = rest.prefix { $0 != "=" && !$0.isWhitespace && $0 != "," }
            guard !name.isEmpty, rest.dropFirst(name.count).first == "=" else { break }
            rest = rest.dropFirst(name.count + 1)
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let token = rest.prefix { $0 != "," && !$0.isWhitespace }
                value = String(token)
                rest = rest.dropFirst(token.count)
            }
            parameters[name.lowercased()] = value
        }
        self.parameters = parameters
    }
}
