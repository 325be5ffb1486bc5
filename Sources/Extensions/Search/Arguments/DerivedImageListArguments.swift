/// Arguments of `DerivedImageList`.
struct DerivedImageListArguments: Codable, Sendable, Equatable {
    var image: String
    var digest: String? = nil
    var requestedPage: PageInput? = nil
}
