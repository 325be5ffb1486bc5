/// Narrows image and repository listings.
struct Filter: Codable, Sendable, Equatable {
    var os: [String]?
    var arch: [String]?
    var hasToBeSigned: Bool?
    var isBookmarked: Bool?
    var isStarred: Bool?

    enum CodingKeys: String, CodingKey {
        case os = "Os", arch = "Arch", hasToBeSigned = "HasToBeSigned"
        case isBookmarked = "IsBookmarked", isStarred = "IsStarred"
    }

    init(
        os: [String]? = nil, arch: [String]? = nil, hasToBeSigned: Bool? = nil,
        isBookmarked: Bool? = nil, isStarred: Bool? = nil
    ) {
        self.os = os
        self.arch = arch
        self.hasToBeSigned = hasToBeSigned
        self.isBookmarked = isBookmarked
        self.isStarred = isStarred
    }

    // The SDL allows null list items (`[String]`); a null OS or arch can match
    // nothing, so it is dropped rather than failing the whole request.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        os = try container.decodeIfPresent([String?].self, forKey: .os)?.compactMap { $0 }
        arch = try container.decodeIfPresent([String?].self, forKey: .arch)?.compactMap { $0 }
        hasToBeSigned = try container.decodeIfPresent(Bool.self, forKey: .hasToBeSigned)
        isBookmarked = try container.decodeIfPresent(Bool.self, forKey: .isBookmarked)
        isStarred = try container.decodeIfPresent(Bool.self, forKey: .isStarred)
    }
}
