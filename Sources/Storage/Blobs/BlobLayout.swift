/// Every on-disk path of the local backend, from one place.
///
/// ```
/// <root>/blobs/<algorithm>/<first two hex digits>/<hex>   verified blobs, immutable
/// <root>/uploads/<upload id>                              staged bytes of uploads in progress
/// <root>/zotd.db                                          metadata (SQLite, WAL)
/// ```
/// Upload ids and digests are validated before they reach here, so no path can leave the root.
public struct BlobLayout: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public var blobsDirectory: String { "\(root)/blobs" }
    public var uploadsDirectory: String { "\(root)/uploads" }
    public var databasePath: String { "\(root)/zotd.db" }

    public func blobDirectory(_ digest: Digest) -> String {
        "\(blobsDirectory)/\(digest.algorithm.rawValue)/\(digest.encoded.prefix(2))"
    }

    public func blobPath(_ digest: Digest) -> String {
        "\(blobDirectory(digest))/\(digest.encoded)"
    }

    public func uploadPath(_ id: String) -> String {
        "\(uploadsDirectory)/\(id)"
    }
}
