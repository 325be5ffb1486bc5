import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel, set up here rather than by `HTTP1Channel.setup` for two reasons.
///
/// - The checks that must see a request as HTTP/1 sent it. `HTTP1Channel.Configuration.additionalChannelHandlers`
///   go after the conversion of HTTP/1 messages to HTTPTypes, which drops the HTTP version and folds the first
///   `Host` header into `authority`. These go just before it.
/// - Bigger reads with no more memory per connection: see `BodyReads`.
///
/// The pipeline is otherwise Hummingbird's, handler for handler, and requests are still served by
/// `HTTP1Channel.handle`.
struct StrictHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try BodyReads.configure(channel)
            let pipeline = channel.pipeline.syncOperations
            let configuration = base.configuration
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // NIOAsyncChannel already answers requests one at a time
                withErrorHandling: false,  // Hummingbird answers a parse error itself
                withOutboundHeaderValidation: false,  // HTTPTypes validated the fields already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(HostHeaderCheckHandler())
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandlers(configuration.additionalChannelHandlers())
            try pipeline.addHandler(
                HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout.map { .init($0) }, logger: logger)
            )
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(backPressureStrategy: BodyReads.partsBuffered, isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// How much a connection reads at once, and how much of it waits for the request's task.
///
/// A push is received in socket reads, and every read costs the event loop a wake-up and the request's
/// task a hand-off. NIO's default reads at most 64 KiB; 256 KiB reads took the event loop from
/// 0.38–0.47 to 0.17–0.18 CPU-s per GiB pushed here, a quarter of zotd's CPU for a push.
///
/// What a connection holds is bounded in parts, not bytes: the async channel stops reading at a number of
/// buffered parts (Hummingbird's default is 10), and one readable event reads up to `maxMessagesPerRead`
/// times (NIO's default is 4) whatever the buffering. With 256 KiB reads under those defaults, 32 parallel
/// pushes peaked at 208 MiB against 119 MiB with 64 KiB reads. So reads grow fourfold while the parts held
/// shrink to match: at most 2 buffered and 1 read per event, 768 KiB per connection against 64 KiB × 14.
enum BodyReads {
    /// The largest read. The adaptive allocator starts small and grows only while reads fill their buffer,
    /// so requests without a body keep reading in small buffers.
    static let largestRead = 256 * 1024

    /// The parts the request's task may have waiting. Two keeps one part ready while the task copies the
    /// other, so the socket is read again as soon as one is taken.
    static let partsBuffered = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
        lowWatermark: 1, highWatermark: 2)

    static func configure(_ channel: any Channel) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(
            ChannelOptions.recvAllocator,
            value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: largestRead))
        try options.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
    }
}
