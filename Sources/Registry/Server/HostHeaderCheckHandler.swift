import NIOCore
import NIOHTTP1

/// Refuses, with 400 and a closed connection, a request without a `Host` header in HTTP/1.1 or with
/// more than one in any version (RFC 9112 §3.2). HTTP/1.0 predates `Host` and may leave it out.
///
/// It must see the request as HTTP/1 sent it, so `StrictHTTP1Channel` installs it before Hummingbird's
/// conversion to HTTPTypes: that conversion drops the version and turns the first `Host` into the
/// request's `authority`, after which an HTTP/1.0 request without one looks like an HTTP/1.1 request.
///
/// - Important: Runs on the channel's event loop only, like every channel handler: its state needs no lock.
final class HostHeaderCheckHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case passing
        /// Nothing more is read from the connection; the refusal waits for the answers to the requests
        /// before it (pipelined), so that answers keep the order of requests.
        case refusing(reason: String, method: HTTPMethod)
        case refused
    }

    private var state = State.passing
    /// Requests passed on whose response has not ended yet.
    private var unanswered = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .passing = state else { return }
        if case .head(let head) = unwrapInboundIn(data) {
            if let reason = Self.refusal(of: head) {
                state = .refusing(reason: reason, method: head.method)
                if unanswered == 0 { refuse(context) }
                return
            }
            unanswered += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        // Hummingbird's 400 to a request the parser refused before its head ends no request counted here.
        guard isEnd, unanswered > 0 else { return }
        unanswered -= 1
        if case .refusing = state, unanswered == 0 { refuse(context) }
    }

    /// Why `head` is refused, or nil when its `Host` header is acceptable.
    private static func refusal(of head: HTTPRequestHead) -> String? {
        let hosts = head.headers["Host"].count
        if hosts > 1 { return "a request carries one Host header at most" }
        let predatesHost = head.version.major == 1 && head.version.minor == 0
        if hosts == 0, !predatesHost { return "an HTTP/1.1 request needs a Host header" }
        return nil
    }

    private func refuse(_ context: ChannelHandlerContext) {
        guard case .refusing(let reason, let method) = state else { return }
        state = .refused
        let body = context.channel.allocator.buffer(string: "400 Bad Request: \(reason)\n")
        let headers: HTTPHeaders = [
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": String(body.readableBytes),
            "Connection": "close",
        ]
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
