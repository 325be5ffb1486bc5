import HTTPTypes
import Storage
import Testing

/// `/v2/<name>/manifests/<reference>`: pushes, pulls, deletes (refused pushes: `ManifestRejectionRouteTests`).
@Suite struct ManifestRouteTests {
    let repository = "manifests/test"

    /// Spec: "MUST return response code `201 Created`, and MUST have `Location: <location>`", plus the digest.
    @Test func putByTagIs201WithLocationAndDigest() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            let response = try await registry.pushImage(image, to: repository, as: "latest")
            #expect(response.headers[OCIHeader.contentDigest] == image.digest.description)
            #expect(response.headers[.location] == "/v2/\(repository)/manifests/\(image.digest)")
        }
    }

    /// Spec: "the `<reference>` MUST be either a) a digest or b) a tag"; pushed by digest, it is pulled by it.
    @Test func putByDigestIsPullableByThatDigest() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository)
            let response = try await registry.get("/v2/\(repository)/manifests/\(image.digest)")
            #expect(response.status == .ok)
            #expect(response.bytes == image.manifest.bytes)
        }
    }

    /// Spec: GET "MUST provide the expected manifest", its `Content-Type` the one pushed, its bytes as stored.
    @Test(arguments: [true, false])
    func getReturnsTheStoredBytesTypeAndDigest(byTag: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "v1")
            let reference = byTag ? "v1" : image.digest.description
            let response = try await registry.get("/v2/\(repository)/manifests/\(reference)")
            #expect(response.status == .ok)
            #expect(response.bytes == image.manifest.bytes)
            #expect(response.headers[.contentType] == MediaType.ociManifest)
            #expect(response.headers[OCIHeader.contentDigest] == image.digest.description)
            #expect(response.headers[.eTag] == "\"\(image.digest)\"")
        }
    }

    /// Spec (HEAD): `Docker-Content-Digest` and `Content-Length`, and it "**must not** include a response body".
    @Test func headGivesTypeLengthAndDigestWithoutABody() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "v1")
            let response = try await registry.head("/v2/\(repository)/manifests/v1")
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == String(image.manifest.bytes.count))
            #expect(response.headers[.contentType] == MediaType.ociManifest)
            #expect(response.headers[OCIHeader.contentDigest] == image.digest.description)
            #expect(response.bytes.isEmpty)
        }
    }

    /// Spec: "The registry MUST store the manifest in the exact byte representation provided by the client."
    @Test func manifestBytesAreKeptExactlyAsPushed() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let text = String(decoding: image.manifest.bytes, as: UTF8.self)
            let reformatted = "  " + text.replacingOccurrences(of: ",", with: ",\n   ") + "\n"
            let odd = TestManifest(bytes: Array(reformatted.utf8), mediaType: MediaType.ociManifest)
            let pushed = try await registry.pushManifest(odd, to: repository, as: "odd")
            #expect(pushed.headers[OCIHeader.contentDigest] == odd.digest.description)
            let response = try await registry.get("/v2/\(repository)/manifests/odd")
            #expect(response.bytes == odd.bytes)
        }
    }

    /// A tag names one manifest at a time: pushing another under it moves it, and the first stays by digest.
    @Test func pushingUnderATagAgainMovesTheTag() async throws {
        try await RouteTestRegistry.with { registry in
            let first = TestImage.make()
            let second = TestImage.make()
            try await registry.pushImage(first, to: repository, as: "moving")
            try await registry.pushImage(second, to: repository, as: "moving")
            let tagged = try await registry.get("/v2/\(repository)/manifests/moving")
            #expect(tagged.headers[OCIHeader.contentDigest] == second.digest.description)
            let old = try await registry.get("/v2/\(repository)/manifests/\(first.digest)")
            #expect(old.status == .ok)
        }
    }

    /// Pushing identical bytes again succeeds with the same digest.
    @Test func pushingTheSameManifestTwiceIsIdempotent() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "same")
            let again = try await registry.putManifest(image.manifest, to: repository, as: "same")
            #expect(again.status == .created)
            #expect(again.headers[OCIHeader.contentDigest] == image.digest.description)
        }
    }

    /// An index whose manifests are stored is accepted and served as pushed, under its own media type.
    @Test(arguments: [false, true])
    func indexOfStoredManifestsIsServedAsPushed(docker: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            let images = [TestImage.make(docker: docker), TestImage.make(docker: docker)]
            for image in images { try await registry.pushImage(image, to: repository) }
            let index = TestManifest.index(of: images.map(\.manifest), docker: docker)
            try await registry.pushManifest(index, to: repository, as: "multi")
            let response = try await registry.get("/v2/\(repository)/manifests/multi")
            #expect(response.bytes == index.bytes)
            #expect(response.headers[.contentType] == (docker ? MediaType.dockerManifestList : MediaType.ociIndex))
            #expect(response.headers[OCIHeader.contentDigest] == index.digest.description)
        }
    }

    /// zotd accepts Docker schema 2 manifests (docker and podman push them) and serves them as pushed.
    @Test func dockerSchema2ManifestIsServedAsPushed() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make(docker: true)
            try await registry.pushImage(image, to: repository, as: "docker")
            let response = try await registry.get("/v2/\(repository)/manifests/docker")
            #expect(response.bytes == image.manifest.bytes)
            #expect(response.headers[.contentType] == MediaType.dockerManifest)
        }
    }

    /// image-spec 1.1: an artifact (`artifactType`, the empty config `{}`) is stored and served like any manifest.
    @Test func artifactManifestIsServedAsPushed() async throws {
        try await RouteTestRegistry.with { registry in
            let artifact = TestImage.artifact("application/vnd.example.thing.v1")
            try await registry.pushImage(artifact, to: repository, as: "artifact")
            let response = try await registry.get("/v2/\(repository)/manifests/artifact")
            #expect(response.bytes == artifact.manifest.bytes)
        }
    }

    /// Spec: "The registry SHOULD ignore parameters on the `Content-Type` header."
    @Test func contentTypeParametersAreIgnored() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            for blob in image.blobs { try await registry.pushBlob(blob, to: repository) }
            let pushed = try await registry.putManifest(
                image.manifest, to: repository, as: "params", contentType: MediaType.ociManifest + "; charset=utf-8")
            #expect(pushed.status == .created)
            let response = try await registry.get("/v2/\(repository)/manifests/params")
            #expect(response.headers[.contentType] == MediaType.ociManifest)
        }
    }

    /// zot: push by digest "may carry repeated `?tag=` parameters: each tag is applied and echoed in an `OCI-Tag`".
    @Test func pushByDigestWithTagParametersAppliesAndEchoesEachTag() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            let response = try await registry.pushImage(
                image, to: repository, as: "\(image.digest)?tag=a&tag=b&tag=c")
            #expect(response.headers[values: OCIHeader.tag].sorted() == ["a", "b", "c"])
            for tag in ["a", "b", "c"] {
                let tagged = try await registry.get("/v2/\(repository)/manifests/\(tag)")
                #expect(tagged.headers[OCIHeader.contentDigest] == image.digest.description)
            }
        }
    }

    /// Spec: a manifest with a `subject` gets "`OCI-Subject: <subject digest>`", also while the subject is missing.
    @Test(arguments: [true, false])
    func manifestWithASubjectAnswersOCISubject(subjectStored: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            let subject = TestImage.make()
            if subjectStored { try await registry.pushImage(subject, to: repository) }
            let artifact = TestImage.artifact("application/vnd.example.sig", subject: subject.manifest)
            let response = try await registry.pushImage(artifact, to: repository)
            #expect(response.headers[OCIHeader.subject] == subject.digest.description)
        }
    }

    /// `OCI-Subject` tells that a `subject` was processed; a manifest without one gets none.
    @Test func manifestWithoutASubjectHasNoOCISubject() async throws {
        try await RouteTestRegistry.with { registry in
            let response = try await registry.pushImage(TestImage.make(), to: repository, as: "plain")
            #expect(response.headers[OCIHeader.subject] == nil)
        }
    }

    /// Spec: "If the manifest is not found in the registry, the response code MUST be `404 Not Found`".
    @Test(arguments: [true, false])
    func unknownReferenceIs404ManifestUnknown(byDigest: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: repository, as: "v1")
            let reference = byDigest ? Digest.sha256(of: randomBytes(16)).description : "nope"
            let response = try await registry.get("/v2/\(repository)/manifests/\(reference)")
            expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
        }
    }

    /// A reference that cannot be a tag names no manifest on a pull: 404 MANIFEST_UNKNOWN, not the push's 400.
    @Test func pullOfAnInvalidTagIs404ManifestUnknown() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: repository, as: "v1")
            let response = try await registry.get("/v2/\(repository)/manifests/-not-a-tag")
            expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
        }
    }

    /// A layer's digest names a blob, not a manifest.
    @Test func blobDigestIsNotAManifest() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository)
            let layer = Digest.sha256(of: image.layers[0])
            let response = try await registry.get("/v2/\(repository)/manifests/\(layer)")
            expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
        }
    }

    /// Manifests belong to their repository: another repository does not find the digest.
    @Test func manifestOfOneRepositoryIsUnknownInAnother() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository)
            try await registry.pushImage(TestImage.make(), to: "manifests/other")
            let response = try await registry.get("/v2/manifests/other/manifests/\(image.digest)")
            expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
        }
    }

    /// Spec: a HEAD of a missing manifest "**must** return 404 Not Found", without a body.
    @Test func headOfAnUnknownManifestIs404WithoutABody() async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: repository, as: "v1")
            let response = try await registry.head("/v2/\(repository)/manifests/nope")
            #expect(response.status == .notFound)
            #expect(response.bytes.isEmpty)
        }
    }

    /// Spec: delete answers "`202 Accepted`"; then the digest "and any tag pointing to that digest will return a 404".
    @Test func deleteByDigestIs202ThenItAndItsTagsAreGone() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "v1")
            let deleted = try await registry.delete("/v2/\(repository)/manifests/\(image.digest)")
            #expect(deleted.status == .accepted)
            for reference in [image.digest.description, "v1"] {
                let response = try await registry.get("/v2/\(repository)/manifests/\(reference)")
                expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
            }
            let tags = try await registry.get("/v2/\(repository)/tags/list")
            #expect(try tags.json(TagList.self) == TagList(name: repository, tags: []))
        }
    }

    /// zot: "Tag delete removes only the tag": the manifest and its other tags stay.
    @Test func deleteByTagRemovesOnlyTheTag() async throws {
        try await RouteTestRegistry.with { registry in
            let image = TestImage.make()
            try await registry.pushImage(image, to: repository, as: "v1")
            try await registry.pushManifest(image.manifest, to: repository, as: "v2")
            let deleted = try await registry.delete("/v2/\(repository)/manifests/v1")
            #expect(deleted.status == .accepted)
            expectOCIError(try await registry.get("/v2/\(repository)/manifests/v1"), .notFound, "MANIFEST_UNKNOWN")
            let byDigest = try await registry.get("/v2/\(repository)/manifests/\(image.digest)")
            #expect(byDigest.status == .ok)
            let tags = try await registry.get("/v2/\(repository)/tags/list")
            #expect(try tags.json(TagList.self) == TagList(name: repository, tags: ["v2"]))
        }
    }

    /// Deleting what is not there, by digest or by tag: 404 MANIFEST_UNKNOWN.
    @Test(arguments: [true, false])
    func deleteOfAnUnknownManifestIs404ManifestUnknown(byDigest: Bool) async throws {
        try await RouteTestRegistry.with { registry in
            try await registry.pushImage(TestImage.make(), to: repository, as: "v1")
            let reference = byDigest ? Digest.sha256(of: randomBytes(16)).description : "no-such-tag"
            let response = try await registry.delete("/v2/\(repository)/manifests/\(reference)")
            expectOCIError(response, .notFound, "MANIFEST_UNKNOWN")
        }
    }
}
