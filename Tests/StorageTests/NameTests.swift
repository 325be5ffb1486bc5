import Testing

@testable import Storage

@Suite struct NameTests {
    /// The distribution spec's name grammar, nested components included.
    @Test(arguments: ["a", "library/ubuntu", "a/b/c", "my-app", "my--app", "my.app", "my_app", "my__app", "a0/b1.c2_d3"])
    func acceptsSpecNames(_ name: String) throws {
        #expect(try RepositoryName(parsing: name).value == name)
    }

    @Test(arguments: [
        "", "..", "a/..", "../a", "a/../b", "A", "library/Ubuntu", "a//b", "/a", "a/", "-a", "a-", "a.", "a._b",
        "a___b", "a b", "a%2fb", String(repeating: "a", count: 256),
    ])
    func refusesInvalidNames(_ name: String) {
        #expect(throws: StorageError.self) { try RepositoryName(parsing: name) }
    }

    @Test(arguments: ["latest", "v1.0.0", "_x", "A-b.c_d", String(repeating: "t", count: 128)])
    func acceptsSpecTags(_ tag: String) throws {
        #expect(try Tag(parsing: tag).value == tag)
    }

    @Test(arguments: ["", ".x", "-x", "a/b", "a:b", String(repeating: "t", count: 129)])
    func refusesInvalidTags(_ tag: String) {
        #expect(throws: StorageError.self) { try Tag(parsing: tag) }
    }

    @Test func referenceWithColonIsDigest() throws {
        let reference = try Reference(parsing: "sha256:\(DigestTests.sha256Hex)")
        guard case .digest = reference else { Issue.record("expected a digest"); return }
    }
}
