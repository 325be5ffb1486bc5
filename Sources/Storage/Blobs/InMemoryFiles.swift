import Foundation
import NIOCore

/// The in-memory blob store's disk: file contents by node, and the names (blob digests, upload ids) that point
/// at nodes, as directory entries point at inodes.
///
/// Names and contents are apart so that an open upload handle behaves as a descriptor does: it keeps writing
/// to its node whatever happens to the name. After `deleteUpload` its node is gone and writes land nowhere;
/// after `commitUpload` the node is the blob's. Each node has at most one name, and goes with it.
struct InMemoryFiles {
    struct Node {
        var bytes: [UInt8] = []
        /// Seconds since the epoch, as a file's mtime: set by creation and every write or truncation, kept by a
        /// rename. The orphan sweep compares it with GC's delay.
        var modifiedAt: Double

        /// Pads with zeros up to `count` bytes, as a write or truncation past the end reads back.
        mutating func resize(toAtLeast count: Int) {
            if bytes.count < count { bytes += [UInt8](repeating: 0, count: count - bytes.count) }
        }
    }

    private var nodes: [Int: Node] = [:]
    private var nextNode = 0
    private(set) var blobs: [Digest: Int] = [:]
    private(set) var uploads: [String: Int] = [:]

    func blob(_ digest: Digest) -> Node? {
        blobs[digest].flatMap { nodes[$0] }
    }

    func upload(_ id: String) -> Node? {
        uploads[id].flatMap { nodes[$0] }
    }

    /// Upload `id`'s node, created empty when absent (`open` with `O_CREAT`, without `O_TRUNC`).
    mutating func openUpload(_ id: String) -> Int {
        if let node = uploads[id] { return node }
        let node = nextNode
        nextNode += 1
        nodes[node] = Node(modifiedAt: Self.now)
        uploads[id] = node
        return node
    }

    mutating func removeBlob(_ digest: Digest) {
        if let node = blobs.removeValue(forKey: digest) { nodes[node] = nil }
    }

    mutating func removeUpload(_ id: String) {
        if let node = uploads.removeValue(forKey: id) { nodes[node] = nil }
    }

    /// Renames upload `id` over blob `digest`, replacing whatever node the blob had (`rename`).
    /// - Returns: false when there is no such upload.
    mutating func moveUpload(_ id: String, toBlob digest: Digest) -> Bool {
        guard let node = uploads.removeValue(forKey: id) else { return false }
        removeBlob(digest)
        blobs[digest] = node
        return true
    }

    /// `pwrite`: bytes past the end extend the node, and a gap before them reads as zeros. A write to a node
    /// that has lost its name succeeds and changes nothing visible, like a write to an unlinked file.
    mutating func write(_ buffer: ByteBuffer, at offset: Int64, to node: Int) throws(StorageError) {
        guard offset >= 0 else { throw .io("write at negative offset \(offset)") }
        // `pwrite` of nothing is never issued, so the mtime stays.
        guard buffer.readableBytes > 0 else { return }
        let range = Int(offset)..<(Int(offset) + buffer.readableBytes)
        // Optional chaining through the subscript mutates in place: the node's bytes are not copied.
        nodes[node]?.resize(toAtLeast: range.upperBound)
        buffer.withUnsafeReadableBytes { source in
            nodes[node]?.bytes.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[range]).copyMemory(from: source) }
        }
        nodes[node]?.modifiedAt = Self.now
    }

    /// `ftruncate`: cuts the node to `size` bytes, or extends it with zeros.
    mutating func truncate(_ node: Int, to size: Int64) throws(StorageError) {
        guard size >= 0 else { throw .io("truncate to negative size \(size)") }
        nodes[node]?.resize(toAtLeast: Int(size))
        nodes[node]?.bytes.removeSubrange(Int(size)...)
        nodes[node]?.modifiedAt = Self.now
    }

    static var now: Double { Date().timeIntervalSince1970 }
}
