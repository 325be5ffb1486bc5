/// Arguments of `BaseImageList`.
struct BaseImageListArguments: Codable, Sendable, Equatable {
    var image: String
    var digest: String? = nil
    var requestedPage: PageInput? = nil
}
