import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Lets one final response per request through; a response no request is waiting for is dropped and
/// the connection closed.
///
/// Hummingbird writes one: when a request's body turns out malformed (a bad chunk-size line) after
/// its response went out, because the route never read the body (`GET /v2/`, a 401, a 404), it answers
/// a bare 400 as it drains that body. The client would take it for the answer to its next request.
///
/// - Important: Runs on the channel's event loop only, like every channel handler: its counts need no lock.
final class UnsolicitedResponseFilter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests read, plus those the parser refused before their head: Hummingbird's 400 answers those.
    private var requests = 0
    /// Final (not 1xx) responses begun.
    private var responses = 0
    private var readingBody = false
    private var dropping = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requests += 1
            readingBody = true
        case .body:
            break
        case .end:
            readingBody = false
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !readingBody { requests += 1 }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !dropping, case .head(let head) = unwrapOutboundIn(data), head.status.kind != .informational {
            if responses == requests {
                dropping = true
                context.close(promise: nil)
            } else {
                responses += 1
            }
        }
        guard !dropping else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }
}
