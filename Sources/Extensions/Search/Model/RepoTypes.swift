import Foundation

/// One repository as listed by the search queries.
struct RepoSummary: Sendable, Equatable {
    var name: String?
    var lastUpdated: Date?
    var size: String?
    var platforms: [Platform]?
    var vendors: [String]?
    var newestImage: ImageSummary?
    var downloadCount: Int?
    var starCount: Int?
    var isBookmarked: Bool?
    var isStarred: Bool?
    var rank: Int?
}

/// A repository together with all of its images.
struct RepoInfo: Sendable, Equatable {
    var images: [ImageSummary]?
    var summary: RepoSummary?
}
