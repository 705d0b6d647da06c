import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// HTTP/1.0's rule for the connection (RFC 9112 §9.3), which the version-free request Hummingbird
/// sees cannot carry: a 1.0 request keeps its connection only when it asks with
/// `Connection: keep-alive`, and a 1.0 client waits for the close when it did not ask. Sits
/// before the conversion to HTTP types, where the version is still known: the answer to such a
/// request says `Connection: close` and the connection is closed once it is written; the answer
/// to one that asked says `Connection: keep-alive` (a 1.0 client assumes a close otherwise).
final class HTTP10ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What each request read and not yet answered asks of the connection, oldest first.
    enum Keeping {
        case asHTTP11, keepAlive, close
    }
    var pending: [Keeping] = []
    /// A request asked for the close: nothing read after it is passed on.
    var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing { return }
        if case .head(let head) = unwrapInboundIn(data) {
            let keeping: Keeping =
                head.version.major == 1 && head.version.minor == 0
                ? (head.isKeepAlive ? .keepAlive : .close) : .asHTTP11
            pending.append(keeping)
            if keeping == .close { closing = true }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            switch pending.first {
            case .close?: head.headers.replaceOrAdd(name: "connection", value: "close")
            case .keepAlive?:
                if head.headers["connection"].isEmpty { head.headers.add(name: "connection", value: "keep-alive") }
            default: break
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            let answered = pending.isEmpty ? Keeping.asHTTP11 : pending.removeFirst()
            guard answered == .close else {
                context.write(data, promise: promise)
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            written.futureResult.whenComplete { _ in context.close(promise: nil) }
        default:
            context.write(data, promise: promise)
        }
    }
}

/// Hummingbird's HTTP/1.1 channel with ``HTTP10ConnectionHandler`` before its conversion to
/// HTTP types.
struct KaibanHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
            try operations.addHandler(HTTP10ConnectionHandler(), position: .before(codec))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
