/// Arguments of `ImageListWithCVEFixed`; `id` is the CVE id, `image` the repository.
struct ImageListWithCVEFixedArguments: Codable, Sendable, Equatable {
    var id: String
    var image: String
    var filter: Filter? = nil
    var requestedPage: PageInput? = nil
}
