/// A manifest whose subject is the image being described (signature, SBOM, ...).
struct Referrer: Sendable, Equatable {
    var mediaType: String?
    var artifactType: String?
    var size: Int?
    var digest: String?
    var annotations: [Annotation] = []
}

/// One key/value annotation of a referrer.
struct Annotation: Sendable, Equatable {
    var key: String?
    var value: String?
}
