import Foundation

extension SummaryBuilder {
    /// zot's `RepoSummary` of a repository, from its listed images.
    func repoSummary(
        _ keys: RepositoryKeys, images views: [ImageView], rank: Int, preferences: CallerPreferences
    ) async throws -> RepoSummary {
        var platforms: [Platform] = []
        var vendors: [String] = []
        var blobs: [String: Int64] = [:]
        for view in views {
            blobs[view.image.digest] = view.image.manifestSize
            for manifest in view.manifests {
                blobs[manifest.digest] = manifest.manifestSize
                if let config = manifest.configDigest { blobs[config] = manifest.configSize }
                for layer in manifest.layers { blobs[layer.digest] = layer.size }
                if let platform = manifest.platform, !(platform.os.isEmpty && platform.arch.isEmpty) {
                    let shown = Platform(os: platform.os, arch: platform.zotArch)
                    if !platforms.contains(shown) { platforms.append(shown) }
                }
                let vendor = ImageDescription.annotatedVendor(manifest)
                if !vendor.isEmpty, !vendors.contains(vendor) { vendors.append(vendor) }
            }
        }
        // The newest image is the one built last by its config (annotations do not count); ties keep the first.
        var newest: ImageView?
        for view in views {
            let built = view.image.isIndex ? view.children.compactMap(\.builtAt).max() : view.image.builtAt
            let best = newest.flatMap { $0.image.isIndex ? $0.children.compactMap(\.builtAt).max() : $0.image.builtAt }
            if newest == nil || (built ?? .distantPast) > (best ?? .distantPast) { newest = view }
        }
        let newestImage: ImageSummary? = if let newest { try await imageSummary(newest) } else { nil }
        return RepoSummary(
            name: keys.name,
            lastUpdated: keys.lastUpdated.flatMap { $0.timeIntervalSince1970 > 0 ? $0 : nil },
            size: String(blobs.values.reduce(0, +)),
            platforms: platforms,
            vendors: vendors,
            newestImage: newestImage,
            downloadCount: keys.downloadCount,
            starCount: keys.starCount,
            isBookmarked: preferences.bookmarked.contains(keys.name),
            isStarred: preferences.starred.contains(keys.name),
            rank: rank)
    }
}

/// The caller's stars and bookmarks, read once per request.
struct CallerPreferences: Sendable {
    var starred: Set<String> = []
    var bookmarked: Set<String> = []
}
