/// zot's `http.ratelimit`: requests per second for all requests (`rate`) and per HTTP method
/// (`methods: [{method, rate}]`).
public struct RateLimitConfig: Sendable, Equatable {
    /// Requests per second over all methods; nil for no overall limit.
    public var rate: Int?
    /// Requests per second per method (upper case), on top of the overall limit.
    public var methodRates: [String: Int]

    public init(rate: Int? = nil, methodRates: [String: Int] = [:]) {
        self.rate = rate
        self.methodRates = methodRates
    }
}

extension RateLimitConfig {
    static let rateRange = 1...1_000_000

    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init(rate: try reader.integer("rate", in: Self.rateRange))
        if let methods = try reader.value("methods") {
            guard case .array(let entries) = methods else {
                throw reader.mismatch("methods", expected: "a list of {\"method\", \"rate\"} objects", got: methods)
            }
            for (index, entry) in entries.enumerated() {
                var item = try ConfigReader(entry, at: reader.path.appending("methods").appending(index: index))
                guard let method = try item.string("method"), !method.isEmpty else {
                    throw .missing(keyPath: item.path.appending("method").description, expected: "an HTTP method")
                }
                guard let rate = try item.integer("rate", in: Self.rateRange) else {
                    throw .missing(keyPath: item.path.appending("rate").description, expected: "requests per second")
                }
                methodRates[method.uppercased()] = rate
                warnings += item.unknownKeyWarnings()
            }
        }
        warnings += reader.unknownKeyWarnings()
    }
}
