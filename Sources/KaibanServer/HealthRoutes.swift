import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk

/// `/healthz`'s answer: `{"database": {"reachable": true}, "status": "ok", "version": "0.1.0"}`.
public struct Health: Codable, Sendable, Equatable {
    public struct Database: Codable, Sendable, Equatable {
        public var reachable: Bool
    }

    public var status: String
    public var database: Database
    public var version: String
}

extension KaibanServer {
    /// `GET /healthz`: 200 while the database answers a read and the file the server writes is
    /// still the one at its path, else 503 `database.unreachable` (or `database.file-replaced`).
    /// `GET /openapi.yaml`: the API's OpenAPI 3.1 document, as read at start.
    func addHealthRoutes(_ routes: RouteTable) {
        let desk = desk
        let version = settings.version
        routes.get("/healthz") { _, context in
            do {
                // A real read through the desk's store: the clerks' table is small.
                _ = try await desk.store.clerks()
                try await desk.store.checkInPlace()
            } catch {
                // A file replaced under the server says so (it must be restarted): not "no answer".
                if case StoreError.databaseFileReplaced = error {
                    context.logger.critical(
                        "health: the database file was replaced under the server", metadata: ["error": "\(error)"])
                    throw Problem.from(error)
                }
                context.logger.error("health: the database does not answer", metadata: ["error": "\(error)"])
                throw HTTPProblem(
                    .serviceUnavailable, "database.unreachable",
                    title: LocalizedText(zh: "数据库不可用", en: "Database unreachable"),
                    detail: LocalizedText(zh: "数据库没有响应", en: "the database does not answer"))
            }
            return JSONResponse(Health(status: "ok", database: .init(reachable: true), version: version))
        }
        let document = openAPIDocument
        routes.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml", .contentLength: String(document.readableBytes)],
                body: .init(byteBuffer: document))
        }
    }
}
