import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1), which Hummingbird leaves alone: a client
/// that sends it (curl and libcurl for bodies over 1 KiB, so URLSession on Linux) waits for a
/// `100 (Continue)` before it sends the body, a second or for good. The server sends one as soon
/// as it will read the body: at once, or after the answers still owed to earlier requests on the
/// connection. A request whose declared length is over its route's limit gets no 100: its final
/// answer (413) comes without the body being read.
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: BodyLimits
    /// The requests read and not yet answered in full, oldest first: whether each still waits for
    /// its 100 (Continue).
    var waiting: [Bool] = []

    init(limits: BodyLimits) {
        self.limits = limits
    }

    /// A CONNECT came: nothing more is read from the connection, which is closed once the
    /// answers before it and its own 501 are written.
    var refusingConnect = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusingConnect { return }
        if case .head(let head) = unwrapInboundIn(data), head.method == .connect {
            // The HTTP parser turns a connection into a tunnel after CONNECT, and the encoder
            // writes its answer without a body or an end: a client would wait for ever. This
            // server tunnels nothing, so CONNECT is answered here, framed, and the connection closed.
            refusingConnect = true
            if waiting.isEmpty { refuseConnect(context) }
            return
        }
        if case .head(let head) = unwrapInboundIn(data) {
            waiting.append(head.headerFields[.expect]?.lowercased() == "100-continue" && takesBody(head))
            if waiting.count == 1 { sendContinue(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:
            // The final answer came first: the body is not wanted any more.
            if !waiting.isEmpty { waiting[0] = false }
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            if !waiting.isEmpty { waiting.removeFirst() }
            if refusingConnect && waiting.isEmpty {
                refuseConnect(context)
                return
            }
            sendContinue(context)
        default:
            context.write(data, promise: promise)
        }
    }

    /// Sends the 100 (Continue) the oldest request waits for, if it waits for one.
    /// 501 with `Connection: close`, then the close. No body: NIO's encoder pairs the answer with
    /// the CONNECT and writes an answer to CONNECT without one (a tunnel would follow).
    func refuseConnect(_ context: ChannelHandlerContext) {
        let fields: HTTPFields = [.connection: "close"]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .notImplemented, headerFields: fields))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// After a CONNECT nothing more is read: the parser has stopped, and what came would pile up.
    func read(context: ChannelHandlerContext) {
        if !refusingConnect { context.read() }
    }

    func sendContinue(_ context: ChannelHandlerContext) {
        guard waiting.first == true else { return }
        waiting[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Whether the body the request declares is one its route would read.
    func takesBody(_ head: HTTPRequest) -> Bool {
        guard let declared = head.headerFields[.contentLength].flatMap({ Int($0) }) else { return true }
        let path = head.path.map { String($0.prefix { $0 != "?" }) } ?? "/"
        return declared <= limits.limit(method: head.method, path: path)
    }
}
