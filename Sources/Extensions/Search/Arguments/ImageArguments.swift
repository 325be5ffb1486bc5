/// Arguments of `Image`.
struct ImageArguments: Codable, Sendable, Equatable {
    var image: String
}
