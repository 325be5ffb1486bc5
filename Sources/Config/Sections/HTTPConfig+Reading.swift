
extension HTTPConfig {
    /// The ports a config may name.
    static let portRange = 0...65535
    /// At least one session, or no client could push through a session at all.
    static let uploadSessionRange = 1...1_000_000

    /// Reads the `http` section.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init()
        if let address = try reader.string("address") {
            guard !address.isEmpty else {
                throw reader.mismatch("address", expected: "a host name or IP address", got: .string(address))
            }
            self.address = address
        }
        port = try Self.port(reading: &reader) ?? port
        realm = try reader.string("realm")
        externalURL = try reader.string("externalUrl")
        allowOrigin = try reader.string("allowOrigin")
        if let modes = try reader.strings("compat") {
            for (index, mode) in modes.enumerated() where !Self.knownCompatModes.contains(mode) {
                let expected = Self.knownCompatModes.sorted().map { "\"\($0)\"" }.joined(separator: " or ")
                throw .invalid(
                    keyPath: reader.path.appending("compat").appending(index: index).description,
                    expected: expected, got: "\"\(mode)\"")
            }
            compat = modes
        }
        readTimeout = try reader.duration("readTimeout")
        writeTimeout = try reader.duration("writeTimeout")
        maxUploadSessionsPerClient =
            try reader.integer("maxUploadSessionsPerClient", in: Self.uploadSessionRange) ?? maxUploadSessionsPerClient
        auth = try reader.rawObject("auth")
        tls = try reader.rawObject("tls")
        accessControl = try reader.rawObject("accessControl")
        ratelimit = try reader.rawObject("ratelimit")
        if let auth {
            var section = try ConfigReader(auth, at: reader.path.appending("auth"))
            authConfig = try AuthConfig(reading: &section, warnings: &warnings)
        }
        if let tls {
            var section = try ConfigReader(tls, at: reader.path.appending("tls"))
            tlsConfig = try TLSConfig(reading: &section, warnings: &warnings)
        }
        if let ratelimit {
            var section = try ConfigReader(ratelimit, at: reader.path.appending("ratelimit"))
            rateLimitConfig = try RateLimitConfig(reading: &section, warnings: &warnings)
        }
        if let accessControl {
            var section = try ConfigReader(accessControl, at: reader.path.appending("accessControl"))
            accessControlConfig = try AccessControlConfig(reading: &section, warnings: &warnings)
        }
        if auth?["mtls"] != nil, tlsConfig?.clientCAPath == nil {
            throw .missing(
                keyPath: reader.path.appending("tls").appending("cacert").description,
                expected: "the CA that client certificates chain to, for http.auth.mtls")
        }
        warnings += reader.unknownKeyWarnings()
    }

    /// zot's port is a string of digits; Go's weak decoding also lets a number through, so both are taken.
    private static func port(reading reader: inout ConfigReader) throws(ConfigError) -> Int? {
        guard let value = try reader.value("port") else { return nil }
        let port: Int? =
            switch value {
            case .int(let number): Int(exactly: number)
            case .string(let text) where !text.isEmpty && text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }):
                Int(text)
            default: nil
            }
        guard let port, portRange.contains(port) else {
            throw reader.mismatch("port", expected: "a port number from 0 to 65535, like \"8080\"", got: value)
        }
        return port
    }
}
