import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Asks the connection's `SendfileHandler` to send `region` in place of the body part `marker`.
///
/// Hummingbird's response writer only carries `ByteBuffer`s, so a blob body is written as a tiny
/// marker buffer and swapped for the file region below Hummingbird, in the order the parts go out.
struct SendfileRequest: Sendable {
    let marker: ByteBuffer
    let region: FileRegion
    let file: NIOFileHandle
    /// Completed once the region has gone to the socket (or failed to), always: the route waits for it
    /// before ending the response, so the connection counts as busy until then (Hummingbird's idle timeout
    /// would otherwise start at the response's end part, long before a big blob is sent).
    let sent: EventLoopPromise<Void>

    /// Identity, not equality: the very buffer written by the route, whose storage this request
    /// keeps alive, so no blob byte pattern can ever be mistaken for it.
    func isMarker(_ buffer: ByteBuffer) -> Bool {
        guard buffer.readableBytes == marker.readableBytes else { return false }
        let mine = marker.withUnsafeReadableBytes { $0.baseAddress }
        return buffer.withUnsafeReadableBytes { $0.baseAddress } == mine
    }
}

/// Sends blob bodies with `sendfile(2)`: no copy of the bytes through user space and no buffers in
/// the process (profiles of the chunked path showed half the server's time in those two copies).
/// Installed on plain-HTTP connections only: TLS has to encrypt in user space anyway.
///
/// Sits just above Hummingbird's HTTP/1 translation codec and writes the region through the codec's
/// own context, straight to NIO's HTTP/1 encoder, which understands file regions.
final class SendfileHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var pending: [SendfileRequest] = []
    private var encoderSide: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        encoderSide = try? context.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Requests whose marker never came (the response failed first) still own their files.
        for request in pending {
            try? request.file.close()
            request.sent.fail(ChannelError.ioOnClosedChannel)
        }
        pending = []
        encoderSide = nil
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let request = event as? SendfileRequest else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard encoderSide != nil else {
            promise?.fail(ChannelError.operationUnsupported)
            return
        }
        pending.append(request)
        promise?.succeed()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .body(let buffer) = unwrapOutboundIn(data), !pending.isEmpty,
            let index = pending.firstIndex(where: { $0.isMarker(buffer) }), let encoderSide
        else {
            context.write(data, promise: promise)
            return
        }
        let request = pending.remove(at: index)
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.whenComplete { result in
            try? request.file.close()
            request.sent.completeWith(result)
        }
        encoderSide.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(request.region))), promise: written)
    }
}
