import NIOCore
import NIOHTTP1
import Storage

/// Reads a big request body in larger reads (`BodyReads.bigBodyRead`), on as many connections at once as
/// `allowance` lets; the connection goes back to standard reads when the body ends or the connection does.
/// A client that declares a big body and stalls holds one only until the idle timeout closes its connection,
/// and meanwhile costs other big bodies only the bigger reads.
///
/// - Important: Runs on the channel's event loop only, like every channel handler: its state needs no lock.
final class BigBodyReadsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let allowance: Allowance
    /// Whether this connection holds one of `allowance`'s.
    private var claimed = false

    init(allowance: Allowance) {
        self.allowance = allowance
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head) where BodyReads.isBig(head) && !claimed:
            if allowance.claim() {
                claimed = true
                BodyReads.readBig(context.channel)
            }
        case .end where claimed:
            giveBack(context.channel)
        default:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        giveBack(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        giveBack(context.channel)
    }

    private func giveBack(_ channel: any Channel) {
        guard claimed else { return }
        claimed = false
        allowance.giveBack()
        BodyReads.readStandard(channel)
    }
}
