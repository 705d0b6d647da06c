import Foundation
import KaibanCore
import Logging

/// The HTTP server's settings, read once from flags and the environment (the desk's own settings,
/// database and Forms/ among them, are ``KaibanDesk/KaibanSettings``).
public struct ServerSettings: Sendable {
    /// The address to listen on. Flag `--host`, env `KAIBAN_HOST`, default 127.0.0.1 (this machine
    /// only: a portal reaches it through the hall's reverse proxy).
    public var host: String
    /// The port. Flag `--port`, env `KAIBAN_PORT`, default 8080; 0 takes a free port (logged at start).
    public var port: Int
    /// The largest request body taken, in bytes: a larger one is answered 413 before any route
    /// sees it. Flag `--max-body`, env `KAIBAN_MAX_BODY`, default 1 MiB.
    public var maxBodyBytes: Int
    /// The largest file a portal may attach to a case (the documents' route, and no other, takes
    /// bodies this large), in bytes. Flag `--max-document`, env `KAIBAN_MAX_DOCUMENT`, default 10 MiB.
    public var maxDocumentBytes: Int
    /// The OpenAPI document served at `/openapi.yaml`: `api/openapi.yaml` in Forms/.
    public var openAPIDocument: URL
    /// The version `/healthz` reports (the command's own).
    public var version: String
    /// How long the requests in flight at SIGTERM or SIGINT may take to finish before they are
    /// cancelled. Default 30 s.
    public var shutdownGracePeriod: Duration
    /// How long a keep-alive connection may stay idle before the server closes it, and how long
    /// after an answer the next request's head must have come whole. Default 60 s.
    public var idleTimeout: Duration
    /// How long after a connection opens its first request's head must have come whole (a client
    /// sending it a byte at a time is closed then). Default 15 s.
    public var headerTimeout: Duration = .seconds(15)
    /// The slowest a request's body may come, in bytes a second, after a first `headerTimeout`
    /// of grace: a body slower than that (a client sending a byte now and then to hold its
    /// connection) is answered 408 and its connection closed. Default 500.
    public var minBodyRate: Int = 500
    /// The most connections served at once: one more is answered 503 with `Retry-After` and
    /// closed. Env `KAIBAN_MAX_CONNECTIONS`, default the process's file-descriptor limit less 128
    /// (at most 10,000).
    public var maxConnections: Int = ConnectionGuard.defaultLimit()
    /// What the server logs. Flag `--log-level`, env `KAIBAN_LOG_LEVEL`, default info (start,
    /// stop, server errors); debug adds one line per request.
    public var logLevel: Logger.Level
    /// How often the server delivers the exchange's outbox (when the hall has its exchange key);
    /// nil: never (a test or another process sends).
    public var exchangeSendInterval: Duration? = .seconds(10)

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    public static let defaultMaxBodyBytes = 1 << 20
    public static let defaultMaxDocumentBytes = 10 << 20

    public init(
        host: String = defaultHost, port: Int = defaultPort, maxBodyBytes: Int = defaultMaxBodyBytes,
        maxDocumentBytes: Int = defaultMaxDocumentBytes, openAPIDocument: URL, version: String,
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxDocumentBytes = maxDocumentBytes
        self.openAPIDocument = openAPIDocument
        self.version = version
        self.shutdownGracePeriod = .seconds(30)
        self.idleTimeout = .seconds(60)
        self.logLevel = logLevel
    }

    /// The OpenAPI document of a Forms/ folder.
    public static func openAPIDocument(in formsRoot: URL) -> URL {
        formsRoot.appendingPathComponent("api/openapi.yaml")
    }

    /// The settings from flags (nil when not given) and `environment`. An unusable value is a
    /// problem naming its flag's variable, never silently replaced by a default.
    public static func resolve(
        host: String?, port: Int?, maxBodyBytes: Int?, maxDocumentBytes: Int? = nil, logLevel: String?,
        environment: [String: String], formsRoot: URL, version: String
    ) throws(Problem) -> ServerSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        var problems: [FieldProblem] = []
        func refuse(_ field: String, zh: String, en: String) {
            problems.append(FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en)))
        }
        var settings = ServerSettings(openAPIDocument: openAPIDocument(in: formsRoot), version: version)
        if let host = host ?? value("KAIBAN_HOST") {
            if host.trimmingCharacters(in: .whitespaces).isEmpty || host.contains(where: { $0.isWhitespace }) {
                refuse("KAIBAN_HOST", zh: "“\(host)”不是主机名或IP地址", en: "\"\(host)\" is not a host name or IP address")
            }
            settings.host = host
        }
        if let text = port.map(String.init) ?? value("KAIBAN_PORT") {
            settings.port = Int(text) ?? -1
            if !(0...65_535).contains(settings.port) {
                refuse(
                    "KAIBAN_PORT", zh: "端口“\(text)”应为0至65535之间的整数",
                    en: "port \"\(text)\" is not a whole number from 0 to 65535")
            }
        }
        /// A byte limit from its flag or variable, 1 byte to 1 GiB.
        func byteLimit(_ flag: Int?, _ variable: String, _ name: LocalizedText, into limit: inout Int) {
            guard let text = flag.map(String.init) ?? value(variable) else { return }
            limit = Int(text) ?? -1
            if !(1...(1 << 30)).contains(limit) {
                refuse(
                    variable, zh: "\(name.zh)“\(text)”应为1至1073741824之间的字节数",
                    en: "a \(name.en) of \"\(text)\" is not a number of bytes from 1 to 1073741824")
            }
        }
        byteLimit(
            maxBodyBytes, "KAIBAN_MAX_BODY", LocalizedText(zh: "请求正文上限", en: "body limit"), into: &settings.maxBodyBytes
        )
        byteLimit(
            maxDocumentBytes, "KAIBAN_MAX_DOCUMENT", LocalizedText(zh: "材料文件上限", en: "document limit"),
            into: &settings.maxDocumentBytes)
        if let text = value("KAIBAN_MAX_CONNECTIONS") {
            settings.maxConnections = Int(text) ?? -1
            if !(1...1_000_000).contains(settings.maxConnections) {
                refuse(
                    "KAIBAN_MAX_CONNECTIONS", zh: "连接数上限“\(text)”应为1至1000000之间的整数",
                    en: "a connection limit of \"\(text)\" is not a whole number from 1 to 1000000")
            }
        }
        if let text = logLevel ?? value("KAIBAN_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: text.lowercased()) {
                settings.logLevel = level
            } else {
                refuse(
                    "KAIBAN_LOG_LEVEL", zh: "“\(text)”不是日志级别（trace、debug、info、notice、warning、error、critical）",
                    en: "\"\(text)\" is not a log level (trace, debug, info, notice, warning, error, critical)")
            }
        }
        guard problems.isEmpty else {
            throw Problem(.invalid, "settings.invalid", zh: "设置有误：", en: "unusable settings:", fields: problems)
        }
        return settings
    }
}
