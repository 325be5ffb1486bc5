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

extension Dictionary where Value == DownloadTally {
    /// Counts `tally` under `key` too: the counts add up and the later pull is the last.
    mutating func add(_ tally: DownloadTally, to key: Key) {
        guard let previous = self[key] else {
            self[key] = tally
            return
        }
        self[key] = DownloadTally(count: previous.count + tally.count, last: Swift.max(previous.last, tally.last))
    }
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
            pending.add(DownloadTally(count: 1, last: time), to: key)
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
