/// Which page of a result set to return; all fields nil means "everything".
struct PageInput: Codable, Sendable, Equatable {
    var limit: Int?
    var offset: Int?
    var sortBy: SortCriteria?
}

/// Orderings a page can be sorted by; raw values are the GraphQL enum values.
enum SortCriteria: String, Codable, Sendable, CaseIterable {
    case relevance = "RELEVANCE"
    case updateTime = "UPDATE_TIME"
    case alphabeticAsc = "ALPHABETIC_ASC"
    case alphabeticDsc = "ALPHABETIC_DSC"
    case severity = "SEVERITY"
    case stars = "STARS"
    case downloads = "DOWNLOADS"
}
