import Foundation
import X509

extension NotationEnvelope {
    /// COSE's algorithm numbers (RFC 9053, RFC 8230) by the JWS names the verifier knows them by.
    static let coseAlgorithms: [Int64: String] = [
        -37: "PS256", -38: "PS384", -39: "PS512", -7: "ES256", -35: "ES384", -36: "ES512",
    ]

    /// A COSE_Sign1 envelope as notation writes it (`--signature-format cose`, the Notary Project's
    /// `signature-envelope-cose.md`): tag 18 over `[protected, unprotected, payload, signature]`, the protected
    /// header naming `alg` (1), `crit` (2), `cty` (3), the signing scheme and time (tag 1, epoch seconds), the
    /// unprotected header the chain under `x5chain` (33). The signature is over `Sig_structure`
    /// (`["Signature1", protected, h'', payload]`, RFC 9052 §4.4).
    init(cose bytes: [UInt8]) throws(SignatureProblem) {
        var message = try CBOR.decode(bytes)
        if case .tagged(18, let inner) = message { message = inner }
        guard case .array(let parts) = message, parts.count == 4, case .bytes(let protectedBytes) = parts[0],
            case .bytes(let payloadBytes) = parts[2], case .bytes(let signature) = parts[3]
        else { throw .malformed("not a COSE_Sign1 message") }
        let protected = try CBOR.decode(protectedBytes)
        guard let number = protected[.unsigned(1)]?.integer, let algorithm = Self.coseAlgorithms[number] else {
            throw .unsupported("COSE algorithm \(String(describing: protected[.unsigned(1)]))")
        }
        guard protected[.unsigned(3)] == .text(NotationVerification.payloadContentType) else {
            throw .malformed("the payload's content type is not \(NotationVerification.payloadContentType)")
        }
        guard case .text(let scheme)? = protected[.text("io.cncf.notary.signingScheme")], Self.signingSchemes.contains(scheme)
        else { throw .unsupported("signing scheme \(String(describing: protected[.text("io.cncf.notary.signingScheme")]))") }
        guard case .array(let critical)? = protected[.unsigned(2)], critical.contains(.text("io.cncf.notary.signingScheme")),
            critical.allSatisfy({ if case .text(let name) = $0 { Self.understoodCritical.contains(name) } else { false } })
        else { throw .malformed("crit must name the signing scheme and nothing unknown") }
        guard let time = Self.epoch(protected[.text("io.cncf.notary.signingTime")])
            ?? Self.epoch(protected[.text("io.cncf.notary.authenticSigningTime")])
        else { throw .malformed("no signing time") }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(payloadBytes)) else {
            throw .malformed("the payload is not JSON naming a target artifact")
        }
        var chain: [Certificate] = []
        let x5chain = parts[1][.unsigned(33)]
        let encodedChain: [CBOR]
        switch x5chain {
        case .array(let items)?: encodedChain = items
        case .bytes(let single)?: encodedChain = [.bytes(single)]
        default: encodedChain = []
        }
        for item in encodedChain {
            guard case .bytes(let der) = item, let certificate = try? Certificate(derEncoded: der) else {
                throw .malformed("x5chain holds something that is not a DER certificate")
            }
            chain.append(certificate)
        }
        self.init(
            signingInput: CBOR.array([.text("Signature1"), .bytes(protectedBytes), .bytes([]), .bytes(payloadBytes)]).encoded,
            signature: signature, algorithm: algorithm, signingScheme: scheme, signingTime: time,
            expiry: Self.epoch(protected[.text("io.cncf.notary.expiry")]), chain: chain, payload: payload)
    }

    /// A time as COSE carries it: tag 1 around epoch seconds.
    private static func epoch(_ item: CBOR?) -> Date? {
        guard case .tagged(1, let seconds)? = item, let value = seconds.integer else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(value))
    }
}
