import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// The connection's rules that the version-free request Hummingbird sees cannot carry, applied
/// before the conversion to HTTP types, where the version and the raw headers are still known:
/// - HTTP/1.0 (RFC 9112 §9.3): a request keeps its connection only when it asks with
///   `Connection: keep-alive` (and not `close` too); the answer to one that did not says
///   `Connection: close`, the answer to one that did says `Connection: keep-alive` (a 1.0 client
///   assumes a close otherwise); a 1.0 request is never sent `100 Continue` (its `Expect` is
///   dropped, RFC 9110 §10.1.1), and one with `Transfer-Encoding` is answered and its connection
///   closed (faulty framing, RFC 9112 §6.1);
/// - any version: a `close` option in `Connection` (any case, among other options; RFC 9112
///   §9.6) closes the connection after the answer, and so does a request asking to `Upgrade`
///   (this server upgrades to nothing, and the HTTP parser reads nothing after such a request);
///   so does an answer that says `Connection: close` itself (a 413, whose body is not read).
/// The connection is closed gracefully: the answer written, then the sending side shut, and what
/// the client still sends read and dropped until it closes (or the idle timeout), so that a client
/// still sending a refused body sees its answer rather than a reset.
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
    /// The request being read asked for the close: once its end has passed, nothing more is.
    var readingLast = false
    var closing = false

    /// The options of the `Connection` fields in `headers`, lowercased.
    static func connectionOptions(_ headers: HTTPHeaders) -> Set<String> {
        Set(
            headers["connection"].flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            })
    }

    /// What `head` asks of the connection.
    static func keeping(_ head: HTTPRequestHead) -> Keeping {
        let options = connectionOptions(head.headers)
        let http10 = head.version.major == 1 && head.version.minor == 0
        if options.contains("close") || head.headers.contains(name: "upgrade")
            || (http10 && head.headers.contains(name: "transfer-encoding"))
        {
            return .close
        }
        guard http10 else { return .asHTTP11 }
        return options.contains("keep-alive") ? .keepAlive : .close
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing { return }
        switch unwrapInboundIn(data) {
        case .head(var head):
            let keeping = Self.keeping(head)
            pending.append(keeping)
            if keeping == .close { readingLast = true }
            if head.version.major == 1 && head.version.minor == 0 && head.headers.contains(name: "expect") {
                head.headers.remove(name: "expect")
                context.fireChannelRead(wrapInboundOut(.head(head)))
                return
            }
            context.fireChannelRead(data)
        case .end:
            context.fireChannelRead(data)
            if readingLast { closing = true }
        case .body:
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            // An answer that closes the connection itself is the last, whatever its request asked.
            if !pending.isEmpty && Self.connectionOptions(head.headers).contains("close") {
                pending[0] = .close
            }
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
            // Nothing after this request is read on: its answer is the last.
            closing = true
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            written.futureResult.whenComplete { _ in
                context.close(mode: .output).whenFailure { _ in context.close(promise: nil) }
            }
        default:
            context.write(data, promise: promise)
        }
    }
}

/// Hummingbird's HTTP/1.1 channel with ``ConnectionGuard`` and ``HTTP10ConnectionHandler``
/// before its conversion to HTTP types.
struct KaibanHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel
    /// The connections' limit and deadlines (``ConnectionGuard``), shared by the server's connections.
    let guarding: ConnectionGuard.Shared

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { [guarding] value in
            let operations = channel.pipeline.syncOperations
            let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
            try operations.addHandler(ConnectionGuard(shared: guarding), position: .before(codec))
            try operations.addHandler(HTTP10ConnectionHandler(), position: .before(codec))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
