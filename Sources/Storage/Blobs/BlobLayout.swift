/// Every on-disk path of the local backend, from one place.
///
/// ```
/// <root>/_zotd/blobs/<algorithm>/<first two hex digits>/<hex>   verified blobs, immutable
/// <root>/_zotd/uploads/<upload id>                              staged bytes of uploads in progress
/// <root>/_zotd/zotd.db                                          metadata (SQLite, WAL)
/// <root>/_zotd/<other state files>                              the extensions' own (search's index)
/// ```
/// zotd keeps everything under `_zotd` because the rest of the root is zot's: a zot repository may be called
/// `blobs` or `uploads`, and its directory sits at the top of the root. No repository name can start with
/// `_` (each component starts with a letter or digit), which is also why zot keeps its own `_trivy`,
/// `_cosign` and `_notation` there.
///
/// Upload ids and digests are validated before they reach here, so no path can leave the root.
public struct BlobLayout: Sendable {
    public let root: String

    /// The directory under the root that holds all of zotd's own files.
    public static let stateDirectoryName = "_zotd"

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public var stateDirectory: String { "\(root)/\(Self.stateDirectoryName)" }
    public var blobsDirectory: String { "\(stateDirectory)/blobs" }
    public var uploadsDirectory: String { "\(stateDirectory)/uploads" }
    public var databasePath: String { stateFile("zotd.db") }

    /// A file of zotd's own state, beside the metadata database.
    public func stateFile(_ name: String) -> String { "\(stateDirectory)/\(name)" }

    public func blobDirectory(_ digest: Digest) -> String {
        "\(root)/\(Self.relativeBlobDirectory(digest))"
    }

    public func blobPath(_ digest: Digest) -> String {
        "\(root)/\(Self.relativeBlobPath(digest))"
    }

    /// `_zotd/blobs/<algorithm>/<first two hex digits>`: under the root on disk, under the driver's
    /// `rootdirectory` in an S3 bucket.
    public static func relativeBlobDirectory(_ digest: Digest) -> String {
        "\(stateDirectoryName)/blobs/\(digest.algorithm.rawValue)/\(digest.encoded.prefix(2))"
    }

    public static func relativeBlobPath(_ digest: Digest) -> String {
        "\(relativeBlobDirectory(digest))/\(digest.encoded)"
    }

    public func uploadPath(_ id: String) -> String {
        "\(uploadsDirectory)/\(id)"
    }
}
