import Hummingbird
import Storage

/// Content that storage lacks and an extension can bring from elsewhere: sync's pull-through cache.
///
/// The routes ask it only after storage said "unknown", so a registry without such an extension answers as
/// before, and one with it pays nothing for what it holds.
public protocol MissingContentSource: Sendable {
    /// The manifest `reference` names in `repository`, brought from elsewhere; nil when nothing has it.
    /// It need not be stored yet: its blobs may still be on their way.
    func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest?
    /// The blob, brought from elsewhere; nil when nothing has it.
    func blob(_ digest: Digest, in repository: RepositoryName) async throws -> MissingBlob?
    /// Heard after a manifest was served from storage by `tag`: a cache may check where the tag came from,
    /// in the background, whether it moved since. Must not delay the pull.
    func tagServed(_ tag: Tag, in repository: RepositoryName)
}

/// How a missing blob is served.
public enum MissingBlob: Sendable {
    /// It is in the repository now (linked from another repository that held it): serve it from storage.
    case stored
    /// It is on its way: `size` bytes, each written to the response as it arrives and is stored.
    case passing(size: Int64, body: ResponseBody)
}
