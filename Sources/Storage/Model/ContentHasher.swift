import Crypto
import NIOCore

/// An incremental hash over content as it streams past, for either supported algorithm.
///
/// A value type: copying it snapshots the state, which is how an upload rolls back to
/// its last durable offset after a failed write.
public struct ContentHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha512(SHA512)
    }
    private var state: State

    public init(_ algorithm: DigestAlgorithm) {
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    public var algorithm: DigestAlgorithm {
        switch state {
        case .sha256: .sha256
        case .sha512: .sha512
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update(bufferPointer: $0) }
    }

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher):
            hasher.update(bufferPointer: bufferPointer)
            state = .sha256(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: bufferPointer)
            state = .sha512(hasher)
        }
    }

    public func finalize() -> Digest {
        switch state {
        case .sha256(let hasher):
            Digest(algorithm: .sha256, encoded: hasher.finalize().hexString)
        case .sha512(let hasher):
            Digest(algorithm: .sha512, encoded: hasher.finalize().hexString)
        }
    }
}
