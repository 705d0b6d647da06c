import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanPostgres
import KaibanServer
import KaibanStore
import Logging

/// `kaiban serve`: the portal API over HTTP, on the same database and settings as the commands.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: localized(zh: "启动门户接口（HTTP）服务。", en: "Run the portal API, an HTTP server (门户接口)."),
        discussion: localized(
            zh: """
                在 --host 和 --port 上提供 HTTP 接口（接口说明见 /openapi.yaml，健康检查见 /healthz），数据库和其余设置与其他命令相同。\
                日志写到标准错误。收到 SIGTERM 或 SIGINT 时不再接受新连接，处理完进行中的请求、关闭数据库后退出（退出码 0）。\
                端口已被占用或无法监听时退出码为 74；数据库不存在为 66，不是开办系统的数据库为 78。
                """,
            en: """
                Serves the HTTP API on --host and --port (its description at /openapi.yaml, a health check at \
                /healthz), on the database and settings the other commands use. Logs go to standard error. On \
                SIGTERM or SIGINT it takes no new connections, finishes the requests in flight, closes the database \
                and exits 0. A port taken or an address it cannot listen on exits 74; no database 66; another \
                program's database 78.
                """
        )
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .long,
        help: .localized(
            zh: "监听地址（环境变量 KAIBAN_HOST；默认 127.0.0.1，仅本机）。",
            en: "Address to listen on (env KAIBAN_HOST; default 127.0.0.1, this machine only)."))
    var host: String?

    @Option(
        name: .long,
        help: .localized(
            zh: "监听端口（环境变量 KAIBAN_PORT；默认 8080；0 为任一空闲端口，见日志）。",
            en: "Port to listen on (env KAIBAN_PORT; default 8080; 0 for any free port, logged)."))
    var port: Int?

    @Option(
        name: .customLong("max-body"),
        help: .localized(
            zh: "请求正文的字节数上限，超出时答复 413（环境变量 KAIBAN_MAX_BODY；默认 1048576）。",
            en: "Largest request body in bytes; a larger one is answered 413 (env KAIBAN_MAX_BODY; default 1048576)."
        ))
    var maxBody: Int?

    @Option(
        name: .customLong("max-document"),
        help: .localized(
            zh: "门户上传的材料文件的字节数上限，仅适用于材料文件接口（环境变量 KAIBAN_MAX_DOCUMENT；默认 10485760）。",
            en:
                "Largest document file a portal may upload, in bytes; only the documents' route takes it (env KAIBAN_MAX_DOCUMENT; default 10485760)."
        ))
    var maxDocument: Int?

    @Option(
        name: .customLong("log-level"),
        help: .localized(
            zh: "日志级别：trace、debug（每个请求一行）、info（默认）、notice、warning、error、critical（环境变量 KAIBAN_LOG_LEVEL）。",
            en:
                "Log level: trace, debug (a line per request), info (default), notice, warning, error, critical (env KAIBAN_LOG_LEVEL)."
        ))
    var logLevel: String?

    func run() async throws {
        try await withDesk(global) { session in
            let settings = try ServerSettings.resolve(
                host: host, port: port, maxBodyBytes: maxBody, maxDocumentBytes: maxDocument, logLevel: logLevel,
                environment: ProcessInfo.processInfo.environment, formsRoot: session.settings.formsRoot,
                version: KaibanCommand.configuration.version)
            let level = settings.logLevel
            LoggingSystem.bootstrap { label in ServerLogHandler(label: label, level: level) }
            let logger = Logger(label: "kaiban.server")
            let store = session.desk.store as? CaseStore
            do {
                // The reference data brought in step now: a broken Forms/ refuses to start, not the
                // first request.
                _ = try await session.desk.slaClock()
                let server = try KaibanServer(desk: session.desk, settings: settings, logger: logger)
                logger.info(
                    "database \(session.settings.database)",
                    metadata: ["dataDirectory": "\(session.settings.dataDirectory.path)"])
                try await server.run()
            } catch {
                try? store?.closeDatabase()
                (session.desk.store as? PostgresStore)?.close()
                throw error
            }
            try store?.closeDatabase()
            (session.desk.store as? PostgresStore)?.close()
            logger.info("database closed")
        }
    }
}
