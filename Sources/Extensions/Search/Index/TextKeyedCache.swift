import Synchronization

/// Values computed from a text and never changed once computed: decoded index entries (an entry is written
/// once, as a digest's content never changes; Foundation takes about 60 µs to decode one, which a page of
/// repositories pays dozens of times) and validated GraphQL documents (zui sends its home page's queries
/// word for word again and again). Split in shards so that concurrent searches rarely meet on one lock; a
/// shard is emptied when full, so memory stays flat whatever is asked.
final class TextKeyedCache<Value: Sendable>: Sendable {
    private final class Shard: Sendable {
        let values = Mutex<[String: Value]>([:])
    }

    private let shards = (0..<16).map { _ in Shard() }
    private let shardCapacity: Int

    init(capacity: Int) {
        shardCapacity = max(capacity / 16, 1)
    }

    func value(for text: String, compute: (String) throws -> Value) rethrows -> Value {
        let shard = shards[Int(UInt(bitPattern: text.hashValue) % UInt(shards.count))]
        if let value = shard.values.withLock({ $0[text] }) { return value }
        let value = try compute(text)
        shard.values.withLock { values in
            if values.count >= shardCapacity { values.removeAll(keepingCapacity: true) }
            values[text] = value
        }
        return value
    }
}
