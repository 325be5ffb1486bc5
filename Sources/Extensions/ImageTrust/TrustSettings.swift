import Config

/// `extensions.trust`, as zot reads it (`{"enable": true, "cosign": true, "notation": true}`), and zotd's own
/// `signaturePolicies`.
struct TrustSettings: Sendable, Equatable {
    /// Accept cosign public keys at `/v2/_zot/ext/cosign` and verify cosign signatures.
    var cosign = false
    /// Accept notation certificates at `/v2/_zot/ext/notation` and verify notation signatures.
    var notation = false
    var policies: [SignaturePolicy] = []

    init(cosign: Bool = false, notation: Bool = false, policies: [SignaturePolicy] = []) {
        self.cosign = cosign
        self.notation = notation
        self.policies = policies
    }

    /// - Throws: `ConfigError.invalid` naming the key that is not what it should be.
    init(section: JSONValue) throws(ConfigError) {
        let path = "extensions.trust"
        for key in ["cosign", "notation"] {
            if let value = section[key], value != .null, value.boolValue == nil {
                throw .invalid(keyPath: "\(path).\(key)", expected: "true or false", got: value.summary)
            }
        }
        cosign = section["cosign"]?.boolValue ?? false
        notation = section["notation"]?.boolValue ?? false
        guard let value = section["signaturePolicies"], value != .null else { return }
        guard let items = value.arrayValue else {
            throw .invalid(keyPath: "\(path).signaturePolicies", expected: "a list of policies", got: value.summary)
        }
        for (index, item) in items.enumerated() {
            policies.append(try SignaturePolicy(reading: item, at: "\(path).signaturePolicies[\(index)]"))
        }
    }
}
