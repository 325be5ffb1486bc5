import AsyncHTTPClient
import NIOCore

/// The body of a PUT: one buffer, or `length` bytes read a chunk at a time as the connection takes them, so
/// that a part of many megabytes is never in memory whole.
public struct S3Body: Sendable {
    let length: Int64
    let content: HTTPClientRequest.Body

    public static func bytes(_ buffer: ByteBuffer) -> S3Body {
        S3Body(length: Int64(buffer.readableBytes), content: .bytes(buffer))
    }

    /// - Parameter read: the bytes at `offset` (from 0), `length` of them.
    public static func chunks(
        length: Int64, chunkLength: Int = 1 << 20,
        read: @escaping @Sendable (_ offset: Int64, _ length: Int) async throws -> ByteBuffer
    ) -> S3Body {
        S3Body(length: length, content: .stream(ChunkReader(length: length, chunkLength: chunkLength, read: read), length: .known(length)))
    }
}

/// The chunks of an `S3Body.chunks`, each read when the connection asks for it.
struct ChunkReader: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let length: Int64
    let chunkLength: Int
    let read: @Sendable (Int64, Int) async throws -> ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: ChunkReader
        var offset: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard offset < reader.length else { return nil }
            let wanted = Int(Swift.min(Int64(reader.chunkLength), reader.length - offset))
            let chunk = try await reader.read(offset, wanted)
            guard chunk.readableBytes == wanted else {
                throw S3Error(status: 0, code: "ShortSource", message: "\(chunk.readableBytes) of \(wanted) bytes at \(offset)")
            }
            offset += Int64(wanted)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: self) }
}
