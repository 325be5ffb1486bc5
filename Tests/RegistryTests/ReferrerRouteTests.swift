import HTTPTypes
import Storage
import Testing

/// `GET /v2/<name>/referrers/<digest>` (OCI Distribution Spec v1.1) and the legacy ORAS path.
@Suite struct ReferrerRouteTests {
    let repository = "referrers/test"
    let sbom = "application/vnd.example.sbom.v1"
    let signature = "application/vnd.example.signature.v1"

    /// The image index the referrers API answers.
    private struct Index: Decodable {
        struct Entry: Decodable, Equatable {
            var mediaType: String
            var digest: String
            var size: Int
            var artifactType: String?
            var annotations: [String: String]?
        }
        var schemaVersion: Int
        var mediaType: String
        var manifests: [Entry]
    }

    /// Spec: the answer is an image index; "If a query results in no matching referrers, an empty manifest list".
    @Test func subjectWithoutReferrersHasAnEmptyIndex() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            try await registry.pushImage(subject, to: repository)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == MediaType.ociIndex)
            let index = try response.json(Index.self)
            #expect(index.schemaVersion == 2)
            #expect(index.mediaType == MediaType.ociIndex)
            #expect(index.manifests == [])
        }
    }

    /// Spec: "MUST NOT return a `404 Not Found` to a referrers API requests", even in an unknown repository.
    @Test(arguments: ["referrers/test", "referrers/nowhere"])
    func unknownSubjectIs200WithAnEmptyIndex(in name: String) async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: repository)
            let response = try await registry.get("/v2/\(name)/referrers/\(Digest.sha256(of: randomBytes(8)))")
            #expect(response.status == .ok)
            #expect(try response.json(Index.self).manifests == [])
        }
    }

    /// Spec: descriptors "MUST include an `artifactType` field" and "annotations from the image manifest".
    @Test func referrerIsListedWithItsDescriptorArtifactTypeAndAnnotations() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            try await registry.pushImage(subject, to: repository)
            let annotations = ["org.example.format": "spdx"]
            let referrer = TestImage.artifact(sbom, subject: subject.manifest, annotations: annotations)
            try await registry.pushImage(referrer, to: repository)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            let expected = Index.Entry(
                mediaType: MediaType.ociManifest, digest: referrer.digest.description,
                size: referrer.manifest.bytes.count, artifactType: sbom, annotations: annotations)
            #expect(try response.json(Index.self).manifests == [expected])
        }
    }

    /// Spec: without `artifactType`, "the value of `artifactType` MUST be set to the config descriptor `mediaType`".
    @Test func referrerWithoutArtifactTypeIsListedWithItsConfigMediaType() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            let referrer = TestImage.make(subject: subject.manifest)
            try await registry.pushImage(referrer, to: repository)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            #expect(try response.json(Index.self).manifests.map(\.artifactType) == [MediaType.ociConfig])
        }
    }

    /// Spec: "If the `artifactType` is empty or missing in an index, the `artifactType` MUST be omitted."
    @Test func indexWithASubjectIsListedWithoutArtifactType() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            let child = TestImage.make()
            try await registry.pushImage(child, to: repository)
            let index = TestManifest.index(of: [child.manifest], subject: subject.manifest, annotations: ["k": "v"])
            try await registry.pushManifest(index, to: repository)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            let expected = Index.Entry(
                mediaType: MediaType.ociIndex, digest: index.digest.description, size: index.bytes.count,
                artifactType: nil, annotations: ["k": "v"])
            #expect(try response.json(Index.self).manifests == [expected])
            #expect(!response.text.contains("artifactType"))
        }
    }

    /// Spec: a filter applied "MUST include a header `OCI-Filters-Applied: artifactType`", even when nothing matches.
    @Test(arguments: [true, false])
    func artifactTypeFilterKeepsMatchingReferrersAndSaysSo(matching: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            let wanted = TestImage.artifact(sbom, subject: subject.manifest)
            try await registry.pushImage(wanted, to: repository)
            try await registry.pushImage(.artifact(signature, subject: subject.manifest), to: repository)
            let filter = matching ? sbom : "application/vnd.example.none"
            let response = try await registry.get(
                "/v2/\(repository)/referrers/\(subject.digest)?artifactType=\(filter)")
            #expect(response.status == .ok)
            #expect(response.headers[OCIHeader.filtersApplied] == "artifactType")
            let listed = try response.json(Index.self).manifests.map(\.digest)
            #expect(listed == (matching ? [wanted.digest.description] : []))
        }
    }

    /// `OCI-Filters-Applied` names the filters applied: with none asked, or an empty `artifactType`, none is named.
    @Test(arguments: ["", "?artifactType="])
    func unfilteredListingHasNoFiltersAppliedHeader(query: String) async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            try await registry.pushImage(.artifact(sbom, subject: subject.manifest), to: repository)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)\(query)")
            #expect(response.headers[OCIHeader.filtersApplied] == nil)
            #expect(try response.json(Index.self).manifests.count == 1)
        }
    }

    /// Spec: "a `<digest>` with an invalid syntax, a `400 Bad Request` MUST be returned"; a tag is not a digest.
    @Test(arguments: ["sha256:nothex", "subject"])
    func referrersOfSomethingNotADigestIs400DigestInvalid(digest: String) async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.get("/v2/\(repository)/referrers/\(digest)")
            expectOCIError(response, .badRequest, "DIGEST_INVALID")
        }
    }

    /// A referrer whose manifest is deleted disappears from the list.
    @Test func deletedReferrerIsNoLongerListed() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            let referrer = TestImage.artifact(signature, subject: subject.manifest)
            try await registry.pushImage(referrer, to: repository)
            let deleted = try await registry.delete("/v2/\(repository)/manifests/\(referrer.digest)")
            #expect(deleted.status == .accepted)
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            #expect(try response.json(Index.self).manifests == [])
        }
    }

    /// Spec: descriptors are of manifests "in the same `<name>` namespace".
    @Test func referrersAreScopedToTheRepository() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            try await registry.pushImage(subject, to: repository)
            try await registry.pushImage(.artifact(signature, subject: subject.manifest), to: "referrers/other")
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            #expect(try response.json(Index.self).manifests == [])
        }
    }

    /// Spec: a subject may be missing, "allowing clients to push a manifest and referrers […] in either order".
    @Test func referrerPushedBeforeItsSubjectIsListed() async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            let referrer = TestImage.artifact(signature, subject: subject.manifest)
            try await registry.pushImage(referrer, to: repository)
            try await registry.pushImage(subject, to: repository, as: "later")
            let response = try await registry.get("/v2/\(repository)/referrers/\(subject.digest)")
            #expect(try response.json(Index.self).manifests.map(\.digest) == [referrer.digest.description])
        }
    }

    /// zot: the legacy ORAS path `/oras/artifacts/v1/<name>/manifests/<digest>/referrers` is always served.
    @Test func legacyORASPathListsTheReferences() async throws {
        try await RouteTestRegistry.with { registry in
            struct References: Decodable { var references: [Index.Entry] }
            let subject = TestImage.make()
            let referrer = TestImage.artifact(signature, subject: subject.manifest)
            try await registry.pushImage(referrer, to: repository)
            let path = "/oras/artifacts/v1/\(repository)/manifests/\(subject.digest)/referrers"
            let response = try await registry.get(path)
            #expect(response.status == .ok)
            #expect(try response.json(References.self).references.map(\.digest) == [referrer.digest.description])
        }
    }
}
