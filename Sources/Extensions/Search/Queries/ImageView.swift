import Foundation

/// A tagged image with what its summary is made of: for an index, the images it lists (only those a filter
/// matched, as zot returns them).
struct ImageView: Sendable {
    let tagged: TaggedImage
    /// The index's images, each as the index lists it (nested indexes flattened); empty for an image manifest.
    let children: [IndexedImage]

    var image: IndexedImage { tagged.image }
    var repository: String { image.repository }
    /// The manifests the image is made of: itself, or an index's images.
    var manifests: [IndexedImage] { image.isIndex ? children : [image] }

    /// zot's `LastUpdated`: the declared creation time, else when the config says it was built; for an index,
    /// its own declaration, else its first image's, else the newest of its images.
    var lastUpdated: Date? {
        if image.isIndex {
            return ImageDescription(index: image, first: children.first).created
                ?? children.compactMap(Self.lastUpdated).max()
        }
        return Self.lastUpdated(image)
    }

    static func lastUpdated(_ manifest: IndexedImage) -> Date? {
        ImageDescription(manifest).created ?? manifest.builtAt
    }

    /// An index's size adds up its images', each blob counted once per image; the index's own bytes are not counted.
    var size: Int64 {
        image.isIndex ? children.reduce(0) { $0 + $1.uniqueSize } : image.size
    }

    /// The descriptive fields: the index's own annotations, else its first image's.
    var description: ImageDescription {
        image.isIndex ? ImageDescription(index: image, first: children.first) : ImageDescription(image)
    }

    /// The platform zot shows for one of the manifests: its config's, else what the index declares for it.
    func platform(of manifest: IndexedImage) -> Platform {
        if let platform = manifest.platform, !(platform.os.isEmpty && platform.arch.isEmpty) {
            return Platform(os: platform.os, arch: platform.zotArch)
        }
        if let declared = image.childPlatforms[manifest.digest] {
            return Platform(os: declared.os, arch: declared.zotArch)
        }
        return Platform(os: "", arch: "")
    }
}
