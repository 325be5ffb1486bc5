/// Arguments of `ImageListForDigest`; `id` is the digest.
struct ImageListForDigestArguments: Codable, Sendable, Equatable {
    var id: String
    var requestedPage: PageInput? = nil
}
