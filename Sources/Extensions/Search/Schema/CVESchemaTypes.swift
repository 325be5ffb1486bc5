import Graphiti

extension SearchSchema {
    static func cveResultForImage() -> Component {
        Type(CVEResultForImage.self) {
            Field("Tag", at: \.tag)
            Field("CVEList", at: \.cveList?.withNullableElements)
            Field("Summary", at: \.summary)
            Field("Page", at: \.page)
        }
        .description("The CVEs affecting one image.")
    }

    static func imageIdentifier() -> Component {
        Type(ImageIdentifier.self) {
            Field("Repo", at: \.repo)
            Field("Tag", at: \.tag)
            Field("Digest", at: \.digest)
            Field("Platform", at: \.platform)
        }
        .description("Names one image, optionally narrowed to a platform.")
    }

    static func cveDiffResult() -> Component {
        Type(CVEDiffResult.self) {
            Field("Minuend", at: \.minuend)
            Field("Subtrahend", at: \.subtrahend)
            Field("CVEList", at: \.cveList?.withNullableElements)
            Field("Summary", at: \.summary)
            Field("Page", at: \.page)
        }
        .description("CVEs present in the minuend image and absent from the subtrahend image.")
    }

    static func cve() -> Component {
        Type(CVE.self) {
            Field("Id", at: \.id)
            Field("Title", at: \.title)
            Field("Description", at: \.description)
            Field("Reference", at: \.reference)
            Field("Severity", at: \.severity)
            Field("PackageList", at: \.packageList?.withNullableElements)
        }
        .description("A known vulnerability and the packages where it was found.")
    }

    static func packageInfo() -> Component {
        Type(PackageInfo.self) {
            Field("Name", at: \.name)
            Field("PackagePath", at: \.packagePath)
            Field("InstalledVersion", at: \.installedVersion)
            Field("FixedVersion", at: \.fixedVersion)
        }
        .description("A vulnerable package: where it is, which version is installed, which fixes it.")
    }

    static func imageVulnerabilitySummary() -> Component {
        Type(ImageVulnerabilitySummary.self) {
            Field("MaxSeverity", at: \.maxSeverity)
            Field("Count", at: \.count)
            Field("UnknownCount", at: \.unknownCount)
            Field("LowCount", at: \.lowCount)
            Field("MediumCount", at: \.mediumCount)
            Field("HighCount", at: \.highCount)
            Field("CriticalCount", at: \.criticalCount)
        }
        .description("How many CVEs an image has, in total and per severity.")
    }
}
