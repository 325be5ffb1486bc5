import Crypto

/// A content digest as the OCI image spec writes it: `algorithm:encoded`.
///
/// Only the algorithms zotd can verify are representable, so holding a `Digest` means
/// the string was well-formed and its algorithm is one we hash with.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    /// Lower-case hex of the hash.
    public let encoded: String

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`.
    /// - Throws: `StorageError.digestInvalid` for a malformed string,
    ///   `StorageError.digestUnsupported` for a well-formed one with an algorithm we do not hash.
    public init(parsing string: some StringProtocol) throws(StorageError) {
        guard let colon = string.firstIndex(of: ":") else {
            throw .digestInvalid(String(string))
        }
        let algorithmName = string[..<colon]
        let encoded = string[string.index(after: colon)...]
        guard Digest.isWellFormedAlgorithm(algorithmName), !encoded.isEmpty else {
            throw .digestInvalid(String(string))
        }
        guard let algorithm = DigestAlgorithm(rawValue: String(algorithmName)) else {
            throw .digestUnsupported(String(string))
        }
        guard encoded.utf8.count == algorithm.hexLength,
            encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw .digestInvalid(String(string))
        }
        self.algorithm = algorithm
        self.encoded = String(encoded)
    }

    public init(algorithm: DigestAlgorithm, encoded: String) {
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// The sha256 digest of `bytes`.
    public static func sha256(of bytes: some Sequence<UInt8>) -> Digest {
        var hasher = ContentHasher(.sha256)
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    public var description: String { "\(algorithm.rawValue):\(encoded)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    /// The image spec's grammar: `[a-z0-9]+([+._-][a-z0-9]+)*`.
    private static func isWellFormedAlgorithm(_ name: some StringProtocol) -> Bool {
        var previousWasSeparator = true
        for byte in name.utf8 {
            let isAlphanumeric = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            if isAlphanumeric {
                previousWasSeparator = false
            } else if byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
            {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !previousWasSeparator
    }
}

/// The hash functions zotd verifies content with.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256
    case sha512

    var hexLength: Int {
        switch self {
        case .sha256: 64
        case .sha512: 128
        }
    }
}
