import Foundation
import Synchronization

/// An image pulled, by repository and the manifest digest it resolved to.
struct DownloadKey: Hashable, Sendable {
    var repository: String
    var digest: String
}

struct DownloadTally: Sendable, Equatable {
    var count: Int
    var last: Date
}

/// Pulls counted in memory and written to the index in batches: a manifest GET is served at about 10,000 per
/// second here, and a write transaction per pull would cost more than the pull itself.
final class DownloadCounts: Sendable {
    /// By repository and the reference the client asked for (a tag is resolved when the batch is written).
    private let pending = Mutex<[PulledReference: DownloadTally]>([:])

    struct PulledReference: Hashable, Sendable {
        var repository: String
        var reference: String
    }

    func count(repository: String, reference: String, at time: Date) {
        pending.withLock { pending in
            let key = PulledReference(repository: repository, reference: reference)
            let count = (pending[key]?.count ?? 0) + 1
            pending[key] = DownloadTally(count: count, last: time)
        }
    }

    /// Everything counted so far, taken out.
    func take() -> [PulledReference: DownloadTally] {
        pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
    }
}
