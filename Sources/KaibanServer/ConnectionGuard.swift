import Logging
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the portal answering while some clients hold connections they do not use:
/// - at most `limit` connections at once: one more is answered 503 with `Retry-After` and closed
///   (below the process's file-descriptor limit, so that the database and the files can still be
///   opened; a hostile trial's 1,100 half-sent requests had used every descriptor, and the portal
///   stopped answering without a word in the log);
/// - a request's head must arrive whole within `headerTimeout` of the connection's start, and the
///   next one within the idle timeout of the last answer: a client sending its head a byte at a
///   time (slowloris) had held its connection for as long as it kept sending.
/// Counted per server; the over-limit refusals are logged at most once a minute.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the handlers of one server share.
    final class Shared: Sendable {
        let limit: Int
        let headerTimeout: TimeAmount
        let idleTimeout: TimeAmount
        let logger: Logger
        let open = Atomic<Int>(0)
        /// When the last refusal was logged (seconds since the epoch).
        let lastLogged = Atomic<Int>(0)

        init(limit: Int, headerTimeout: TimeAmount, idleTimeout: TimeAmount, logger: Logger) {
            self.limit = limit
            self.headerTimeout = headerTimeout
            self.idleTimeout = idleTimeout
            self.logger = logger
        }
    }

    let shared: Shared
    var counted = false
    var refused = false
    var deadline: Scheduled<Void>?
    /// Requests whose head has come and whose answer has not ended.
    var unanswered = 0

    init(shared: Shared) {
        self.shared = shared
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        let now = shared.open.add(1, ordering: .relaxed).newValue
        guard now <= shared.limit else {
            refused = true
            let second = Int(time(nil))
            let last = shared.lastLogged.load(ordering: .relaxed)
            if second - last >= 60,
                shared.lastLogged.compareExchange(expected: last, desired: second, ordering: .relaxed).exchanged
            {
                shared.logger.warning(
                    "connection limit reached: new connections are answered 503",
                    metadata: ["limit": "\(shared.limit)"])
            }
            var headers = HTTPHeaders()
            headers.add(name: "Retry-After", value: "1")
            headers.add(name: "Connection", value: "close")
            headers.add(name: "Content-Length", value: "0")
            let head = HTTPResponseHead(version: .http1_1, status: .serviceUnavailable, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        arm(context: context, after: shared.headerTimeout)
    }

    /// Closes the connection unless a request's head has come within `delay`.
    private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
        deadline?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = bound.value
            guard handler.unanswered == 0 else { return }
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        if case .head = unwrapInboundIn(data) {
            unanswered += 1
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), unanswered > 0 {
            unanswered -= 1
            if unanswered == 0 { arm(context: context, after: shared.idleTimeout) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func release() {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            shared.open.subtract(1, ordering: .relaxed)
        }
    }

    /// The default limit: the process's file descriptors, less 128 kept for the database, the
    /// documents and the exchange's files, and never more than 10,000 nor fewer than 16.
    static func defaultLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_000 }
        let soft = Int(clamping: limit.rlim_cur)
        return min(10_000, max(16, soft - 128))
    }
}
