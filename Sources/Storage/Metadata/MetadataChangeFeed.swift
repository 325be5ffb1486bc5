/// The changes to manifests and tags of metadata several processes share, by position: what a replica follows
/// to keep what it derives from storage (search's index) in step with pushes made through the others.
///
/// Positions rise with each change, and one repository's changes commit in position order (its writers take
/// turns). Across repositories a change may commit after one with a higher position, and a transaction that
/// rolled back leaves its position empty for ever: a reader keeps looking at the gaps behind what it has read
/// for a while (`ChangeCursor` in search).
public protocol MetadataChangeFeed: Sendable {
    /// Committed changes after `position`, in position order, at most `limit`.
    func changes(after position: Int64, limit: Int) async throws -> [MetadataChange]
    /// The committed changes among `positions` (gaps a reader saw), in position order.
    func changes(at positions: [Int64]) async throws -> [MetadataChange]
    /// The lowest position still kept (nil when none is) and the highest committed (0 when none is).
    func changeBounds() async throws -> (oldest: Int64?, latest: Int64)
    /// Forgets changes made before `cutoff` (seconds since 1970).
    func pruneChanges(before cutoff: Double) async throws
    /// Records pulls one replica counted, one change per image, for every replica's download counts.
    func recordPulls(_ pulls: [ImagePulls]) async throws
}

/// Pulls of one image counted by one replica since it last recorded them.
public struct ImagePulls: Sendable, Equatable {
    public var repository: String
    public var digest: Digest
    public var count: Int
    /// The last of them, in seconds since 1970.
    public var last: Double

    public init(repository: String, digest: Digest, count: Int, last: Double) {
        self.repository = repository
        self.digest = digest
        self.count = count
        self.last = last
    }
}

/// One change to a repository's manifests or tags.
public struct MetadataChange: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A manifest stored (or stored again), with the tags the push set.
        case stored(Digest, tags: [String], pushedBy: String)
        case manifestDeleted(Digest)
        case tagDeleted(String)
        /// A collection deleted manifests (of any repository: `repository` is empty).
        case collected
        /// Pulls of a manifest counted by one replica: `count` of them, the last at `last` (seconds since 1970).
        case pulled(Digest, count: Int, last: Double)
    }

    public var position: Int64
    public var repository: String
    public var kind: Kind

    public init(position: Int64, repository: String, kind: Kind) {
        self.position = position
        self.repository = repository
        self.kind = kind
    }
}
