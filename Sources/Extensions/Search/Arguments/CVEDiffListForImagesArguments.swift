/// Arguments of `CVEDiffListForImages`.
struct CVEDiffListForImagesArguments: Codable, Sendable, Equatable {
    var minuend: ImageInput
    var subtrahend: ImageInput
    var requestedPage: PageInput? = nil
    var searchedCVE: String? = nil
    var excludedCVE: String? = nil
}
