/// Arguments of `ImageListForCVE`; `id` is the CVE id.
struct ImageListForCVEArguments: Codable, Sendable, Equatable {
    var id: String
    var filter: Filter? = nil
    var requestedPage: PageInput? = nil
}
