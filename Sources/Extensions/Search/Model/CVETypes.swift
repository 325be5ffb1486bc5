/// The CVEs found in one image.
struct CVEResultForImage: Sendable, Equatable {
    var tag: String?
    var cveList: [CVE]?
    var summary: ImageVulnerabilitySummary?
    var page: PageInfo?
}

/// Names one image (and optionally one platform of it) in a CVE comparison.
struct ImageIdentifier: Sendable, Equatable {
    var repo: String
    var tag: String
    var digest: String?
    var platform: Platform?
}

/// The CVEs of the minuend image that the subtrahend image does not have.
struct CVEDiffResult: Sendable, Equatable {
    var minuend: ImageIdentifier
    var subtrahend: ImageIdentifier
    var cveList: [CVE]?
    var summary: ImageVulnerabilitySummary?
    var page: PageInfo?
}

/// One vulnerability and the packages it was found in.
struct CVE: Sendable, Equatable {
    var id: String?
    var title: String?
    var description: String?
    var reference: String?
    var severity: String?
    var packageList: [PackageInfo]?
}

/// A package hit by a CVE.
struct PackageInfo: Sendable, Equatable {
    var name: String?
    var packagePath: String?
    var installedVersion: String?
    var fixedVersion: String?
}

/// CVE counts per severity for one image.
struct ImageVulnerabilitySummary: Sendable, Equatable {
    var maxSeverity: String?
    var count: Int?
    var unknownCount: Int?
    var lowCount: Int?
    var mediumCount: Int?
    var highCount: Int?
    var criticalCount: Int?
}
