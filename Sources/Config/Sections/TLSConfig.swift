/// zot's `http.tls`: the server's certificate and key (PEM), and optionally the CA that client certificates
/// must chain to (mutual TLS; a client certificate's CommonName is then the caller's identity).
public struct TLSConfig: Sendable, Equatable {
    /// The server certificate chain, PEM.
    public var certificatePath: String
    /// The server's private key, PEM.
    public var keyPath: String
    /// The CA bundle client certificates are verified against, PEM; `nil` for no client certificates.
    public var clientCAPath: String?

    public init(certificatePath: String, keyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.clientCAPath = clientCAPath
    }
}

extension TLSConfig {
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        guard let cert = try reader.string("cert"), !cert.isEmpty else {
            throw .missing(keyPath: reader.path.appending("cert").description, expected: "the server certificate's path (PEM)")
        }
        guard let key = try reader.string("key"), !key.isEmpty else {
            throw .missing(keyPath: reader.path.appending("key").description, expected: "the server key's path (PEM)")
        }
        let cacert = try reader.string("cacert").flatMap { $0.isEmpty ? nil : $0 }
        self.init(certificatePath: cert, keyPath: key, clientCAPath: cacert)
        warnings += reader.unknownKeyWarnings()
    }
}
