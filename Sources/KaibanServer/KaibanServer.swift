import Foundation
import Hummingbird
import HummingbirdCore
import KaibanCore
import KaibanDesk
import KaibanExchange
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Kaiban's HTTP API (Hummingbird) over a ``KaibanDesk/Desk``: it parses requests into desk calls
/// and answers with their results or their problems (`application/problem+json`); it holds no
/// business rule.
///
/// Adding routes: a file `SomethingRoutes.swift` with `extension KaibanServer { func
/// addSomethingRoutes(_ routes: RouteTable) }`, called from ``addRoutes(_:)``; each handler calls
/// the desk and returns a ``JSONResponse`` or throws the desk's problem; the path goes in
/// `Forms/api/openapi.yaml` too (a test checks the two against each other).
public struct KaibanServer: Sendable {
    public let desk: Desk
    public let settings: ServerSettings
    public let logger: Logger
    /// The OpenAPI document, read once at start.
    let openAPIDocument: ByteBuffer
    /// Requests counted and timed, and the desk's figures at each scrape (`/metrics`).
    public let metrics = ServerMetrics()

    /// A server on `desk`; a missing OpenAPI document is a problem (`server.openapi-missing`).
    public init(desk: Desk, settings: ServerSettings, logger: Logger) throws(Problem) {
        let path = settings.openAPIDocument.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(
                .brokenData, "server.openapi-missing", zh: "找不到接口说明文件\(path)", en: "no OpenAPI document at \(path)")
        }
        self.desk = desk
        self.settings = settings
        self.logger = logger
        self.openAPIDocument = ByteBuffer(bytes: data)
    }

    /// Registers every route of the API.
    func addRoutes(_ routes: RouteTable) {
        addHealthRoutes(routes)
        addMetricsRoutes(routes)
        addPortalRoutes(routes)
        addAppointmentRoutes(routes)
        addExchangeRoutes(routes)
        addExchangeFileRoutes(routes)
        addDashboardRoutes(routes)
    }

    /// The API's routes, then `extra` ones (tests add their own), then the 405 answers.
    public func routeTable(adding extra: (RouteTable) -> Void = { _ in }) -> RouteTable {
        // Four files of the largest size may be read at once (memory bounded whoever sends them).
        let routes = RouteTable(
            bodyLimit: settings.maxBodyBytes, uploadBudget: 4 * settings.maxDocumentBytes,
            metrics: metrics)
        addRoutes(routes)
        extra(routes)
        routes.finish()
        return routes
    }

    /// Starts listening on the settings' host and port and returns once the port is bound (with
    /// the port, useful when the settings asked for 0). `shutdownSignals` (SIGTERM and SIGINT for
    /// `kaiban serve`) stop it gracefully, as ``RunningServer/stop()`` does. A port taken, or an
    /// address that cannot be listened on, is a problem (`server.port-taken`, `server.bind-failed`,
    /// `server.address-invalid`).
    public func start(adding extra: (RouteTable) -> Void = { _ in }, shutdownSignals: [UnixSignal] = [])
        async throws -> RunningServer
    {
        let (listening, announce) = AsyncStream<Int>.makeStream()
        let routes = routeTable(adding: extra)
        let limits = routes.bodyLimits
        let idleTimeout = TimeAmount(settings.idleTimeout)
        let guarding = ConnectionGuard.Shared(
            limit: settings.maxConnections, headerTimeout: TimeAmount(settings.headerTimeout),
            idleTimeout: idleTimeout, minBodyRate: settings.minBodyRate, logger: logger)
        let app = Application(
            responder: PathNormalizingResponder(base: routes.router.buildResponder()),
            server: HTTPServerBuilder { responder in
                KaibanHTTP1Channel(
                    base: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            additionalChannelHandlers: [ExpectContinueHandler(limits: limits)],
                            idleTimeout: idleTimeout)),
                    guarding: guarding)
            },
            configuration: .init(address: .hostname(settings.host, port: settings.port)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app),
            .init(service: ShutdownNotice(logger: logger), successTerminationBehavior: .ignore),
        ]
        // What an exchange killed mid-write left beside the partners' files (up to 50 MiB each).
        DurableFiles.removeAbandoned(in: ExchangeInbox.filesFolder(desk.settings), now: Date())
        if let interval = settings.exchangeSendInterval, let worker = try? ExchangeWorker.open(desk) {
            services.append(
                .init(
                    service: OutboxService(worker: worker, interval: interval, logger: logger),
                    successTerminationBehavior: .ignore))
        }
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: shutdownSignals, logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownGracePeriod
        let group = ServiceGroup(configuration: configuration)
        let settings = settings
        let logger = logger
        let task = Task {
            defer { announce.finish() }
            do {
                try await group.run()
                logger.info("stopped")
            } catch {
                throw Self.refusal(error, settings)
            }
        }
        for await port in listening {
            logger.info(
                "listening on http://\(settings.host):\(port)",
                metadata: [
                    "maxBodyBytes": "\(settings.maxBodyBytes)", "version": "\(settings.version)",
                    "tasks": "\(Self.tasksOnEventLoops.load(ordering: .relaxed) ? "event-loops" : "swift-pool")",
                ])
            return RunningServer(port: port, group: group, task: task)
        }
        // It ended before listening: its error says why.
        try await task.value
        throw Problem(
            .storage, "server.not-started", zh: "服务在开始监听之前就停止了", en: "the server stopped before it listened")
    }

    /// Runs until SIGTERM or SIGINT, then stops taking connections, lets the requests in flight
    /// finish (up to ``ServerSettings/shutdownGracePeriod``) and returns.
    public func run() async throws {
        try await start(shutdownSignals: [.sigterm, .sigint]).wait()
    }

    /// Why the server could not listen, as a problem the command line reports (74, or 64 for an
    /// address that does not resolve); other errors as they are.
    static func refusal(_ error: any Error, _ settings: ServerSettings) -> any Error {
        let place = "\(settings.host):\(settings.port)"
        if let error = error as? IOError {
            if error.errnoCode == EADDRINUSE {
                return Problem(
                    .storage, "server.port-taken", zh: "端口\(settings.port)（\(settings.host)）已被占用，服务无法启动",
                    en: "port \(settings.port) on \(settings.host) is already in use: the server cannot start")
            }
            let reason = String(cString: strerror(error.errnoCode))
            return Problem(
                .storage, "server.bind-failed", zh: "无法在\(place)上监听（\(reason)）",
                en: "cannot listen on \(place): \(reason)")
        }
        if error is SocketAddressError || error is SocketAddressError.UnknownHost {
            return Problem(
                .invalid, "server.address-invalid", zh: "无法解析主机地址\(settings.host)",
                en: "the host \(settings.host) does not resolve to an address")
        }
        return error
    }
}

