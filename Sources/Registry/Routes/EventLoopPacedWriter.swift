import HTTPTypes
import Hummingbird
import NIOCore

/// A response body writer that waits, after each buffer, for one turn of the connection's event loop.
///
/// Hummingbird hands each buffer to NIO with a hop to the event loop and returns at once, and the writer
/// learns that the connection stopped draining only once the loop has processed a write. A producer faster
/// than the loop (disk reads against TLS encryption) therefore runs many buffers ahead of back-pressure:
/// a stalled TLS download held 12 to 30 MiB in a debug build with 1 MiB chunks, about 11 MiB paced (most
/// of it then the file reader's own read-ahead). Waiting for the loop after each write keeps the writes
/// to about one buffer ahead, at the cost of one hop per buffer.
struct EventLoopPacedWriter: ResponseBodyWriter {
    var inner: any ResponseBodyWriter
    let eventLoop: any EventLoop

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await inner.write(buffer)
        // Tasks run in order: when this one runs, the write above has reached the channel and any
        // writability change it caused has reached the writer.
        try await eventLoop.submit {}.get()
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await inner.finish(trailingHeaders)
    }
}
