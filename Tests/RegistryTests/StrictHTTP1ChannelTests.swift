import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import Registry

/// What one connection may hold of a request body (`BodyReads`), on a channel set up by `StrictHTTP1Channel`.
@Suite struct StrictHTTP1ChannelTests {
    @Test func readsGrowToHalfAMebibyteOnePerReadableEvent() async throws {
        let channel = EmbeddedChannel()
        _ = try await Self.setUp(channel)

        let allocator = try #require(channel.options.compactMap { $0.value as? AdaptiveRecvByteBufferAllocator }.last)
        #expect(allocator.maximum == 512 * 1024)
        #expect(allocator.initial <= 2048)
        let readsPerEvent = channel.options.last { $0.option is ChannelOptions.Types.MaxMessagesPerReadOption }
        #expect(readsPerEvent?.value as? UInt == 1)
    }

    /// At most one part waits for the request's task: the connection is read again only once it is taken.
    @Test func theConnectionIsReadAgainOnlyOnceTheWaitingPartIsTaken() async throws {
        let channel = EmbeddedChannel()
        let connection = try await Self.setUp(channel)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5000)).get()
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads, position: .first)

        let head = "PATCH /v2/a/blobs/uploads/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n"
        try channel.writeInbound(ByteBuffer(string: head))
        channel.pipeline.fireChannelReadComplete()
        channel.read()
        #expect(reads.count == 0)

        try await connection.executeThenClose { inbound, _ in
            var parts = inbound.makeAsyncIterator()
            _ = try await parts.next()
            channel.embeddedEventLoop.run()
            #expect(reads.count == 1)
            _ = try? channel.finish()  // closes the connection, or `executeThenClose` would wait for it
        }
    }

    static func setUp(_ channel: EmbeddedChannel) async throws -> HTTP1Channel.Value {
        let value = StrictHTTP1Channel(base: HTTP1Channel(responder: { _, _, _ in }))
            .setup(channel: channel, logger: Logger(label: "test"))
        channel.embeddedEventLoop.run()
        return try await value.get()
    }
}

/// Counts the reads that reach the socket's end of the pipeline. Unchecked: an embedded channel runs its
/// handlers on the test's own thread.
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = Never
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
