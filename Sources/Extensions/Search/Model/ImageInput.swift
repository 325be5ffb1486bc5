/// Names an image (optionally one of its platforms) as a query argument.
struct ImageInput: Codable, Sendable, Equatable {
    var repo: String
    var tag: String
    var digest: String?
    var platform: PlatformInput?

    // GraphQL field names are capitalized; Graphiti decodes arguments by those names.
    enum CodingKeys: String, CodingKey {
        case repo = "Repo", tag = "Tag", digest = "Digest", platform = "Platform"
    }
}

/// An operating system and architecture pair as a query argument.
struct PlatformInput: Codable, Sendable, Equatable {
    var os: String?
    var arch: String?

    enum CodingKeys: String, CodingKey {
        case os = "Os", arch = "Arch"
    }
}
