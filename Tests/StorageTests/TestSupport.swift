import Foundation
import NIOCore

@testable import Storage

/// A request body made of the given chunks, optionally failing after them like a dropped connection.
struct ChunkedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [[UInt8]]
    var failAtEnd = false

    struct Dropped: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [[UInt8]]
        let failAtEnd: Bool
        mutating func next() async throws -> ByteBuffer? {
            if remaining.isEmpty {
                if failAtEnd { throw Dropped() }
                return nil
            }
            return ByteBuffer(bytes: remaining.removeFirst())
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks, failAtEnd: failAtEnd) }
}

/// A fresh storage root in a temporary folder, removed when the test ends.
final class TemporaryRoot {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "zotd-test-" + UUID().uuidString
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func open(durable: Bool = false) throws -> RegistryStore {
        try RegistryStore.local(root: path, durable: durable)
    }
}

func randomBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255) }
}

func sha256(_ bytes: [UInt8]) -> Digest { Digest.sha256(of: bytes) }

func repo(_ name: String) -> RepositoryName { try! RepositoryName(parsing: name) }

/// An OCI image manifest over the given config and layers.
func imageManifest(config: Digest, configSize: Int, layers: [(Digest, Int)], subject: (Digest, Int)? = nil,
    artifactType: String? = nil) -> [UInt8]
{
    var object: [String: Any] = [
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.description, "size": configSize],
        "layers": layers.map { ["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": $0.0.description, "size": $0.1] },
    ]
    if let subject {
        object["subject"] = ["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": subject.0.description, "size": subject.1]
    }
    if let artifactType { object["artifactType"] = artifactType }
    return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
}
