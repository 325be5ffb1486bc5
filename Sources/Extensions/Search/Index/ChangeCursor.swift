/// How far a replica has followed the shared metadata's changes (`MetadataChangeFeed`), with the gaps behind
/// it: positions not seen although a higher one was, which a transaction still running may yet fill (it
/// commits after the one with the higher position), or which a transaction that rolled back left for good.
///
/// `floor` only rises past a position once it is applied, or has been a gap for `gapPatience`: a transaction
/// that appends a change commits within moments (every write is one short transaction), so a gap that old is
/// one that will never fill. Every serialization failure retried leaves one.
struct ChangeCursor: Sendable, Equatable {
    /// Every position up to here is applied, or given up on.
    private(set) var floor: Int64
    /// Positions above `floor` applied already: read again from `floor`, they are skipped.
    private(set) var applied: Set<Int64> = []
    /// Positions above `floor` and below the highest applied one not seen yet, with when they were first missed.
    private(set) var gaps: [Int64: Double] = [:]

    /// How long a gap is waited for, in seconds.
    static let gapPatience: Double = 30

    init(floor: Int64) {
        self.floor = floor
    }

    /// The highest position applied: a search waits for this to reach the newest change committed when it
    /// began.
    var highest: Int64 { applied.max() ?? floor }

    /// The gaps to look for again.
    var missing: [Int64] { gaps.keys.sorted() }

    /// Records `positions` applied at `now` (seconds), notes the gaps below them, and raises `floor` over
    /// everything applied or waited for long enough.
    mutating func markApplied(_ positions: [Int64], at now: Double) {
        applied.formUnion(positions.filter { $0 > floor })
        if let highest = applied.max(), highest > floor + 1 {
            for position in (floor + 1)..<highest where !applied.contains(position) && gaps[position] == nil {
                gaps[position] = now
            }
        }
        for position in positions { gaps[position] = nil }
        while true {
            let next = floor + 1
            if applied.remove(next) != nil {
                floor = next
            } else if let missed = gaps[next], now - missed >= Self.gapPatience {
                gaps[next] = nil
                floor = next
            } else {
                return
            }
        }
    }
}
