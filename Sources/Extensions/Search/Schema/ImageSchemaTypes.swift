import Graphiti

extension SearchSchema {
    static func imageSummary() -> Component {
        Type(ImageSummary.self) {
            Field("RepoName", at: \.repoName)
            Field("Tag", at: \.tag)
            Field("Digest", at: \.digest)
            Field("MediaType", at: \.mediaType)
            Field("Manifests", at: \.manifests?.withNullableElements)
            Field("Size", at: \.size)
            Field("DownloadCount", at: \.downloadCount)
            Field("LastPullTimestamp", at: \.lastPullTimestamp)
            Field("PushTimestamp", at: \.pushTimestamp)
            Field("PushedBy", at: \.pushedBy)
            Field("TaggedTimestamp", at: \.taggedTimestamp)
            Field("LastUpdated", at: \.lastUpdated)
            Field("Description", at: \.description)
            Field("IsSigned", at: \.isSigned)
            Field("SignatureInfo", at: \.signatureInfo?.withNullableElements)
            Field("Licenses", at: \.licenses)
            Field("Labels", at: \.labels)
            Field("Title", at: \.title)
            Field("Source", at: \.source)
            Field("Documentation", at: \.documentation)
            Field("Vendor", at: \.vendor)
            Field("Authors", at: \.authors)
            Field("Vulnerabilities", at: \.vulnerabilities)
            Field("Referrers", at: \.referrers?.withNullableElements)
            Field("IsDeletable", at: \.isDeletable)
            Field("ArtifactType", at: \.artifactType)
        }
        .description("A tagged image in a repository, with its manifests and metadata.")
    }

    static func manifestSummary() -> Component {
        Type(ManifestSummary.self) {
            Field("Digest", at: \.digest)
            Field("ConfigDigest", at: \.configDigest)
            Field("LastUpdated", at: \.lastUpdated)
            Field("Size", at: \.size)
            Field("IsSigned", at: \.isSigned)
            Field("SignatureInfo", at: \.signatureInfo?.withNullableElements)
            Field("Platform", at: \.platform)
            Field("DownloadCount", at: \.downloadCount)
            Field("Layers", at: \.layers?.withNullableElements)
            Field("History", at: \.history?.withNullableElements)
            Field("Vulnerabilities", at: \.vulnerabilities)
            Field("Referrers", at: \.referrers?.withNullableElements)
            Field("ArtifactType", at: \.artifactType)
        }
        .description("One platform-specific manifest of an image.")
    }

    static func layerSummary() -> Component {
        Type(LayerSummary.self) {
            Field("Size", at: \.size)
            Field("Digest", at: \.digest)
        }
        .description("A layer blob; Size is a decimal string of bytes.")
    }

    static func historyDescription() -> Component {
        Type(HistoryDescription.self) {
            Field("Created", at: \.created)
            Field("CreatedBy", at: \.createdBy)
            Field("Author", at: \.author)
            Field("Comment", at: \.comment)
            Field("EmptyLayer", at: \.emptyLayer)
        }
        .description("A history entry from the image config.")
    }

    static func layerHistory() -> Component {
        Type(LayerHistory.self) {
            Field("Layer", at: \.layer)
            Field("HistoryDescription", at: \.historyDescription)
        }
        .description("A config history entry paired with the layer it produced, if any.")
    }

    static func annotation() -> Component {
        Type(Annotation.self) {
            Field("Key", at: \.key)
            Field("Value", at: \.value)
        }
        .description("A key/value annotation.")
    }

    static func referrer() -> Component {
        Type(Referrer.self) {
            Field("MediaType", at: \.mediaType)
            Field("ArtifactType", at: \.artifactType)
            Field("Size", at: \.size)
            Field("Digest", at: \.digest)
            Field("Annotations", at: \.annotations.withNullableElements)
        }
        .description("A manifest that refers to another one through its subject.")
    }

    static func platform() -> Component {
        Type(Platform.self) {
            Field("Os", at: \.os)
            Field("Arch", at: \.arch)
        }
        .description("Operating system and CPU architecture, in Go's GOOS/GOARCH spelling.")
    }

    static func signatureSummary() -> Component {
        Type(SignatureSummary.self) {
            Field("Tool", at: \.tool)
            Field("IsTrusted", at: \.isTrusted)
            Field("Author", at: \.author)
        }
        .description("A signature on an image and whether it could be verified.")
    }
}