/// A server that is listening.
public final class RunningServer: Sendable {
    /// The port it listens on.
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops taking connections, lets the requests in flight finish, and returns when it has stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Returns when the server has stopped (a shutdown signal, or ``stop()``).
    public func wait() async throws {
        try await task.value
    }
}

/// Says in the log when a graceful shutdown begins (the services stop last first: this one
/// before the server).
/// Delivers the exchange's outbox every `interval` while the server runs; stops at shutdown.
struct OutboxService: Service {
    let worker: ExchangeWorker
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await worker.run(at: worker.outbox.desk.clock.now())
                    for (number, why) in report.failed {
                        logger.error(
                            "exchange: a case's message could not be written",
                            metadata: ["case": "\(number)", "error": "\(why)"])
                    }
                    // Cases of this hall the partner's refusal moved: the window must know.
                    for (number, why) in report.returned {
                        logger.warning(
                            "exchange: a refused transfer was returned to the window",
                            metadata: ["case": "\(number)", "why": "\(why)"])
                    }
                    for (number, why) in report.closed {
                        logger.warning(
                            "exchange: a refused transfer was closed", metadata: ["case": "\(number)", "why": "\(why)"])
                    }
                    let pass = report.delivery
                    if pass.delivered + pass.retrying + pass.failed + report.takenIn.count + report.told
                        + report.returned.count + report.closed.count > 0
                    {
                        logger.info(
                            "exchange: a pass",
                            metadata: [
                                "takenIn": "\(report.takenIn.count)", "refused": "\(report.refused.count)",
                                "told": "\(report.told)", "returned": "\(report.returned.count)",
                                "closed": "\(report.closed.count)",
                                "delivered": "\(pass.delivered)", "acknowledged": "\(pass.acknowledged)",
                                "rejected": "\(pass.rejected)", "retrying": "\(pass.retrying)",
                                "failed": "\(pass.failed)", "unboundAnswers": "\(pass.unboundAnswers)",
                            ])
                    }
                } catch {
                    logger.error("exchange: the outbox could not be delivered", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

struct ShutdownNotice: Service {
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // Cancelled (the server could not start): nothing is stopping gracefully.
        guard !Task.isCancelled else { return }
        logger.info("stopping: no new connections; the requests in flight finish")
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
