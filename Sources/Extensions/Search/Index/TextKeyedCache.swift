import Synchronization

/// Values computed from a text and never changed once computed: index entries by repository and digest (a
/// digest's content never changes; Foundation takes about 60 µs to derive one, which a page of repositories
/// pays dozens of times), image configs by digest (the tags of one build share one), and validated GraphQL
/// documents (zui sends its home page's queries word for word again and again). Split in shards so that concurrent searches rarely meet on one lock; a
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
        if let value = cached(text) { return value }
        let value = try compute(text)
        insert(value, for: text)
        return value
    }

    func cached(_ text: String) -> Value? {
        shard(text).values.withLock { $0[text] }
    }

    func insert(_ value: Value, for text: String) {
        shard(text).values.withLock { values in
            if values.count >= shardCapacity { values.removeAll(keepingCapacity: true) }
            values[text] = value
        }
    }

    private func shard(_ text: String) -> Shard {
        shards[Int(UInt(bitPattern: text.hashValue) % UInt(shards.count))]
    }
}
