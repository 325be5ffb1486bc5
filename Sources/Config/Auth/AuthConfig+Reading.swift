
extension AuthConfig {
    /// The `http.auth` members zotd reads; `ldap`, `openid` and unknown methods are refused before this runs
    /// (`UnsupportedFeature`).
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init()
        if var htpasswd = try reader.object("htpasswd") {
            guard let path = try htpasswd.string("path"), !path.isEmpty else {
                throw .missing(
                    keyPath: htpasswd.path.appending("path").description,
                    expected: "the path of an htpasswd file of bcrypt hashes (htpasswd -B)")
            }
            htpasswdPath = path
            warnings += htpasswd.unknownKeyWarnings()
        }
        apiKeys = try reader.bool("apikey") ?? false
        if var bearer = try reader.object("bearer") {
            self.bearer = try BearerConfig(reading: &bearer, warnings: &warnings)
        }
        if let seconds = try reader.integer("failDelay", in: 0...3600) {
            failDelay = .seconds(seconds)
        }
        secureSession = try reader.bool("secureSession") ?? false
        if var mtls = try reader.object("mtls") {
            try Self.checkClientCertificateIdentity(&mtls, warnings: &warnings)
        }
        // zotd keeps sessions in its database: neither cookie keys nor a session store are needed.
        _ = try reader.value("sessionKeysFile")
        _ = try reader.value("sessionDriver")
        warnings += reader.unknownKeyWarnings()
    }

    /// zot's `auth.mtls.identityAttributes`: zotd takes the identity from the CommonName only.
    private static func checkClientCertificateIdentity(
        _ reader: inout ConfigReader, warnings: inout [ConfigWarning]
    ) throws(ConfigError) {
        if let attributes = try reader.strings("identityAttributes") {
            for (index, attribute) in attributes.enumerated() where attribute.lowercased() != "commonname" {
                throw .unsupported(
                    keyPath: reader.path.appending("identityAttributes").appending(index: index).description,
                    feature: "client certificate identity from \(attribute)",
                    why: "zotd takes a client certificate's identity from its CommonName only; "
                        + "\"\(attribute)\" is not supported yet")
            }
        }
        if try reader.value("uriSanPattern") != nil {
            throw .unsupported(
                keyPath: reader.path.appending("uriSanPattern").description, feature: "URI SAN identities",
                why: "zotd takes a client certificate's identity from its CommonName only")
        }
        warnings += reader.unknownKeyWarnings()
    }
}

extension BearerConfig {
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        for member in ["oidc", "awsSecretsManager", "upstreamTokenEndpoint"] where try reader.value(member) != nil {
            throw .unsupported(
                keyPath: reader.path.appending(member).description, feature: "bearer \(member)",
                why: "zotd verifies bearer tokens against http.auth.bearer.cert only; \(member) is not supported yet")
        }
        guard let realm = try reader.string("realm"), !realm.isEmpty else {
            throw .missing(keyPath: reader.path.appending("realm").description, expected: "the token server's URL")
        }
        guard let cert = try reader.string("cert"), !cert.isEmpty else {
            throw .missing(
                keyPath: reader.path.appending("cert").description,
                expected: "the path of the token server's certificate (PEM)")
        }
        self.init(realm: realm, service: try reader.string("service") ?? "", certificatePath: cert)
        warnings += reader.unknownKeyWarnings()
    }
}
