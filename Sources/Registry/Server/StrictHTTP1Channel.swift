import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel, plus the checks that must see a request as HTTP/1 sent it.
///
/// `HTTP1Channel.Configuration.additionalChannelHandlers` go after the conversion of HTTP/1 messages to
/// HTTPTypes, which drops the HTTP version and folds the first `Host` header into `authority`. These go
/// just before it.
struct StrictHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let conversion = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(HostHeaderCheckHandler(), position: .before(conversion))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
