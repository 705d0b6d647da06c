import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1), which Hummingbird leaves alone: a client
/// that sends it (curl and libcurl for bodies over 1 KiB, so URLSession on Linux) waits for a
/// `100 (Continue)` before it sends the body, a second or for good. The server sends one as soon
/// as it will read the body: at once, or after the answers still owed to earlier requests on the
/// connection. A request whose declared length is over its route's limit gets no 100: its final
/// answer (413) comes without the body being read. A request for a route with a check before
/// its body (a document's file: the token and the query password) gets its 100 only once the
/// check passed (``SendContinue``, triggered by the body middleware), so a file that would be
/// refused is never sent.
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The event the body middleware sends down the channel once a request's route will read
    /// its body (its check before the body passed).
    struct SendContinue: Sendable {}

    /// A request read and not yet answered in full.
    struct Pending {
        /// Whether it still waits for its 100 (Continue).
        var wantsContinue: Bool
        /// Whether that 100 waits for its route's check before the body (``SendContinue``).
        var held: Bool
    }

    let limits: BodyLimits
    /// An answer went to a request whose body was never asked for: the connection closes once
    /// it is written.
    var closingAfterAnswer = false
    /// The requests read and not yet answered in full, oldest first.
    var waiting: [Pending] = []

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
            let wants = head.headerFields[.expect]?.lowercased() == "100-continue" && takesBody(head)
            let path = head.path.map { String($0.prefix { $0 != "?" }) } ?? "/"
            waiting.append(
                Pending(wantsContinue: wants, held: wants && limits.isChecked(method: head.method, path: path)))
            if waiting.count == 1 { sendContinue(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            // The final answer came first: the body is not wanted any more. A client still
            // waiting for its 100 never sent it, and the server would wait for it (or take the
            // client's next request for it): the answer closes the connection (from a re-trial:
            // after an upload's early 401 the next request was swallowed as its body).
            if !waiting.isEmpty, waiting[0].wantsContinue {
                waiting[0].wantsContinue = false
                closingAfterAnswer = true
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            if !waiting.isEmpty { waiting[0].wantsContinue = false }
            context.write(data, promise: promise)
        case .end:
            if closingAfterAnswer {
                let written = context.eventLoop.makePromise(of: Void.self)
                if let promise { written.futureResult.cascade(to: promise) }
                context.writeAndFlush(data, promise: written)
                written.futureResult.whenComplete { _ in context.close(promise: nil) }
                return
            }
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

    /// A route's check before the body passed: the first request still held (the one whose
    /// route ran it: requests are answered in order) gets its 100 when it is the oldest.
    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is SendContinue else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if let index = waiting.firstIndex(where: \.held) {
            waiting[index].held = false
            if index == 0 { sendContinue(context) }
        }
        promise?.succeed(())
    }

    /// Sends the 100 (Continue) the oldest request waits for, if it waits for one and its route's
    /// check (if any) passed.
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
        guard let first = waiting.first, first.wantsContinue, !first.held else { return }
        waiting[0].wantsContinue = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Whether the body the request declares is one its route would read.
    func takesBody(_ head: HTTPRequest) -> Bool {
        guard let declared = head.headerFields[.contentLength].flatMap({ Int($0) }) else { return true }
        let path = head.path.map { String($0.prefix { $0 != "?" }) } ?? "/"
        return declared <= limits.limit(method: head.method, path: path)
    }
}
