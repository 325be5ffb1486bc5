import Storage

/// The blob copies under way, one per digest, so that every puller of a blob follows the same upstream
/// fetch: eight concurrent cold pulls make one upstream `GET`.
actor InFlightBlobs {
    private var copies: [Digest: Task<PassingBlob?, any Error>] = [:]

    /// The copy of `digest` under way, else the one `open` starts (nil when no upstream has the blob).
    func copy(of digest: Digest, open: @escaping @Sendable () async throws -> PassingBlob?) async throws
        -> PassingBlob?
    {
        if let copy = copies[digest] { return try await copy.value }
        let copy = Task { try await open() }
        copies[digest] = copy
        do {
            guard let blob = try await copy.value else {
                copies[digest] = nil
                return nil
            }
            return blob
        } catch {
            copies[digest] = nil
            throw error
        }
    }

    /// The copy ended: a later pull finds the blob stored, or, when the copy failed, starts another.
    func ended(_ digest: Digest) {
        copies[digest] = nil
    }
}
