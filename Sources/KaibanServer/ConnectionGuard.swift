import Foundation
import KaibanCore
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
/// - a request's head must arrive whole within `headerTimeout` of the connection's start (else
///   408 and closed), and the next one within the idle timeout of the last answer (else closed):
///   a client sending its head a byte at a time (slowloris) had held its connection for as long
///   as it kept sending;
/// - a request's declared body must come at `minBodyRate` bytes a second at least, after a grace
///   of `headerTimeout` (else 408 and closed): the same held with a body (slow POST).
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
        /// Bytes a second (at least 1).
        let minBodyRate: Int
        let logger: Logger
        let open = Atomic<Int>(0)
        /// When the last refusal was logged (seconds since the epoch).
        let lastLogged = Atomic<Int>(0)

        init(limit: Int, headerTimeout: TimeAmount, idleTimeout: TimeAmount, minBodyRate: Int = 500, logger: Logger) {
            self.limit = limit
            self.headerTimeout = headerTimeout
            self.idleTimeout = idleTimeout
            self.minBodyRate = max(1, minBodyRate)
            self.logger = logger
        }
    }

    let shared: Shared
    var counted = false
    var refused = false
    /// The first request's head deadline, then the idle check (one at a time).
    var timer: Scheduled<Void>?
    /// Requests whose head has come and whose answer has not ended.
    var unanswered = 0
    /// Whether a request's head has come yet.
    var started = false
    /// When the head of a request whose declared body is still coming arrived, and the body's
    /// bytes since (nil when no body is coming).
    var bodyStarted: NIODeadline?
    var bodyBytes = 0
    /// When the connection last did something while no request was unanswered: an answer ended,
    /// or a body still arriving after an early answer.
    var lastActivity = NIODeadline.now()

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
            refuse(context: context)
            return
        }
        schedule(context: context, at: .now() + shared.headerTimeout)
    }

    /// Answers 503 with `Retry-After` and closes gracefully.
    private func refuse(context: ChannelHandlerContext) {
        refused = true
        let second = Int(time(nil))
        let last = shared.lastLogged.load(ordering: .relaxed)
        if second - last >= 60,
            shared.lastLogged.compareExchange(expected: last, desired: second, ordering: .relaxed).exchanged
        {
            shared.logger.warning(
                "connection limit reached: new connections are answered 503", metadata: ["limit": "\(shared.limit)"])
        }
        var headers = HTTPHeaders()
        headers.add(name: "Retry-After", value: "1")
        answerAndClose(context: context, status: .serviceUnavailable, headers: headers, body: [])
    }

    /// The 408 a connection gets whose first request head did not come whole in time (RFC 9110
    /// §15.5.9), as `application/problem+json` in Chinese (no request said which language).
    static let timeoutBody = problemBody(.requestTimeout)
    /// The 408 of a body slower than the least rate.
    static let slowBodyBody = problemBody(.bodyTimeout)

    static func problemBody(_ problem: HTTPProblem) -> [UInt8] {
        Array(
            (try? KaibanJSON.encoder.encode(ProblemDocument(problem, language: .zh)))
                ?? Data(#"{"code":"\#(problem.code)","status":\#(problem.status.code)}"#.utf8))
    }

    /// Answers `status` with `Connection: close` and closes gracefully: the sending side shut
    /// after the answer, what the client still sends read and dropped, the connection closed
    /// within two seconds (a client that sent its request first still reads the answer, not a
    /// reset). Nothing the client sends afterwards reaches the server's handlers.
    private func answerAndClose(
        context: ChannelHandlerContext, status: HTTPResponseStatus, headers extra: HTTPHeaders, body: [UInt8]
    ) {
        refused = true
        var headers = extra
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Date", value: HallTime.httpDate(of: Date()))
        headers.add(name: "Content-Length", value: "\(body.count)")
        if !body.isEmpty { headers.add(name: "Content-Type", value: ProblemDocument.mediaType) }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            bound.value.close(mode: .output, promise: nil)
        }
        timer = context.eventLoop.scheduleTask(in: .seconds(2)) { bound.value.close(promise: nil) }
    }

    /// Checks at `deadline` that the connection is not stalled: before its first head, answered
    /// 408 and closed then; afterwards closed (without an answer: a client may reuse an idle
    /// connection at that very moment) when nothing has happened for the idle time while no
    /// request was unanswered (one timer at a time, not one per request).
    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard handler.started else {
                handler.answerAndClose(
                    context: context, status: .requestTimeout, headers: HTTPHeaders(), body: Self.timeoutBody)
                return
            }
            // A request under way: its answer's end schedules the next check.
            guard handler.unanswered == 0 else { return }
            let due = handler.lastActivity + handler.shared.idleTimeout
            if due <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context: context, at: due)
            }
        }
    }

    /// Checks at `deadline` that the body still coming is not slower than the least rate: the
    /// grace, then a second for every `minBodyRate` bytes received; answered 408 and closed past
    /// that.
    private func scheduleBodyCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard let started = handler.bodyStarted else { return }
            let due =
                started + handler.shared.headerTimeout
                + .nanoseconds(Int64(handler.bodyBytes) * 1_000_000_000 / Int64(handler.shared.minBodyRate))
            if due <= .now() {
                handler.answerAndClose(
                    context: context, status: .requestTimeout, headers: HTTPHeaders(), body: Self.slowBodyBody)
            } else {
                handler.scheduleBodyCheck(context: context, at: due)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            unanswered += 1
            if !started {
                started = true
                timer?.cancel()
                timer = nil
            }
            // A body declared (a GET has none, and schedules nothing): its rate is watched.
            if head.headers.contains(name: "content-length") || head.headers.contains(name: "transfer-encoding") {
                let now = NIODeadline.now()
                bodyStarted = now
                bodyBytes = 0
                timer?.cancel()
                scheduleBodyCheck(context: context, at: now + shared.headerTimeout)
            }
        case .body(let bytes):
            bodyBytes += bytes.readableBytes
            if unanswered == 0 { lastActivity = .now() }
        case .end:
            if unanswered == 0 { lastActivity = .now() }
            if bodyStarted != nil {
                bodyStarted = nil
                timer?.cancel()
                timer = nil
                // Answered before its body ended: the idle time counts from now.
                if unanswered == 0 { schedule(context: context, at: lastActivity + shared.idleTimeout) }
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !refused, case .end = unwrapOutboundIn(data), unanswered > 0 {
            unanswered -= 1
            if unanswered == 0 {
                lastActivity = .now()
                if timer == nil { schedule(context: context, at: lastActivity + shared.idleTimeout) }
            }
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
        timer?.cancel()
        timer = nil
        if counted {
            counted = false
            shared.open.subtract(1, ordering: .relaxed)
        }
    }

    /// The default limit: the process's file descriptors, less those open when the server starts
    /// (its event loops', its logs') and 128 kept for the database, the documents and the
    /// exchange's files; never more than 10,000 nor fewer than 16.
    static func defaultLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_000 }
        let soft = Int(clamping: limit.rlim_cur)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 64
        return min(10_000, max(16, soft - open - 128))
    }
}
