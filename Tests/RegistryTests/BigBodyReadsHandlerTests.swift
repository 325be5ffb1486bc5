import NIOCore
import NIOEmbedded
import NIOHTTP1
import Storage
import Testing

@testable import Registry

/// Which connections read a body in big reads (`BigBodyReadsHandler`), and when they stop.
@Suite struct BigBodyReadsHandlerTests {
    @Test func aBigBodyIsReadAMebibyteAtATime() throws {
        let channel = try Self.channel(Allowance(2))
        try channel.writeInbound(Self.head(["Content-Length": "1073741824"]))
        #expect(Self.largestRead(channel) == 1 << 20)
    }

    @Test func aBigBodyIsReadSeveralTimesPerReadableEvent() throws {
        let channel = try Self.channel(Allowance(2))
        try channel.writeInbound(Self.head(["Content-Length": "1073741824"]))
        #expect(Self.readsPerEvent(channel) == 4)
    }

    /// Docker streams a layer's `PATCH` with chunked transfer coding: it may be big.
    @Test func aBodyOfUnknownLengthIsReadAMebibyteAtATime() throws {
        let channel = try Self.channel(Allowance(2))
        try channel.writeInbound(Self.head(["Transfer-Encoding": "chunked"]))
        #expect(Self.largestRead(channel) == 1 << 20)
    }

    @Test func aSmallBodyKeepsStandardReads() throws {
        let channel = try Self.channel(Allowance(2))
        try channel.writeInbound(Self.head(["Content-Length": "\(BodyReads.bigBody - 1)"]))
        #expect(Self.largestRead(channel) == nil)
    }

    @Test func theConnectionGoesBackToStandardReadsWhenTheBodyEnds() throws {
        let allowance = Allowance(1)
        let channel = try Self.channel(allowance)
        try channel.writeInbound(Self.head(["Content-Length": "1073741824"]))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(Self.largestRead(channel) == BodyReads.largestRead)
        #expect(Self.readsPerEvent(channel) == 1)
        #expect(allowance.claim())
    }

    @Test func onlySoManyConnectionsAtOnceReadBig() throws {
        let allowance = Allowance(1)
        let first = try Self.channel(allowance)
        let second = try Self.channel(allowance)
        try first.writeInbound(Self.head(["Content-Length": "1073741824"]))
        try second.writeInbound(Self.head(["Content-Length": "1073741824"]))
        #expect(Self.largestRead(first) == 1 << 20)
        #expect(Self.largestRead(second) == nil)
        #expect(Self.readsPerEvent(second) == nil)
    }

    @Test func aConnectionClosedMidBodyGivesItsBigReadsBack() throws {
        let allowance = Allowance(1)
        let channel = try Self.channel(allowance)
        try channel.writeInbound(Self.head(["Content-Length": "1073741824"]))
        _ = try channel.finish(acceptAlreadyClosed: true)
        #expect(allowance.claim())
    }

    static func channel(_ allowance: Allowance) throws -> EmbeddedChannel {
        EmbeddedChannel(handler: BigBodyReadsHandler(allowance: allowance))
    }

    static func head(_ fields: KeyValuePairs<String, String>) -> HTTPServerRequestPart {
        var headers = HTTPHeaders([("Host", "x")])
        for (name, value) in fields { headers.add(name: name, value: value) }
        return .head(HTTPRequestHead(version: .http1_1, method: .PATCH, uri: "/v2/a/blobs/uploads/1", headers: headers))
    }

    /// The largest read of the last receive allocator set on `channel`, if any was.
    static func largestRead(_ channel: EmbeddedChannel) -> Int? {
        channel.options.compactMap { $0.value as? AdaptiveRecvByteBufferAllocator }.last?.maximum
    }

    /// The reads per readable event last set on `channel`, if any were.
    static func readsPerEvent(_ channel: EmbeddedChannel) -> UInt? {
        channel.options.filter { $0.option is ChannelOptions.Types.MaxMessagesPerReadOption }.compactMap { $0.value as? UInt }.last
    }
}
