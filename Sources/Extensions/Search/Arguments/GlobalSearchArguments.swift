/// Arguments of `GlobalSearch`.
struct GlobalSearchArguments: Codable, Sendable, Equatable {
    var query: String
    var filter: Filter? = nil
    var requestedPage: PageInput? = nil
}
