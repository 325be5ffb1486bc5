import Foundation
import Testing

@testable import SearchExtension

/// The index as search reads it: what a push, a tag move, a delete and a rebuild leave in it, with zot's
/// figures (sizes, platforms, signatures, referrers, history).
@Suite struct ImageIndexTests {
    let registry: SearchTestRegistry

    init() throws { registry = try SearchTestRegistry() }

    func imageList(_ repository: String, _ context: SearchRequestContext = SearchTestRegistry.everyone) async throws
        -> [ImageSummary]
    {
        try await registry.search.imageList(ImageListArguments(repo: repository), context: context).results
    }

    @Test func anImagesSizeIsItsManifestConfigAndLayersAsADecimalString() async throws {
        defer { registry.remove() }
        let pushed = try await registry.pushImage("app", tag: "v1", layerSizes: [100, 250])
        let stored = try await registry.store.manifest(.digest(.init(parsing: pushed.digest)), in: .init(parsing: "app"))
        let image = try #require(try await imageList("app").first)
        let configSize = try #require(try registry.index.image(pushed.digest, in: "app")).configSize
        #expect(image.size == String(Int64(stored.content.count) + configSize + 350))
        #expect(image.tag == "v1")
        #expect(image.manifests?.first?.platform == Platform(os: "linux", arch: "amd64"))
        #expect(image.vulnerabilities == SummaryBuilder.noVulnerabilities)
        #expect(image.manifests?.first?.vulnerabilities == nil)
    }

