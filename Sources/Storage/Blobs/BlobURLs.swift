/// Blobs a client can fetch straight from the backend, at a URL that needs no credentials for a while (an
/// S3 presigned GET). A capability apart from `BlobStore`, as `BlobFileListing` is: local disk has none.
public protocol BlobURLs: Sendable {
    /// A URL that serves blob `digest`, `Range` included, for `seconds` from now.
    func temporaryURL(for digest: Digest, validFor seconds: Int) -> String
}

extension RegistryStore {
    /// How long a redirected client has to start its download: distribution's 20 minutes.
    public static let blobURLLifetime = 20 * 60

    /// Where a client can fetch blob `digest` itself, or nil when the blob store keeps no such URLs.
    public func temporaryURL(for digest: Digest) -> String? {
        (blobs as? any BlobURLs)?.temporaryURL(for: digest, validFor: Self.blobURLLifetime)
    }
}
