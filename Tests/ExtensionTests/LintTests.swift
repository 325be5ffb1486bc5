import Config
import Foundation
import Storage
import Testing

@testable import LintExtension
@testable import Registry

private let oci = "application/vnd.oci.image.manifest.v1+json"
private let title = "org.opencontainers.image.title"
private let licenses = "org.opencontainers.image.licenses"

/// An image whose config blob carries `labels`, as a push would submit it.
private struct Push {
    var annotations: [String: String]? = nil
    var labels: [String: String] = [:]
    var mediaType = ManifestMediaType.ociManifest
    var artifactType: String? = nil
    var configMediaType = "application/vnd.oci.image.config.v1+json"
    var tag = "latest"
    /// Whether the config blob is in the repository.
    var configStored = true

    var config: [UInt8] {
        let object: [String: Any] = ["architecture": "amd64", "os": "linux", "config": ["Labels": labels]]
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    func submission() throws -> ManifestSubmission {
        let config = self.config
        let configDigest = Digest.sha256(of: config)
        var manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": mediaType.rawValue,
            "config": ["mediaType": configMediaType, "digest": configDigest.description, "size": config.count],
            "layers": [] as [Any],
        ]
        if let annotations { manifest["annotations"] = annotations }
        if let artifactType { manifest["artifactType"] = artifactType }
        let stored = configStored
        return ManifestSubmission(
            repository: try RepositoryName(parsing: "lint/test"),
            reference: try Reference(parsing: tag),
            content: Array(try JSONSerialization.data(withJSONObject: manifest)),
            mediaType: mediaType,
            readBlob: { digest, limit in
                stored && digest == configDigest && config.count <= limit ? config : nil
            }
        )
    }
}

private func lint(_ mandatory: [String]) -> LintExtension {
    LintExtension(mandatoryAnnotations: mandatory)
}

/// The refusal `push` gets, or `nil` when it is accepted.
private func refusal(_ linter: LintExtension, _ push: Push) async throws -> OCIError? {
    do {
        try await linter.check(try push.submission())
        return nil
    } catch let error as OCIError {
        return error
    }
}

/// zot's lint: "a manifest missing a mandatory annotation is refused with 400 MANIFEST_INVALID".
@Test func missingAnnotationIsRefusedAndNamed() async throws {
    let error = try #require(try await refusal(lint([title, licenses]), Push(annotations: [title: "x"])))
    #expect(error.code == .manifestInvalid)
    #expect(error.status == .badRequest)
    #expect(error.detail?.contains(licenses) == true)
    #expect(error.detail?.contains(title) == false, "only what is missing is named")
}

@Test func everyMissingAnnotationIsNamed() async throws {
    let error = try #require(try await refusal(lint([title, licenses]), Push()))
    #expect(error.detail?.contains(title) == true)
    #expect(error.detail?.contains(licenses) == true)
}

@Test func manifestWithEveryAnnotationIsAccepted() async throws {
    // Present keys count whatever their values, as in zot.
    #expect(try await refusal(lint([title, licenses]), Push(annotations: [title: "x", licenses: ""])) == nil)
}

/// zot's `CheckMandatoryAnnotations`: "if there are mandatory annotations missing in the manifest, get
/// config and check these annotations too" (`config.Labels`).
@Test func configLabelsMakeUpForManifestAnnotations() async throws {
    let push = Push(annotations: [title: "x"], labels: [licenses: "MIT"])
    #expect(try await refusal(lint([title, licenses]), push) == nil)
    #expect(try await refusal(lint([title, licenses]), Push(labels: [title: "x", licenses: "MIT"])) == nil)
}

/// A config that cannot be read leaves its labels unknown: refused, never let through.
@Test func unreadableConfigIsRefused() async throws {
    let push = Push(annotations: [title: "x"], labels: [licenses: "MIT"], configStored: false)
    #expect(try await refusal(lint([title, licenses]), push)?.code == .manifestInvalid)
}

/// zot's `ApplyLinter`: "we'll skip anything that's not a image manifest".
@Test(arguments: [ManifestMediaType.dockerManifest, .ociIndex, .dockerManifestList, .ociArtifact])
func onlyOCIImageManifestsAreLinted(_ mediaType: ManifestMediaType) async throws {
    #expect(try await refusal(lint([title]), Push(mediaType: mediaType)) == nil)
}

/// zot's `IsSignature`: cosign tags and cosign/notation artifact types are never linted.
@Test func signaturesAreNotLinted() async throws {
    let cosignTag = "sha256-" + String(repeating: "a", count: 64) + ".sig"
    #expect(try await refusal(lint([title]), Push(tag: cosignTag)) == nil)
    #expect(
        try await refusal(lint([title]), Push(artifactType: "application/vnd.cncf.notary.signature")) == nil)
    #expect(
        try await refusal(lint([title]), Push(configMediaType: "application/vnd.dev.cosign.artifact.sig.v1+json"))
            == nil)
    // An ordinary artifact is linted.
    #expect(try await refusal(lint([title]), Push(artifactType: "application/vnd.example+json")) != nil)
}

@Test func noMandatoryAnnotationsAcceptsEverything() async throws {
    #expect(try await refusal(lint([]), Push()) == nil)
}

// MARK: Config section

@Test func sectionIsRead() throws {
    let linter = try LintExtension(section: json(#"{"enable": true, "mandatoryAnnotations": ["a", "b", "a"]}"#))
    #expect(linter.mandatoryAnnotations == ["a", "b"])
    #expect(try LintExtension(section: json("{}")).mandatoryAnnotations.isEmpty)
}

@Test func badAnnotationListIsRefused() {
    #expect(throws: ConfigError.self) { try LintExtension(section: json(#"{"mandatoryAnnotations": "a"}"#)) }
    #expect(throws: ConfigError.self) { try LintExtension(section: json(#"{"mandatoryAnnotations": [1]}"#)) }
}

/// Newer zot's `mandatorySignatures` cannot be honoured yet: refused rather than ignored.
@Test func mandatorySignaturesAreRefused() throws {
    do {
        _ = try LintExtension(section: json(#"{"mandatorySignatures": ["**"]}"#))
        Issue.record("mandatorySignatures was accepted")
    } catch {
        #expect(error.isUnsupported)
        #expect(error.keyPath == "extensions.lint.mandatorySignatures")
    }
    #expect(throws: Never.self) { try LintExtension(section: json(#"{"mandatorySignatures": []}"#)) }
}