    @Test func anIndexAddsUpItsImagesAndListsEachPlatform() async throws {
        defer { registry.remove() }
        let amd = try await registry.pushImage("multi", tag: nil, arch: "amd64")
        let arm = try await registry.pushImage("multi", tag: nil, arch: "arm64")
        let digest = try await registry.pushIndex("multi", tag: "latest", images: [(amd, "amd64"), (arm, "arm64")])
        let image = try #require(try await imageList("multi").first)
        #expect(image.digest == digest)
        #expect(image.mediaType == "application/vnd.oci.image.index.v1+json")
        #expect(image.manifests?.map(\.digest) == [amd.digest, arm.digest])
        #expect(image.manifests?.map(\.platform?.arch) == ["amd64", "arm64"])
        let sizes = try [amd, arm].map { try #require(try registry.index.image($0.digest, in: "multi")).uniqueSize }
        #expect(image.size == String(sizes.reduce(0, +)))
    }

    @Test func aCosignSignatureTagIsNotAnImageButSignsOne() async throws {
        defer { registry.remove() }
        let signed = try await registry.pushImage("app", tag: "v1")
        let cosignTag = "sha256-" + signed.digest.dropFirst("sha256:".count) + ".sig"
        try await registry.pushImage("app", tag: cosignTag, layerSizes: [40])
        let images = try await imageList("app")
        #expect(images.map(\.tag) == ["v1"])
        #expect(images.first?.isSigned == true)
        #expect(images.first?.signatureInfo == [SignatureSummary(tool: "cosign", isTrusted: false, author: "")])
    }

    @Test func aNotationSignatureSignsWithoutBeingAReferrerWhileAnSBOMIsAReferrer() async throws {
        defer { registry.remove() }
        let image = try await registry.pushImage("app", tag: "v1")
        try await registry.pushImage(
            "app", tag: nil, layerSizes: [30], subject: image.digest, artifactType: "application/vnd.cncf.notary.signature")
        let sbom = try await registry.pushImage(
            "app", tag: nil, layerSizes: [30], annotations: ["kind": "sbom"], subject: image.digest,
            artifactType: "application/spdx+json")
        let summary = try #require(try await imageList("app").first)
        #expect(summary.isSigned == true)
        #expect(summary.signatureInfo?.map(\.tool) == ["notation"])
        #expect(summary.referrers?.map(\.digest) == [sbom.digest])
        #expect(summary.referrers?.first?.annotations == [Annotation(key: "kind", value: "sbom")])
        #expect(summary.referrers?.first?.artifactType == "application/spdx+json")
    }

    @Test func aMovedTagKeepsTheTimeItWasFirstCreated() async throws {
        defer { registry.remove() }
        try await registry.pushImage("app", tag: "v1")
        let first = try #require(try await imageList("app").first?.taggedTimestamp)
        try await Task.sleep(for: .milliseconds(20))
        let moved = try await registry.pushImage("app", tag: "v1")
        let image = try #require(try await imageList("app").first)
        #expect(image.digest == moved.digest)
        #expect(image.taggedTimestamp == first)
    }

    @Test func deletingATagRemovesOnlyThatImage() async throws {
        defer { registry.remove() }
        let pushed = try await registry.pushImage("app", tag: "v1")
        try await registry.pushManifestTag(pushed.digest, as: "v2", in: "app")
        try await registry.deleteManifest("v1", in: "app")
        #expect(try await imageList("app").map(\.tag) == ["v2"])
    }

    @Test func deletingAManifestRemovesEveryTagOfItAndTheRepositoryWithThem() async throws {
        defer { registry.remove() }
        let pushed = try await registry.pushImage("app", tag: "v1")
        try await registry.pushManifestTag(pushed.digest, as: "v2", in: "app")
        try await registry.deleteManifest(pushed.digest, in: "app")
        #expect(try await imageList("app").isEmpty)
        #expect(try registry.index.repositoryKeys().isEmpty)
    }

    @Test func aConfigSharedByTwoImagesOutlivesTheDeletionOfOne() async throws {
        defer { registry.remove() }
        let first = try await registry.pushImage("app", tag: "v1", arch: "arm64")
        let stored = try await registry.store.manifest(.digest(.init(parsing: first.digest)), in: .init(parsing: "app"))
        var document = try JSONSerialization.jsonObject(with: Data(stored.content)) as! [String: Any]
        document["annotations"] = ["rebuilt": "yes"]
        _ = try await registry.pushManifest(document, to: "app", tag: "v2")
        try await registry.deleteManifest(first.digest, in: "app")
        // A fresh reader derives the remaining image from the stored bytes, with nothing cached.
        let reader = SearchIndex(database: registry.index.database)
        let images = try reader.taggedImages(in: ["app"])
        #expect(images.map(\.tag) == ["v2"])
        #expect(images.first?.image.platform?.arch == "arm64")
    }

    @Test func historyPairsLayersWithTheEntriesThatMadeThem() async throws {
        defer { registry.remove() }
        try await registry.pushImage(
            "app", tag: "v1", layerSizes: [10, 20],
            history: [
                ["created_by": "ADD rootfs", "created": "2024-05-01T10:11:12Z"],
                ["created_by": "ENV A=1", "empty_layer": true],
                ["created_by": "RUN make"],
            ])
        let history = try #require(try await imageList("app").first?.manifests?.first?.history)
        #expect(history.map(\.historyDescription?.createdBy) == ["ADD rootfs", "ENV A=1", "RUN make"])
        #expect(history.map { $0.layer == nil } == [false, true, false])
        #expect(history.map(\.historyDescription?.emptyLayer) == [false, true, false])
    }

    @Test func descriptiveFieldsComeFromAnnotationsThenLabels() async throws {
        defer { registry.remove() }
        try await registry.pushImage(
            "app", tag: "v1", created: "2024-05-01T10:11:12Z",
            labels: ["org.label-schema.description": "from a label", "org.opencontainers.image.vendor": "label vendor"],
            annotations: ["org.opencontainers.image.vendor": "ACME", "org.opencontainers.image.title": "App"])
        let image = try #require(try await imageList("app").first)
        #expect(image.vendor == "ACME")
        #expect(image.title == "App")
        #expect(image.description == "from a label")
        #expect(image.licenses == "")
        #expect(image.lastUpdated == RFC3339.date("2024-05-01T10:11:12Z"))
    }

    @Test func derivedImagesStartWithTheBaseImagesLayers() async throws {
        defer { registry.remove() }
        let base = try await registry.pushImage("base", tag: "v1", layerSizes: [10, 20])
        let extra = try await registry.pushBlob(SearchTestRegistry.randomBytes(30), to: "derived")
        try await registry.mount(base.layers, from: "base", to: "derived")
        try await registry.pushImage("derived", tag: "v1", layers: base.layers + [extra])
        try await registry.pushImage("other", tag: "v1")
        let derived = try await registry.search.derivedImageList(
            DerivedImageListArguments(image: "base:v1"), context: SearchTestRegistry.everyone)
        #expect(derived.results.map(\.repoName) == ["derived"])
        let bases = try await registry.search.baseImageList(
            BaseImageListArguments(image: "derived:v1"), context: SearchTestRegistry.everyone)
        #expect(bases.results.map(\.repoName) == ["base"])
    }

    @Test func nobodySeesARepositoryTheyCannotRead() async throws {
        defer { registry.remove() }
        try await registry.pushImage("public/app", tag: "v1")
        try await registry.pushImage("private/app", tag: "v1")
        let bob = SearchTestRegistry.user("bob", reads: ["public/app"])
        #expect(try await imageList("", bob).map(\.repoName) == ["public/app"])
        let everything = try await registry.search.globalSearch(GlobalSearchArguments(query: "app"), context: bob)
        #expect(everything.repos?.map(\.name) == ["public/app"])
        let hidden = try await registry.search.expandedRepoInfo(ExpandedRepoInfoArguments(repo: "private/app"), context: bob)
        #expect(hidden == RepoInfo())
    }

    @Test func isDeletableSaysWhetherTheCallerMayDelete() async throws {
        defer { registry.remove() }
        try await registry.pushImage("app", tag: "v1")
        let reader = try await registry.search.expandedRepoInfo(
            ExpandedRepoInfoArguments(repo: "app"), context: SearchTestRegistry.user("r"))
        let deleter = try await registry.search.expandedRepoInfo(
            ExpandedRepoInfoArguments(repo: "app"), context: SearchTestRegistry.user("d", deletes: ["app"]))
        #expect(reader.images?.map(\.isDeletable) == [false])
        #expect(deleter.images?.map(\.isDeletable) == [true])
        #expect(try await imageList("app").map(\.isDeletable) == [nil])
    }

    @Test func aRebuildFromStorageAnswersAsTheEventsDid() async throws {
        defer { registry.remove() }
        let amd = try await registry.pushImage("multi", tag: nil, arch: "amd64")
        try await registry.pushIndex("multi", tag: "latest", images: [(amd, "amd64")])
        let image = try await registry.pushImage("app", tag: "v1")
        try await registry.pushImage("app", tag: nil, layerSizes: [5], subject: image.digest, artifactType: "x/sbom")
        try registry.index.addDownloads([DownloadKey(repository: "app", digest: image.digest): DownloadTally(count: 3, last: Date())])
        let before = try await imageList("")
        let indexed = try await registry.indexer.rebuild()
        let after = try await imageList("")
        #expect(indexed == 4)
        #expect(after == before)
        #expect(after.first { $0.repoName == "app" }?.downloadCount == 3)
        #expect(after.map { $0.referrers?.count } == before.map { $0.referrers?.count })
    }
}

extension SearchTestRegistry {
    /// Tags an existing manifest again, as a client re-pushing the same bytes under another tag does.
    func pushManifestTag(_ digest: String, as tag: String, in repository: String) async throws {
        let stored = try await store.manifest(.digest(.init(parsing: digest)), in: .init(parsing: repository))
        let document = try JSONSerialization.jsonObject(with: Data(stored.content)) as! [String: Any]
        _ = try await pushManifest(document, to: repository, tag: tag)
    }

    /// Makes blobs of one repository visible in another (a cross-repository mount).
    func mount(_ layers: [Descriptor], from source: String, to target: String) async throws {
        for layer in layers {
            _ = try await store.mountBlob(.init(parsing: layer.digest), from: .init(parsing: source), to: .init(parsing: target))
        }
    }
}
