import Foundation

extension IndexedSearch {
    func derivedImageList(_ arguments: DerivedImageListArguments, context: SearchRequestContext) async throws
        -> PaginatedImagesResult
    {
        try await lineage(arguments.image, digest: arguments.digest, page: arguments.requestedPage, context) { reference, candidate in
            Self.isLayerPrefix(reference, of: candidate)
        }
    }

    func baseImageList(_ arguments: BaseImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult {
        try await lineage(arguments.image, digest: arguments.digest, page: arguments.requestedPage, context) { reference, candidate in
            Self.isLayerPrefix(candidate, of: reference)
        }
    }

    /// Images related to the reference image's manifests by `related(reference, candidate)`, per manifest.
    private func lineage(
        _ image: String, digest: String?, page: PageInput?, _ context: SearchRequestContext,
        related: @escaping (IndexedImage, IndexedImage) -> Bool
    ) async throws -> PaginatedImagesResult {
        let (repository, tag) = try Self.splitReference(image)
        let pagination = try Pagination(page, defaultSort: .updateTime)
        guard try index.repositoryExists(repository) else { throw SearchError.repositoryNotFound }
        guard context.mayRead(repository) else { return PaginatedImagesResult(page: PageInfo(totalCount: 0, itemCount: 0)) }
        let builder = builder(context)
        var reference: [IndexedImage]
        if let digest {
            guard let image = try index.image(digest, in: repository) else { throw SearchError.imageMetaUnknown(digest) }
            let view = try builder.view(TaggedImage(tag: tag, taggedAt: image.pushedAt, image: image, downloadCount: 0, lastPull: nil))
            reference = view.manifests
        } else {
            guard let tagged = try index.taggedImage(tag, in: repository) else { throw SearchError.imageUnknown(repository, tag) }
            reference = try builder.view(tagged).manifests
        }
        reference = reference.filter { !$0.layers.isEmpty }
        let views = try matching(readableImages(in: nil, context), context) { _, candidate in
            reference.contains { $0.digest != candidate.digest && related($0, candidate) }
        }
        return try await self.page(views, pagination, context)
    }

    /// Whether `base`'s layers are, in order, the first layers of `image` (and `base` has some).
    static func isLayerPrefix(_ base: IndexedImage, of image: IndexedImage) -> Bool {
        !base.layers.isEmpty && base.layers.count <= image.layers.count
            && zip(base.layers, image.layers).allSatisfy { $0.digest == $1.digest }
    }
}
