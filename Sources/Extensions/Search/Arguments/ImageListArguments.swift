/// Arguments of `ImageList`; an empty `repo` means all repositories.
struct ImageListArguments: Codable, Sendable, Equatable {
    var repo: String
    var requestedPage: PageInput? = nil
}
