import Testing

@testable import Storage

@Suite struct DigestTests {
    static let sha256Hex = String(repeating: "ab", count: 32)
    static let sha512Hex = String(repeating: "cd", count: 64)

    /// OCI image spec: `sha256:` followed by 64 lower-case hex digits.
    @Test func parsesSha256() throws {
        let digest = try Digest(parsing: "sha256:\(Self.sha256Hex)")
        #expect(digest.algorithm == .sha256)
        #expect(digest.description == "sha256:\(Self.sha256Hex)")
    }

    @Test func parsesSha512() throws {
        let digest = try Digest(parsing: "sha512:\(Self.sha512Hex)")
        #expect(digest.algorithm == .sha512)
    }

    @Test(arguments: [
        "", "sha256", "sha256:", ":abc", "sha256:\(String(repeating: "AB", count: 32))",
        "sha256:\(String(repeating: "a", count: 63))", "sha256:\(String(repeating: "g", count: 64))",
        "SHA256:\(String(repeating: "ab", count: 32))", "sha512:\(String(repeating: "ab", count: 32))",
        "sha256:../../../etc/passwd",
    ])
    func refusesMalformedDigest(_ text: String) {
        #expect(throws: StorageError.self) { try Digest(parsing: text) }
    }

    /// A well-formed digest with an algorithm zotd cannot verify is unsupported, not malformed.
    @Test func unknownAlgorithmIsUnsupported() {
        #expect(throws: StorageError.digestUnsupported("md5:abcdef")) { try Digest(parsing: "md5:abcdef") }
    }

    @Test func hashesContentIncrementally() {
        var hasher = ContentHasher(.sha256)
        hasher.update(Array("hello ".utf8))
        hasher.update(Array("world".utf8))
        #expect(hasher.finalize().encoded == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    }
}
