import Foundation

/// Builds zot's summaries from the index, for one caller.
struct SummaryBuilder: Sendable {
    let index: SearchIndex
    let verdicts: any SignatureVerdicts
    let context: SearchRequestContext

    /// What search shows of vulnerabilities with no scanner configured, as zot shows it.
    static let noVulnerabilities = ImageVulnerabilitySummary(
        maxSeverity: "", count: 0, unknownCount: 0, lowCount: 0, mediumCount: 0, highCount: 0, criticalCount: 0)

    /// The tagged image with the images an index lists (nested indexes flattened), in the index's order.
    func view(_ tagged: TaggedImage) throws -> ImageView {
        ImageView(tagged: tagged, children: tagged.image.isIndex ? try images(listedBy: tagged.image, depth: 0) : [])
    }

    private func images(listedBy index: IndexedImage, depth: Int) throws -> [IndexedImage] {
        guard depth < 8 else { return [] }
        var images: [IndexedImage] = []
        for digest in index.children {
            guard let child = try self.index.image(digest, in: index.repository) else { continue }
            images += child.isIndex ? try self.images(listedBy: child, depth: depth + 1) : [child]
        }
        return images
    }

    func imageSummary(_ view: ImageView, isDeletable: Bool? = nil) async throws -> ImageSummary {
        let image = view.image
        let description = view.description
        let attachments = try await self.attachments(of: image.digest, in: image.repository)
        let signatures = attachments.signatures
        let manifests = try await view.manifests.asyncMap {
            // An image manifest is its own only manifest: its signatures and referrers are already read.
            try await manifestSummary($0, in: view, attachments: $0.digest == image.digest ? attachments : nil)
        }
        return ImageSummary(
            repoName: image.repository,
            tag: view.tagged.tag,
            digest: image.digest,
            mediaType: image.isIndex ? "application/vnd.oci.image.index.v1+json" : image.mediaType,
            manifests: manifests,
            size: String(view.size),
            downloadCount: view.tagged.downloadCount,
            lastPullTimestamp: view.tagged.lastPull ?? Date(timeIntervalSince1970: 0),
            pushTimestamp: image.pushedAt,
            pushedBy: image.pushedBy,
            taggedTimestamp: view.tagged.taggedAt,
            lastUpdated: view.lastUpdated,
            description: description.description,
            isSigned: !signatures.isEmpty,
            signatureInfo: signatures,
            licenses: description.licenses,
            labels: description.labelsField,
            title: description.title,
            source: description.source,
            documentation: description.documentation,
            vendor: description.vendor,
            authors: description.authors,
            vulnerabilities: Self.noVulnerabilities,
            referrers: attachments.referrers,
            isDeletable: isDeletable,
            artifactType: image.artifactType ?? "")
    }

    func manifestSummary(_ manifest: IndexedImage, in view: ImageView, attachments known: Attachments? = nil) async throws
        -> ManifestSummary
    {
        let attachments: Attachments
        if let known { attachments = known } else { attachments = try await self.attachments(of: manifest.digest, in: manifest.repository) }
        let signatures = attachments.signatures
        let downloads =
            manifest.digest == view.image.digest
            ? view.tagged.downloadCount : try index.downloadCount(manifest.digest, in: manifest.repository)
        return ManifestSummary(
            digest: manifest.digest,
            configDigest: manifest.configDigest,
            lastUpdated: ImageView.lastUpdated(manifest),
            size: String(manifest.size),
            isSigned: !signatures.isEmpty,
            signatureInfo: signatures,
            platform: view.platform(of: manifest),
            downloadCount: downloads,
            layers: manifest.layers.map { LayerSummary(size: String($0.size), digest: $0.digest) },
            history: Self.history(of: manifest),
            vulnerabilities: nil,
            referrers: attachments.referrers,
            artifactType: manifest.artifactType ?? "")
    }

    /// zot's pairing of history entries with layers: an entry that made no layer has none; without history,
    /// one entry per layer with an empty description.
    static func history(of manifest: IndexedImage) -> [LayerHistory] {
        let layers = manifest.layers.map { LayerSummary(size: String($0.size), digest: $0.digest) }
        guard !manifest.history.isEmpty else {
            return layers.map { LayerHistory(layer: $0, historyDescription: HistoryDescription()) }
        }
        var remaining = layers[...]
        var entries: [LayerHistory] = []
        for item in manifest.history {
            let description = HistoryDescription(
                created: item.created, createdBy: item.createdBy ?? "", author: item.author ?? "",
                comment: item.comment ?? "", emptyLayer: item.emptyLayer)
            if item.emptyLayer {
                entries.append(LayerHistory(layer: nil, historyDescription: description))
                continue
            }
            guard let layer = remaining.popFirst() else {
                entries.append(LayerHistory(layer: nil, historyDescription: description))
                break
            }
            entries.append(LayerHistory(layer: layer, historyDescription: description))
        }
        return entries
    }

    /// What is attached to a manifest: its signatures and its other referrers.
    struct Attachments {
        var signatures: [SignatureSummary]
        var referrers: [Referrer]
    }

    func attachments(of digest: String, in repository: String) async throws -> Attachments {
        let (cosign, referring) = try index.attachments(of: digest, in: repository)
        // Verdicts are asked for only where there is a signature to judge: most images have none.
        let signed = cosign != nil || referring.contains(where: \.isSignature)
        let verdicts = signed ? try await self.verdicts.verdicts(of: digest, in: repository) : [:]
        return Attachments(
            signatures: Self.signatures(cosign: cosign, referring: referring, verdicts: verdicts),
            referrers: Self.referrers(referring))
    }

    /// One entry per signature layer: cosign's tag-based signature, and signatures attached as referrers.
    /// Trusted, and naming its author, only where the trust extension verified it.
    func signatures(of digest: String, in repository: String) async throws -> [SignatureSummary] {
        try await attachments(of: digest, in: repository).signatures
    }

    private static func signatures(
        cosign: IndexedImage?, referring: [IndexedImage], verdicts: [String: [Int: SignatureVerdict]]
    ) -> [SignatureSummary] {
        func layers(of signature: IndexedImage, tool: String) -> [SignatureSummary] {
            (0..<max(signature.layers.count, 1)).map { layer in
                let verdict = verdicts[signature.digest]?[layer]
                return SignatureSummary(tool: tool, isTrusted: verdict?.trusted ?? false, author: verdict?.author ?? "")
            }
        }
        var signatures: [SignatureSummary] = []
        if let cosign { signatures += layers(of: cosign, tool: "cosign") }
        for referrer in referring where referrer.isSignature {
            signatures += layers(of: referrer, tool: SignatureArtifact.tool(referrer.artifactType) ?? "")
        }
        return signatures
    }

    /// Referrers as zot lists them in search: push order, signatures left out.
    func referrers(of digest: String, in repository: String, types: [String]? = nil) throws -> [Referrer] {
        Self.referrers(try index.referring(to: digest, in: repository), types: types)
    }

    private static func referrers(_ referring: [IndexedImage], types: [String]? = nil) -> [Referrer] {
        referring.filter { referrer in
            guard !referrer.isSignature else { return false }
            guard let types, !types.isEmpty else { return true }
            return types.contains("") || types.contains(referrer.artifactType ?? "")
        }.map { referrer in
            Referrer(
                mediaType: referrer.isIndex ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json",
                artifactType: referrer.artifactType ?? "",
                size: Int(referrer.manifestSize),
                digest: referrer.digest,
                annotations: referrer.annotations.sorted { $0.key < $1.key }.map { Annotation(key: $0.key, value: $0.value) })
        }
    }
}
