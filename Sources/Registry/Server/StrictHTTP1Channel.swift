import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Storage

/// Hummingbird's HTTP/1 channel, set up here rather than by `HTTP1Channel.setup` for two reasons.
///
/// - The checks that must see a request as HTTP/1 sent it. `HTTP1Channel.Configuration.additionalChannelHandlers`
///   go after the conversion of HTTP/1 messages to HTTPTypes, which drops the HTTP version and folds the first
///   `Host` header into `authority`. The check goes just before it.
/// - Bigger reads with no more memory per connection, and bigger still for a few big bodies at once: see
///   `BodyReads`.
///
/// The pipeline is otherwise Hummingbird's, handler for handler, and requests are still served by
/// `HTTP1Channel.handle`.
struct StrictHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    /// Connections reading a big body in big reads, shared by all of this server's connections.
    let bigBodyReads = Allowance(System.coreCount)

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
            try pipeline.addHandler(BigBodyReadsHandler(allowance: bigBodyReads))
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
/// A push is received in socket reads, and each read costs the event loop a wake-up, the kernel a window
/// update to the sender (on loopback the sender's TCP work then runs on the reader's thread), and the
/// request's task a hand-off. NIO reads at most 64 KiB by default. The event loop's CPU per GiB pushed
/// here: 0.38–0.47 s with 64 KiB reads, 0.29–0.34 with 256 KiB, 0.20 with 512 KiB; zotd's whole push
/// went from 1.22–1.33 to 0.91–1.04 CPU-s per GiB.
///
/// What a connection holds is bounded in parts, not bytes: the async channel stops reading at a number of
/// buffered parts (Hummingbird's default is 10), and one readable event reads up to `maxMessagesPerRead`
/// times (NIO's default is 4) whatever the buffering. So as reads grow the parts held shrink: one part
/// waits while the task copies the one before, and an event reads once, so a connection holds at most
/// 1 MiB of reads (a big body's more: see `bigBodyReadsPerEvent`). 32 parallel pushes of 32 MiB peaked at
/// 131 MiB (121 MiB with NIO's and Hummingbird's defaults; with two parts waiting, 147 MiB, and 191 MiB
/// with 1 MiB reads).
enum BodyReads {
    /// The largest read, but for big bodies.
    static let largestRead = 512 * 1024

    /// The parts the request's task may have waiting: one. The socket is read again as soon as the task
    /// takes it, while the task copies it; a second one waiting made pushes no faster.
    static let partsBuffered = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
        lowWatermark: 1, highWatermark: 1)

    /// The largest read of a big body (see `BigBodyReadsHandler`). With 1 MiB reads a 1 GiB push cost the
    /// event loop 0.10–0.14 CPU-s against 0.16–0.19, and zotd 0.74–0.78 against 0.82–0.84, A/B
    /// interleaved; 2 MiB saved nothing more. For all connections they took 32 parallel pushes of 32 MiB
    /// from 130 to 166 MiB, so only as many as there are cores read so.
    static let bigBodyRead = 1 << 20
    /// How many reads of a big body one readable event makes. Four let the task take the next parts
    /// without waiting for the event loop, which then wakes less: over a 1 GiB push it switched 550–770
    /// times against 770–990, waited for a core 0.09–0.16 s against 0.18–0.22, and spent 0.08–0.12 CPU-s
    /// against 0.11–0.14; zotd spent 0.72–0.80 CPU-s per GiB against 0.76–0.86, A/B interleaved. A big
    /// body's connection then holds up to 4 MiB of reads: 32 parallel pushes of 32 MiB peaked at 145 MiB
    /// against 138.
    static let bigBodyReadsPerEvent: UInt = 4
    /// Bodies at least this long, or of unknown length, are big: shorter ones would gain few reads.
    static let bigBody = 16 << 20

    static func configure(_ channel: any Channel) throws {
        try setReads(channel, standardReads, perEvent: standardReadsPerEvent)
    }

    static func isBig(_ head: HTTPRequestHead) -> Bool {
        if head.headers["Transfer-Encoding"].contains(where: { $0.lowercased().contains("chunked") }) { return true }
        guard let length = head.headers.first(name: "Content-Length").flatMap(Int.init) else { return false }
        return length >= bigBody
    }

    static func readBig(_ channel: any Channel) {
        try? setReads(
            channel, AdaptiveRecvByteBufferAllocator(minimum: 64, initial: largestRead, maximum: bigBodyRead),
            perEvent: bigBodyReadsPerEvent)
    }

    static func readStandard(_ channel: any Channel) {
        try? setReads(channel, standardReads, perEvent: standardReadsPerEvent)
    }

    /// How large a connection's reads grow, and how many one readable event makes: set together, always.
    private static func setReads(
        _ channel: any Channel, _ allocator: AdaptiveRecvByteBufferAllocator, perEvent: UInt
    ) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(ChannelOptions.recvAllocator, value: allocator)
        try options.setOption(ChannelOptions.maxMessagesPerRead, value: perEvent)
    }

    private static let standardReadsPerEvent: UInt = 1

    /// Starts small and grows only while reads fill their buffer, so requests without a body keep small
    /// buffers.
    private static var standardReads: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: largestRead)
    }
}
