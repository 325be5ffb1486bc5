import Foundation

/// One tagged image (a manifest or an index) as listed by the search queries.
struct ImageSummary: Sendable, Equatable {
    var repoName: String?
    var tag: String?
    var digest: String?
    var mediaType: String?
    var manifests: [ManifestSummary]?
    /// Decimal bytes; a String because GraphQL's Int is only 32 bits.
    var size: String?
    var downloadCount: Int?
    var lastPullTimestamp: Date?
    var pushTimestamp: Date?
    var pushedBy: String?
    var taggedTimestamp: Date?
    var lastUpdated: Date?
    var description: String?
    var isSigned: Bool?
    var signatureInfo: [SignatureSummary]?
    var licenses: String?
    var labels: String?
    var title: String?
    var source: String?
    var documentation: String?
    var vendor: String?
    var authors: String?
    var vulnerabilities: ImageVulnerabilitySummary?
    var referrers: [Referrer]?
    var isDeletable: Bool?
    var artifactType: String?
}

/// One platform-specific manifest of an image.
struct ManifestSummary: Sendable, Equatable {
    var digest: String?
    var configDigest: String?
    var lastUpdated: Date?
    var size: String?
    var isSigned: Bool?
    var signatureInfo: [SignatureSummary]?
    var platform: Platform?
    var downloadCount: Int?
    var layers: [LayerSummary]?
    var history: [LayerHistory]?
    var vulnerabilities: ImageVulnerabilitySummary?
    var referrers: [Referrer]?
    var artifactType: String?
}

/// An operating system and CPU architecture pair.
struct Platform: Sendable, Equatable {
    var os: String?
    var arch: String?
}

/// One signature of an image and whether it verified.
struct SignatureSummary: Sendable, Equatable {
    var tool: String?
    var isTrusted: Bool?
    var author: String?
}
