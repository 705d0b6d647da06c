import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// A bare Hummingbird server, the yardstick of Scripts/bench-http: one route, `GET /status`,
/// answering a fixed small JSON body, with no middleware, no desk and no database. Kaiban's own
/// status reads are measured against it on the same machine in the same run.
public enum BareServer {
    /// The fixed answer of `GET /status`.
    static let body = ByteBuffer(string: #"{"number":"510811-20261127-0001","stage":"accepted","status":"ok"}"#)

    /// Serves on `host`:`port` until SIGTERM or SIGINT.
    public static func run(host: String, port: Int, logger: Logger) async throws {
        let router = Router()
        router.get("/status") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json", .contentLength: String(body.readableBytes)],
                body: .init(byteBuffer: body))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
