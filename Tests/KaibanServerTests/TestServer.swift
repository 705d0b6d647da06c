import Foundation
import KaibanCore
import KaibanDesk
import KaibanServer
import KaibanStore
import KaibanTestSupport
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real server, in this process, listening on 127.0.0.1 on a free port, over a desk on a
/// new temporary SQLite database (the fixtures' staff, the checkout's Forms/).
struct TestServer {
    let desk: Desk
    let running: RunningServer
    let routes: [(method: String, path: String)]

    var port: Int { running.port }

    /// Starts it, with `extra` routes of the test's own (never in the product) and body limits.
    static func start(
        maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes,
        maxDocumentBytes: Int = ServerSettings.defaultMaxDocumentBytes, adding extra: (RouteTable) -> Void = { _ in }
    )
        async throws -> TestServer
    {
        let desk = try await Fixtures.desk()
        return try await start(
            desk: desk, maxBodyBytes: maxBodyBytes, maxDocumentBytes: maxDocumentBytes, adding: extra)
    }

    /// Runs `body` with a server started as ``start(maxBodyBytes:maxDocumentBytes:adding:)`` does,
    /// and stops it after.
    static func with<T>(
        maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes,
        maxDocumentBytes: Int = ServerSettings.defaultMaxDocumentBytes, adding extra: (RouteTable) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(maxBodyBytes: maxBodyBytes, maxDocumentBytes: maxDocumentBytes, adding: extra)
        return try await running(server, body)
    }

    /// Runs `body` with a server on `desk` (a desk the test prepared), and stops it after.
    static func with<T>(desk: Desk, _ body: (TestServer) async throws -> T) async throws -> T {
        try await running(try await start(desk: desk), body)
    }

    /// Runs `body` with `server`, then stops it, also when `body` throws.
    static func running<T>(_ server: TestServer, _ body: (TestServer) async throws -> T) async throws -> T {
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    static func start(
        desk: Desk, port: Int = 0, maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes,
        maxDocumentBytes: Int = ServerSettings.defaultMaxDocumentBytes, adding extra: (RouteTable) -> Void = { _ in },
        configure: (inout ServerSettings) -> Void = { _ in }
    ) async throws -> TestServer {
        var settings = ServerSettings(
            port: port, maxBodyBytes: maxBodyBytes, maxDocumentBytes: maxDocumentBytes,
            openAPIDocument: ServerSettings.openAPIDocument(in: Fixtures.formsRoot),
            version: "test")
        settings.shutdownGracePeriod = .seconds(10)
        // The tests deliver the exchange's outbox themselves, at the instants they choose.
        settings.exchangeSendInterval = nil
        configure(&settings)
        var logger = Logger(label: "kaiban.server.test")
        logger.logLevel = .critical
        let server = try KaibanServer(desk: desk, settings: settings, logger: logger)
        var routes: [(method: String, path: String)] = []
        let running = try await server.start { table in
            extra(table)
            routes = table.routes.map { ($0.method.rawValue, $0.path) }
        }
        return TestServer(desk: desk, running: running, routes: routes)
    }

    /// The routes of the product alone (no test route).
    static func productRoutes() async throws -> [(method: String, path: String)] {
        let desk = try await Fixtures.desk()
        let server = try KaibanServer(
            desk: desk,
            settings: ServerSettings(
                openAPIDocument: ServerSettings.openAPIDocument(in: Fixtures.formsRoot), version: "test"),
            logger: Logger(label: "kaiban.server.test"))
        return server.routeTable().routes.map { ($0.method.rawValue, $0.path) }
    }

    func stop() async throws {
        try await running.stop()
    }

    /// One HTTP exchange over a plain socket (URLSession on Linux, over libcurl, now and then never
    /// sends a request's body when several requests run at once, and times out under load).
    func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> HTTPAnswer {
        try await HTTPAnswer.sendOverSocket(method, port: port, path: path, headers: headers, body: body)
    }
}

/// What came back from the server.
struct HTTPAnswer: CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var description: String { "\(status) \(headers) \(text)" }

    /// A header, by its name in any case.
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The body as a problem document, when it is one.
    var problem: ProblemDocument? {
        try? JSONDecoder().decode(ProblemDocument.self, from: body)
    }

    /// One exchange over a new connection of its own (`Connection: close`), on a thread of its
    /// own: neither Swift's cooperative threads nor Dispatch's, which the server in this process
    /// needs to answer (the store runs on Dispatch's).
    static func sendOverSocket(_ method: String, port: Int, path: String, headers: [String: String], body: Data?)
        async throws -> HTTPAnswer
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        // A request without a body says nothing of one (RFC 9110 §8.6).
        if let body { head += "Content-Length: \(body.count)\r\n" }
        let body = body ?? Data()
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Data((head + "\r\n").utf8) + body
        let answer: Data = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let connection = try RawConnection(port: port)
                        // The server may answer (413) and close before it has read the whole body.
                        try? connection.send(request)
                        return connection.readAnswerData(timeout: 180)
                    })
            }.start()
        }
        return try parse(answer)
    }

    /// An answer as it came over the wire: its status line, headers and body (past any interim
    /// 1xx answer).
    static func parse(_ data: Data) throws -> HTTPAnswer {
        var rest = data
        while let end = rest.range(of: Data("\r\n\r\n".utf8)) {
            let lines = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            rest = Data(rest[end.upperBound...])
            if (100..<200).contains(status) { continue }
            var fields: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let chunked = fields.contains {
                $0.key.lowercased() == "transfer-encoding" && $0.value.lowercased() == "chunked"
            }
            return HTTPAnswer(status: status, headers: fields, body: chunked ? try dechunk(rest) : rest)
        }
        throw URLError(.badServerResponse)
    }

    /// The content of a chunked body (RFC 9112 §7.1): each chunk's size in hex, its bytes, to the
    /// last, empty one.
    static func dechunk(_ data: Data) throws -> Data {
        var content = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw URLError(.cannotParseResponse)
            }
            let start = lineEnd.upperBound
            if size == 0 { return content }
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else {
                throw URLError(.cannotParseResponse)
            }
            let end = rest.index(start, offsetBy: size)
            content.append(contentsOf: rest[start..<end])
            rest = rest[rest.index(end, offsetBy: 2)...]
        }
        throw URLError(.cannotParseResponse)
    }
}
