import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Closes a connection whose response has made no progress for `timeout` (`http.writeTimeout`).
///
/// A client that stops reading a download fills the socket's send buffer, NIO's outbound buffer passes
/// its high-water mark and the channel turns unwritable; Hummingbird's response writer then suspends.
/// Without a deadline that client would hold the connection, the response task and the open blob file
/// for ever. Closing the channel fails the suspended write, which ends the task and releases the file.
///
/// While the channel is unwritable the handler looks, a few times per `timeout`, at how many bytes
/// NIO still holds for the socket: any decrease is progress, since the kernel only takes more once the
/// client has read some. Writability alone is too coarse a signal: a slow client that keeps reading can
/// keep the buffer above the low-water mark for longer than the timeout. The channel turning writable
/// ends the watch.
///
/// - Important: Runs on the channel's event loop only, like every channel handler; its checks are
///   scheduled there too, so its state needs no lock.
final class WriteStallTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let timeout: TimeAmount
    /// How often an unwritable channel is looked at: a stall is noticed at most this late.
    private let checkInterval: TimeAmount
    private var nextCheck: Scheduled<Void>?
    private var lastProgress = NIODeadline.now()
    /// Bytes NIO held for the socket at the last check.
    private var buffered = 0

    init(timeout: TimeAmount) {
        self.timeout = timeout
        self.checkInterval = .nanoseconds(max(timeout.nanoseconds / 4, 1_000_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added to a channel that is already unwritable (unlikely at setup): no event would report it.
        if context.channel.isActive, !context.channel.isWritable { startWatching(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopWatching()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopWatching()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stopWatching()
        } else {
            startWatching(context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func startWatching(_ context: ChannelHandlerContext) {
        guard nextCheck == nil else { return }
        lastProgress = .now()
        buffered = Self.bufferedBytes(context)
        scheduleCheck(context)
    }

    private func stopWatching() {
        nextCheck?.cancel()
        nextCheck = nil
    }

    private func scheduleCheck(_ context: ChannelHandlerContext) {
        nextCheck = context.eventLoop.assumeIsolated().scheduleTask(in: checkInterval) { [self] in
            nextCheck = nil
            check(context)
        }
    }

    private func check(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, !context.channel.isWritable else { return }
        let now = Self.bufferedBytes(context)
        if now < buffered { lastProgress = .now() }
        buffered = now
        if NIODeadline.now() - lastProgress >= timeout {
            Self.closeAtOnce(context)
        } else {
            scheduleCheck(context)
        }
    }

    /// Closes the socket beneath TLS, if any, as a reset by the peer would. Closed from above, TLS would
    /// first queue its `close_notify` behind the bytes the client is not reading, and keep the connection
    /// for its shutdown timeout (5 s) waiting for an answer that cannot come.
    private static func closeAtOnce(_ context: ChannelHandlerContext) {
        if let tls = try? context.pipeline.syncOperations.context(handlerType: NIOSSLHandler.self) {
            tls.close(promise: nil)  // passes the close to the handlers before TLS, not to TLS itself
        } else {
            context.close(promise: nil)
        }
    }

    /// What NIO holds for the socket; a channel that cannot tell (0 every time) shows no progress, so
    /// it is closed after `timeout` of unwritability, the coarse rule.
    private static func bufferedBytes(_ context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}
