/// Arguments of `CVEListForImage`.
struct CVEListForImageArguments: Codable, Sendable, Equatable {
    var image: String
    var requestedPage: PageInput? = nil
    var searchedCVE: String? = nil
    var excludedCVE: String? = nil
    var severity: String? = nil
}
